// Command factbench runs factgraph's benchmark against @neo4j/graphql and the raw driver (see
// bench/README.md; bench/run.sh starts Neo4j and builds what it needs, then calls this).
//
//	factbench [flags]                     run, write <out>/<label>.{json,md,svg}
//	factbench -report <label>.json        redraw the markdown and SVG of a run
//	factbench -scaling a.json b.json ...  one table of Q1/Q4 latency over data sizes
//	factbench -compare before.json after.json   factgraph's figures in two runs
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/factgraph/factgraph/bench/harness"
	"github.com/factgraph/factgraph/bench/report"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "factbench:", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg harness.Config
	fs := flag.NewFlagSet("factbench", flag.ContinueOnError)
	fs.StringVar(&cfg.Label, "label", "run", "name of the run: the output files are <out>/<label>.*")
	out := fs.String("out", "bench/results", "directory for the results")
	fs.IntVar(&cfg.Entities, "n", 20000, "entities in the data set (relations: about 3.5 per entity plus the hubs')")
	seed := fs.Uint64("seed", 1, "data set seed")
	fs.IntVar(&cfg.Concurrency, "c", 8, "concurrency of the throughput phase")
	fs.DurationVar(&cfg.Duration, "duration", 15*time.Second, "throughput phase per server and shape")
	fs.DurationVar(&cfg.Slice, "slice", 3*time.Second, "length of one server's turn in the throughput phase")
	fs.IntVar(&cfg.Requests, "requests", 500, "timed requests per server and shape at c=1")
	fs.IntVar(&cfg.Warmup, "warmup", 100, "untimed requests per server and shape before them")
	fs.IntVar(&cfg.PerRound, "per-round", 25, "c=1 requests to one server before the next one's turn")
	shapeList := fs.String("shapes", "", "comma-separated shapes (q1,q2,q3,q4,q5,search,write); empty: all")
	serverList := fs.String("servers", "", "comma-separated servers (factgraph,anchor,raw,embedded); empty: all")
	fs.StringVar(&cfg.Neo4jURI, "neo4j-uri", envOr("NEO4J_URI", "bolt://127.0.0.1:7690"), "Neo4j (bolt://host:port; the proxies need a direct address)")
	fs.StringVar(&cfg.Neo4jUser, "neo4j-user", envOr("NEO4J_USER", "neo4j"), "Neo4j user")
	fs.IntVar(&cfg.PortBase, "port-base", 9100, "servers listen on 127.0.0.1:<base+1..4>")
	fs.StringVar(&cfg.FactgraphBin, "factgraph", "bench/.run/bin/factgraph", "factgraph binary")
	fs.StringVar(&cfg.RawBin, "raw", "bench/.run/bin/factbench-raw", "raw-driver server binary")
	fs.StringVar(&cfg.AnchorDir, "anchor", "bench/anchor", "the anchor's directory (npm ci done)")
	fs.StringVar(&cfg.NodeBin, "node", "node", "node binary")
	fs.StringVar(&cfg.LogDir, "logs", "bench/.run/logs", "directory for the servers' logs")
	fs.IntVar(&cfg.Batch, "batch", 250, "items per upsert request when loading")
	fs.BoolVar(&cfg.SkipEquivalence, "skip-equivalence", false, "don't compare answers first")
	fs.BoolVar(&cfg.KeepData, "keep-writes", false, "keep what the write shape created")
	fs.BoolVar(&cfg.LoadOnly, "load-only", false, "only load the data set into Neo4j (if it is not there yet), measure nothing")
	reportOnly := fs.String("report", "", "only redraw the markdown and SVG of this results JSON")
	scaling := fs.Bool("scaling", false, "print a markdown table of Q1/Q4 over the results JSON files given as arguments")
	compare := fs.Bool("compare", false, "print a markdown table of factgraph's figures in two results JSON files: before after")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *scaling {
		return report.Scaling(os.Stdout, fs.Args())
	}
	if *compare {
		if fs.NArg() != 2 {
			return fmt.Errorf("-compare wants two results files, before and after")
		}
		return report.Compare(os.Stdout, fs.Arg(0), fs.Arg(1))
	}
	if *reportOnly != "" {
		var res harness.Result
		b, err := os.ReadFile(*reportOnly)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		return write(filepath.Dir(*reportOnly), &res)
	}
	cfg.Seed = *seed
	cfg.Shapes = split(*shapeList)
	cfg.Servers = split(*serverList)
	cfg.Neo4jPassword = os.Getenv("NEO4J_PASSWORD")
	if cfg.Neo4jPassword == "" {
		cfg.Neo4jPassword = "factgraph-dev"
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	cfg.Repo = repo
	cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg.Progress = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := harness.Run(ctx, cfg)
	if res != nil && len(res.Rows) > 0 {
		if werr := write(*out, res); werr != nil {
			return errors.Join(err, werr)
		}
	}
	return err
}

// write stores the JSON, the markdown and the SVG of a run.
func write(dir string, res *harness.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	jsonPath, mdPath, svgPath := harness.OutPaths(dir, res.Label)
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	svg, err := os.Create(svgPath)
	if err != nil {
		return err
	}
	report.SVG(svg, res)
	if err := svg.Close(); err != nil {
		return err
	}
	md, err := os.Create(mdPath)
	if err != nil {
		return err
	}
	report.Markdown(md, res, filepath.Base(svgPath))
	if err := md.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "factbench: wrote %s, %s, %s\n", jsonPath, mdPath, svgPath)
	return nil
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
