// Package harness runs the benchmark: it starts the servers under test (factgraph on Neo4j,
// factgraph embedded, @neo4j/graphql, the raw-driver server) each behind its own Bolt-counting
// proxy, loads the generated data set through factgraph's API, checks that the servers answer
// every shape alike, then measures latency, throughput and round trips, interleaved.
package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/factgraph/factgraph/bench/boltcount"
	"github.com/factgraph/factgraph/bench/client"
	"github.com/factgraph/factgraph/bench/dataset"
	"github.com/factgraph/factgraph/bench/load"
	"github.com/factgraph/factgraph/bench/shapes"
	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Config sets a run's size and where everything is.
type Config struct {
	Label    string
	Entities int
	Seed     uint64
	// Concurrency and Duration (per server and shape, cut into Slice-long turns) of the
	// throughput phase; Requests timed requests per server and shape at concurrency 1 after
	// Warmup untimed ones, PerRound at a time.
	Concurrency               int
	Duration, Slice           time.Duration
	Requests, Warmup          int
	PerRound                  int
	Shapes, Servers           []string
	Neo4jURI, Neo4jUser       string
	Neo4jPassword             string
	PortBase                  int
	Repo, AnchorDir           string
	FactgraphBin, RawBin      string
	NodeBin                   string
	LogDir                    string
	Batch                     int
	Log                       *slog.Logger
	Progress                  io.Writer
	SkipEquivalence, KeepData bool
	// LoadOnly stops after the data set is in Neo4j (to load a big size ahead of measuring).
	LoadOnly bool
}

// Result is everything a run measured.
type Result struct {
	Label    string    `json:"label"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Machine  Machine   `json:"machine"`
	Config   struct {
		Entities, Concurrency, Requests, Warmup int
		Duration, Slice                         string
		Seed                                    uint64
	} `json:"config"`
	Data        DataInfo      `json:"data"`
	Equivalence []Equivalence `json:"equivalence"`
	Rows        []Row         `json:"rows"`
	Shapes      []ShapeInfo   `json:"shapes"`
	Servers     []string      `json:"servers"`
	Notes       []string      `json:"notes"`
}

// ShapeInfo names a shape.
type ShapeInfo struct{ Name, Title string }

// DataInfo describes the data set.
type DataInfo struct {
	Sources, Entities, Relations, Disputes, HubDegree int
	ByKind                                            map[string]int
	Hubs                                              []string
	Loaded                                            string // "loaded" or "already there"
}

// Equivalence is what comparing one server's answers with the reference's found.
type Equivalence struct {
	Shape, Server, Reference string
	Checked, Different       int
	Example                  string `json:",omitempty"`
}

// Row is one server's figures for one shape.
type Row struct {
	Shape, Server string
	P50, P90, P99 float64 // ms at concurrency 1
	C1Requests    int
	C1Errors      int
	RPS           float64 // at Config.Concurrency
	C8Requests    int64
	C8Errors      int64
	RunsPerReq    float64 // Bolt RUN messages per request (-1: no Neo4j)
	TxPerReq      float64
	FirstError    string `json:",omitempty"`
}

type server struct {
	name  string
	base  string
	proxy *boltcount.Proxy
	proc  *proc
}

// Run runs the benchmark.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	log := cfg.Log
	res := &Result{Label: cfg.Label, Started: time.Now().UTC()}
	res.Config.Entities, res.Config.Concurrency, res.Config.Requests, res.Config.Warmup = cfg.Entities, cfg.Concurrency, cfg.Requests, cfg.Warmup
	res.Config.Duration, res.Config.Slice, res.Config.Seed = cfg.Duration.String(), cfg.Slice.String(), cfg.Seed
	res.Machine = describeMachine(cfg.Repo, cfg.AnchorDir)
	sampler := sampleLoad()

	driver, err := neo4j.NewDriverWithContext(cfg.Neo4jURI, neo4j.BasicAuth(cfg.Neo4jUser, cfg.Neo4jPassword, ""))
	if err != nil {
		return nil, err
	}
	defer driver.Close(context.Background())
	if err := driver.VerifyConnectivity(ctx); err != nil {
		return nil, fmt.Errorf("neo4j at %s: %w", cfg.Neo4jURI, err)
	}
	if v, err := neo4jVersion(ctx, driver); err == nil {
		res.Machine.Versions["neo4j"] = v
	}

	log.Info("generating data", "entities", cfg.Entities, "seed", cfg.Seed)
	d := dataset.Generate(cfg.Seed, cfg.Entities)
	res.Data = DataInfo{Sources: len(d.Sources), Entities: len(d.Entities), Relations: len(d.Relations),
		Disputes: len(d.Relations) - countNoDispute(d), HubDegree: dataset.HubDegree(cfg.Entities), Hubs: d.Hubs, ByKind: map[string]int{}}
	for k, ids := range d.ByKind {
		res.Data.ByKind[string(k)] = len(ids)
	}
	set := shapes.New(d)
	selected, err := set.Select(cfg.Shapes)
	if err != nil {
		return nil, err
	}
	for _, sh := range selected {
		res.Shapes = append(res.Shapes, ShapeInfo{sh.Name, sh.Title})
	}
	want := func(name string) bool { return len(cfg.Servers) == 0 || slices.Contains(cfg.Servers, name) }

	var servers []*server
	defer func() {
		for _, s := range servers {
			s.proc.stop()
			if s.proxy != nil {
				s.proxy.Close()
			}
		}
	}()
	neoTarget := strings.TrimPrefix(strings.TrimPrefix(cfg.Neo4jURI, "bolt://"), "neo4j://")
	newProxy := func() (*boltcount.Proxy, error) { return boltcount.Listen("127.0.0.1:0", neoTarget, log) }
	neoEnv := func(p *boltcount.Proxy) []string {
		return []string{"NEO4J_URI=bolt://" + p.Addr(), "NEO4J_USER=" + cfg.Neo4jUser, "NEO4J_PASSWORD=" + cfg.Neo4jPassword}
	}
	addr := func(i int) string { return fmt.Sprintf("127.0.0.1:%d", cfg.PortBase+i) }
	c := client.New(5 * time.Minute)

	// factgraph on Neo4j comes first: it creates the schema and loads the data.
	{
		p, err := newProxy()
		if err != nil {
			return nil, err
		}
		s := &server{name: shapes.Factgraph, base: "http://" + addr(1), proxy: p}
		if s.proc, err = startProc("factgraph-neo4j", cfg.LogDir, cfg.Repo, neoEnv(p), cfg.FactgraphBin,
			"-addr", addr(1), "-log-level", "warn"); err != nil {
			p.Close()
			return nil, err
		}
		servers = append(servers, s)
		// Opening migrates the schema and provenance, minutes on a big graph and a loaded machine.
		if err := s.proc.waitReady(ctx, 20*time.Minute, httpOK(s.base+"/readyz")); err != nil {
			return nil, err
		}
		loaded, err := haveData(ctx, driver, d)
		if err != nil {
			return nil, err
		}
		if loaded {
			res.Data.Loaded = "already there"
			log.Info("the data set is already in Neo4j")
		} else {
			if err := wipe(ctx, driver, log); err != nil {
				return nil, err
			}
			st, err := dataset.Load(ctx, c, s.base+"/graphql", d, cfg.Batch, cfg.Progress, "factgraph -> neo4j")
			if err != nil {
				return nil, fmt.Errorf("load into neo4j: %w", err)
			}
			res.Data.Loaded = "loaded: " + st.String()
			log.Info("loaded into neo4j", "stats", st.String())
		}
	}
	if cfg.LoadOnly {
		sampler.finish(&res.Machine)
		return res, nil
	}
	if want(shapes.Embedded) {
		s := &server{name: shapes.Embedded, base: "http://" + addr(2)}
		var err error
		if s.proc, err = startProc("factgraph-embedded", cfg.LogDir, cfg.Repo, nil, cfg.FactgraphBin,
			"-addr", addr(2), "-no-seed", "-log-level", "warn"); err != nil {
			return nil, err
		}
		servers = append(servers, s)
		if err := s.proc.waitReady(ctx, time.Minute, httpOK(s.base+"/readyz")); err != nil {
			return nil, err
		}
		st, err := dataset.Load(ctx, c, s.base+"/graphql", d, cfg.Batch, cfg.Progress, "factgraph -> embedded")
		if err != nil {
			return nil, fmt.Errorf("load into embedded: %w", err)
		}
		res.Notes = append(res.Notes, "embedded load: "+st.String())
	}
	if want(shapes.Anchor) {
		p, err := newProxy()
		if err != nil {
			return nil, err
		}
		s := &server{name: shapes.Anchor, base: "http://" + addr(3), proxy: p}
		if s.proc, err = startProc("anchor", cfg.LogDir, cfg.AnchorDir,
			append(neoEnv(p), fmt.Sprintf("ANCHOR_PORT=%d", cfg.PortBase+3)), cfg.NodeBin, "server.mjs"); err != nil {
			p.Close()
			return nil, err
		}
		servers = append(servers, s)
		if err := s.proc.waitReady(ctx, 3*time.Minute, func(ctx context.Context) error {
			_, err := c.Query(ctx, s.base+"/", client.GraphQL{Query: "{ __typename }"})
			return err
		}); err != nil {
			return nil, err
		}
	}
	if want(shapes.Raw) {
		p, err := newProxy()
		if err != nil {
			return nil, err
		}
		s := &server{name: shapes.Raw, base: "http://" + addr(4), proxy: p}
		if s.proc, err = startProc("raw", cfg.LogDir, cfg.Repo, neoEnv(p), cfg.RawBin, "-addr", addr(4)); err != nil {
			p.Close()
			return nil, err
		}
		servers = append(servers, s)
		if err := s.proc.waitReady(ctx, time.Minute, httpOK(s.base+"/healthz")); err != nil {
			return nil, err
		}
	}
	if !want(shapes.Factgraph) {
		servers[0].proc.stop()
		servers[0].proxy.Close()
		servers = servers[1:]
	}
	// Report order: factgraph, the anchor, the raw driver, embedded.
	slices.SortStableFunc(servers, func(a, b *server) int {
		return slices.Index(shapes.Servers, a.name) - slices.Index(shapes.Servers, b.name)
	})
	for _, s := range servers {
		res.Servers = append(res.Servers, s.name)
	}

	r := load.NewRunner(c)
	target := func(s *server, sh *shapes.Shape) load.Target {
		return load.Target{Server: s.name + "/" + sh.Name, BaseURL: s.base,
			Request: func(i int) (string, []byte) { return sh.Request(s.name, i) },
			Check:   load.CheckData}
	}
	wrote := false
	for _, sh := range selected {
		if ctx.Err() != nil {
			break
		}
		if !cfg.SkipEquivalence {
			res.Equivalence = append(res.Equivalence, equivalence(ctx, r, servers, sh)...)
		}
		targets := make([]load.Target, len(servers))
		for i, s := range servers {
			targets[i] = target(s, sh)
		}
		log.Info("latency at c=1", "shape", sh.Name)
		before := counts(servers)
		requests, warmup := cfg.Requests, cfg.Warmup
		if sh.Write {
			// A write costs tens of reads and grows the database: a fifth of the requests.
			requests, warmup = max(10, requests/5), min(warmup, 5)
		}
		lat := r.Sequential(ctx, targets, warmup, requests, cfg.PerRound)
		after := counts(servers)
		log.Info("throughput", "shape", sh.Name, "c", cfg.Concurrency)
		thr := r.Concurrent(ctx, targets, cfg.Concurrency, cfg.Duration, cfg.Slice)
		for i, s := range servers {
			l, t := lat[i], thr[i]
			row := Row{Shape: sh.Name, Server: s.name,
				P50: ms(l.Quantile(0.5)), P90: ms(l.Quantile(0.9)), P99: ms(l.Quantile(0.99)),
				C1Requests: len(l.Samples), C1Errors: l.Errors, RPS: t.PerSecond(), C8Requests: t.Requests, C8Errors: t.Errors,
				RunsPerReq: -1, TxPerReq: -1, FirstError: firstOf(l.FirstError, t.FirstError)}
			if s.proxy != nil {
				n := float64(warmup + len(l.Samples) + l.Errors)
				dc := after[i].Sub(before[i])
				row.RunsPerReq, row.TxPerReq = float64(dc.Runs)/n, float64(dc.Transactions)/n
			}
			res.Rows = append(res.Rows, row)
			log.Info("measured", "shape", sh.Name, "server", s.name, "p50ms", row.P50, "rps", fmt.Sprintf("%.1f", row.RPS),
				"runs/req", fmt.Sprintf("%.2f", row.RunsPerReq), "errors", row.C1Errors+int(row.C8Errors))
		}
		wrote = wrote || sh.Write
	}
	if wrote && !cfg.KeepData {
		if err := deleteWrites(ctx, driver, log); err != nil {
			return res, err
		}
	}
	sampler.finish(&res.Machine)
	res.Finished = time.Now().UTC()
	return res, ctx.Err()
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func countNoDispute(d *dataset.Data) int {
	n := 0
	for _, r := range d.Relations {
		if len(r.DisputesIDs) == 0 {
			n++
		}
	}
	return n
}

func counts(servers []*server) []boltcount.Counts {
	out := make([]boltcount.Counts, len(servers))
	for i, s := range servers {
		if s.proxy != nil {
			out[i] = s.proxy.Counts()
		}
	}
	return out
}

// equivalence asks every server the shape's first requests and compares the answers with the
// first server's (factgraph on Neo4j when it runs). Writes are compared by what they created.
func equivalence(ctx context.Context, r *load.Runner, servers []*server, sh *shapes.Shape) []Equivalence {
	n := 8
	if sh.Write {
		n = 1
	}
	ref := servers[0]
	out := make([]Equivalence, 0, len(servers)-1)
	answers := make([][]string, len(servers))
	for si, s := range servers {
		for i := range n {
			path, body := sh.Request(s.name, i)
			resp, err := r.C.Post(ctx, s.base+path, body)
			var canon string
			if err == nil {
				canon, err = sh.Canon(s.name, resp)
			}
			if err != nil {
				canon = "ERROR " + err.Error()
			}
			answers[si] = append(answers[si], canon)
		}
	}
	for si, s := range servers[1:] {
		e := Equivalence{Shape: sh.Name, Server: s.name, Reference: ref.name, Checked: n}
		for i := range n {
			if a, b := answers[0][i], answers[si+1][i]; a != b {
				e.Different++
				if e.Example == "" {
					e.Example = firstDiff(a, b)
				}
			}
		}
		out = append(out, e)
	}
	for i := range n {
		if strings.HasPrefix(answers[0][i], "ERROR") {
			out = append(out, Equivalence{Shape: sh.Name, Server: ref.name, Reference: "itself", Checked: 1, Different: 1, Example: answers[0][i]})
			break
		}
	}
	return out
}

// firstDiff describes the first line where two canonical answers differ.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d (of %d vs %d): reference %q, this %q", i+1, len(la), len(lb), trunc(x), trunc(y))
		}
	}
	return ""
}

func trunc(s string) string {
	if len(s) > 160 {
		return s[:160] + "..."
	}
	return s
}

func neo4jVersion(ctx context.Context, driver neo4j.DriverWithContext) (string, error) {
	res, err := neo4j.ExecuteQuery(ctx, driver, "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] + ' ' + edition AS v", nil, neo4j.EagerResultTransformer)
	if err != nil {
		return "", err
	}
	if len(res.Records) == 0 {
		return "", errors.New("no components")
	}
	v, _ := res.Records[0].Get("v")
	s, _ := v.(string)
	return s, nil
}

// haveData reports whether Neo4j holds exactly d (by counts and the last entity and relation).
func haveData(ctx context.Context, driver neo4j.DriverWithContext, d *dataset.Data) (bool, error) {
	last := d.Relations[len(d.Relations)-1]
	res, err := neo4j.ExecuteQuery(ctx, driver, `CALL () { MATCH (n:Entity) RETURN count(n) AS e }
CALL () { MATCH ()-[r]->() WHERE type(r) IN $types RETURN count(r) AS r }
CALL () { OPTIONAL MATCH (n:Entity {id: $eid}) RETURN n.name AS name }
CALL () { OPTIONAL MATCH (:Entity {id: $from})-[r {id: $rid}]->(:Entity {id: $to}) RETURN count(r) AS lastRel }
RETURN e, r, name, lastRel`, map[string]any{"eid": d.Entities[len(d.Entities)-1].ID, "rid": last.ID, "from": last.FromID, "to": last.ToID, "types": relationTypeNames()},
		neo4j.EagerResultTransformer)
	if err != nil {
		return false, err
	}
	rec := res.Records[0]
	e, _ := rec.Get("e")
	rels, _ := rec.Get("r")
	name, _ := rec.Get("name")
	lastRel, _ := rec.Get("lastRel")
	return e == int64(len(d.Entities)) && rels == int64(len(d.Relations)) &&
		name == d.Entities[len(d.Entities)-1].Name && lastRel == int64(1), nil
}

// relationTypeNames are the relation types; factgraph also stores provenance relationships,
// which are not relations.
func relationTypeNames() []string {
	out := make([]string, len(kg.RelationTypes))
	for i, t := range kg.RelationTypes {
		out[i] = string(t)
	}
	return out
}

// wipe deletes everything (a different data set, or a half-loaded one), in batches.
func wipe(ctx context.Context, driver neo4j.DriverWithContext, log *slog.Logger) error {
	log.Info("emptying the database for the data set")
	return autoCommit(ctx, driver, "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS", nil)
}

// deleteWrites removes what the write shape created on Neo4j.
func deleteWrites(ctx context.Context, driver neo4j.DriverWithContext, log *slog.Logger) error {
	log.Info("deleting what the write shape created")
	// factgraph also writes a :Claim node per relation, with the relation's id.
	for _, label := range []string{"Entity", "Claim"} {
		if err := autoCommit(ctx, driver, "MATCH (n:"+label+") WHERE n.id STARTS WITH $p CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS",
			map[string]any{"p": shapes.WritePrefix}); err != nil {
			return err
		}
	}
	return nil
}

// autoCommit runs a CALL { } IN TRANSACTIONS statement, which needs an implicit transaction.
func autoCommit(ctx context.Context, driver neo4j.DriverWithContext, q string, p map[string]any) error {
	sess := driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, q, p)
	if err != nil {
		return err
	}
	_, err = res.Consume(ctx)
	return err
}

// OutPaths are the files a run writes.
func OutPaths(dir, label string) (jsonPath, mdPath, svgPath string) {
	base := filepath.Join(dir, label)
	return base + ".json", base + ".md", base + ".svg"
}
