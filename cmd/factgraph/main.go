// Command factgraph serves the knowledge graph over GraphQL. With NEO4J_URI set it uses that
// Neo4j database; otherwise it runs on the embedded store and, when that is empty, loads the
// built-in seed so that the playground shows the article's graph at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/factgraph/factgraph/graph"
	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
	neo4jstore "github.com/factgraph/factgraph/kg/neo4j"
	"github.com/factgraph/factgraph/seed"
	"github.com/factgraph/factgraph/server"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "factgraph:", err)
		os.Exit(1)
	}
}

type config struct {
	addr, dataPath, origins, writeToken, logLevel string
	noSeed                                        bool
	neo4j                                         neo4jstore.Config
	timeout                                       time.Duration
	historyRetention, pollInterval                time.Duration
	maxSubscriptions                              int
}

func parseFlags(args []string, getenv func(string) string, stderr *os.File) (*config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c config
	fs := flag.NewFlagSet("factgraph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", env("FACTGRAPH_ADDR", ":8080"), "listen address (env FACTGRAPH_ADDR)")
	fs.StringVar(&c.dataPath, "data", env("FACTGRAPH_DATA", ""), "embedded store file; empty keeps the graph in memory only (env FACTGRAPH_DATA)")
	fs.StringVar(&c.origins, "cors-origins", env("FACTGRAPH_CORS_ORIGINS", "*"), "comma-separated browser origins allowed to call /graphql; \"*\" allows any, without credentials (env FACTGRAPH_CORS_ORIGINS)")
	fs.StringVar(&c.writeToken, "write-token", env("FACTGRAPH_WRITE_TOKEN", ""), "bearer token required for mutations; empty allows anyone to write (env FACTGRAPH_WRITE_TOKEN)")
	noSeed, _ := strconv.ParseBool(env("FACTGRAPH_NO_SEED", "false"))
	fs.BoolVar(&c.noSeed, "no-seed", noSeed, "do not load the built-in seed into an empty embedded store (env FACTGRAPH_NO_SEED=true)")
	retention, err := time.ParseDuration(env("FACTGRAPH_HISTORY_RETENTION", "0s"))
	if err != nil {
		return nil, fmt.Errorf("FACTGRAPH_HISTORY_RETENTION: %w", err)
	}
	fs.DurationVar(&c.historyRetention, "history-retention", retention, "how long to keep superseded revisions and tombstones (e.g. 2160h for 90 days); 0 keeps all (env FACTGRAPH_HISTORY_RETENTION)")
	poll, err := time.ParseDuration(env("FACTGRAPH_SUBSCRIPTION_POLL", graph.DefaultPollInterval.String()))
	if err != nil {
		return nil, fmt.Errorf("FACTGRAPH_SUBSCRIPTION_POLL: %w", err)
	}
	fs.DurationVar(&c.pollInterval, "subscription-poll", poll, "how often a live subscription looks for new changes (env FACTGRAPH_SUBSCRIPTION_POLL)")
	maxSubs, err := strconv.Atoi(env("FACTGRAPH_MAX_SUBSCRIPTIONS", strconv.Itoa(graph.DefaultMaxSubscriptions)))
	if err != nil {
		return nil, fmt.Errorf("FACTGRAPH_MAX_SUBSCRIPTIONS: %w", err)
	}
	fs.IntVar(&c.maxSubscriptions, "max-subscriptions", maxSubs, "live subscriptions this process serves at once (env FACTGRAPH_MAX_SUBSCRIPTIONS)")
	fs.DurationVar(&c.timeout, "timeout", server.DefaultRequestTimeout, "time limit of one request")
	fs.StringVar(&c.logLevel, "log-level", env("FACTGRAPH_LOG_LEVEL", "info"), "debug, info, warn or error (env FACTGRAPH_LOG_LEVEL)")
	fs.StringVar(&c.neo4j.URI, "neo4j-uri", env("NEO4J_URI", ""), "Neo4j URI, bolt:// or neo4j://; empty uses the embedded store (env NEO4J_URI)")
	fs.StringVar(&c.neo4j.User, "neo4j-user", env("NEO4J_USER", "neo4j"), "Neo4j user (env NEO4J_USER)")
	fs.StringVar(&c.neo4j.Database, "neo4j-database", env("NEO4J_DATABASE", ""), "Neo4j database; empty means the user's home database (env NEO4J_DATABASE)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: factgraph [flags]\n\nServes GraphQL at /graphql, a playground at /, /healthz and /readyz.\nThe Neo4j password is read from NEO4J_PASSWORD only, to keep it out of process listings.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c.neo4j.Password = getenv("NEO4J_PASSWORD")
	return &c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr *os.File) error {
	c, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := openStore(ctx, c, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(context.Background()); err != nil {
			logger.Error("closing store", "err", err)
		}
	}()

	var origins []string
	for _, o := range strings.Split(c.origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	if c.writeToken == "" {
		logger.Warn("no write token: anyone who can reach the server can write; set -write-token for a shared server")
	}
	srv := &http.Server{
		Addr: c.addr,
		Handler: server.New(store, server.Config{
			AllowedOrigins: origins, WriteToken: c.writeToken, RequestTimeout: c.timeout,
			PollInterval: c.pollInterval, MaxSubscriptions: c.maxSubscriptions,
		}, logger),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	// Listen before saying so: a busy port fails here, not after "serving" was logged.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go server.RetainHistory(ctx, store, c.historyRetention, logger)
	logger.Info("serving", "addr", ln.Addr().String(), "graphql", "/graphql", "playground", "/")

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

func openStore(ctx context.Context, c *config, logger *slog.Logger) (kg.Store, error) {
	if c.neo4j.URI != "" {
		s, err := neo4jstore.Open(ctx, c.neo4j, logger)
		if err != nil {
			return nil, fmt.Errorf("opening Neo4j at %s: %w", neo4jstore.RedactURI(c.neo4j.URI), err)
		}
		logger.Info("store: neo4j", "uri", neo4jstore.RedactURI(c.neo4j.URI), "database", c.neo4j.Database)
		return s, nil
	}
	s, err := embedded.Open(ctx, c.dataPath)
	if err != nil {
		return nil, fmt.Errorf("opening embedded store %q: %w", c.dataPath, err)
	}
	logger.Info("store: embedded", "file", c.dataPath)
	if c.noSeed {
		return s, nil
	}
	if err := seedIfEmpty(ctx, s, logger); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	return s, nil
}

// seedIfEmpty loads the built-in seed into an empty store, so a first run shows data; a store
// that has anything in it is left alone.
func seedIfEmpty(ctx context.Context, s kg.Store, logger *slog.Logger) error {
	st, err := s.Stats(ctx, kg.StatsQuery{})
	if err != nil {
		return err
	}
	if st.Entities+st.Relations+st.Sources > 0 {
		return nil
	}
	b, err := seed.Builtin()
	if err != nil {
		return fmt.Errorf("built-in seed: %w", err)
	}
	res, err := seed.Apply(ctx, s, b, kg.MaxBatch, nil)
	if err != nil {
		return fmt.Errorf("loading built-in seed: %w", err)
	}
	logger.Info("loaded built-in seed", "result", fmt.Sprintf("%+v", res))
	return nil
}
