// Command factgraph serves the knowledge graph over GraphQL. With NEO4J_URI set it uses that
// Neo4j database; otherwise it runs on the embedded store and, when that is empty, loads the
// built-in seed so that the playground shows the article's graph at once.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	"github.com/factgraph/factgraph/metrics"
	"github.com/factgraph/factgraph/seed"
	"github.com/factgraph/factgraph/server"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "factgraph:", err)
		os.Exit(1)
	}
}

type config struct {
	addr, dataPath, origins, writeToken, logLevel string
	writeTokensFile                               string
	noSeed, allowAnonymousWrites                  bool
	neo4j                                         neo4jstore.Config
	server                                        server.Config
	maxConns                                      int
	shutdownTimeout, historyRetention             time.Duration
	logFormat, corsHeaders                        string
	metrics, version                              bool
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
	// Numeric flags fall back to their env var too; a malformed one is reported, not ignored.
	var envErr error
	intVar := func(p *int, name, key string, def int, usage string) {
		if v := getenv(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				envErr = errors.Join(envErr, fmt.Errorf("%s: %w", key, err))
			}
			def = n
		}
		fs.IntVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, key))
	}
	durationVar := func(p *time.Duration, name, key string, def time.Duration, usage string) {
		if v := getenv(key); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				envErr = errors.Join(envErr, fmt.Errorf("%s: %w", key, err))
			}
			def = d
		}
		fs.DurationVar(p, name, def, fmt.Sprintf("%s (env %s)", usage, key))
	}
	var maxBody int
	intVar(&maxBody, "max-body-bytes", "FACTGRAPH_MAX_BODY_BYTES", server.DefaultMaxBodyBytes, "largest request body; larger ones get 413")
	intVar(&c.server.MaxHeaderBytes, "max-header-bytes", "FACTGRAPH_MAX_HEADER_BYTES", server.DefaultMaxHeaderBytes, "largest request header block; larger ones get 431")
	intVar(&c.maxConns, "max-conns", "FACTGRAPH_MAX_CONNS", server.DefaultMaxConns, "most connections open at once; more wait to be accepted")
	durationVar(&c.server.ReadHeaderTimeout, "read-header-timeout", "FACTGRAPH_READ_HEADER_TIMEOUT", server.DefaultReadHeaderTimeout, "time a client has to send its request headers")
	durationVar(&c.shutdownTimeout, "shutdown-timeout", "FACTGRAPH_SHUTDOWN_TIMEOUT", 10*time.Second, "on SIGTERM, time given to requests in flight before connections are closed")
	intVar(&c.server.HeavyConcurrency, "heavy-concurrency", "FACTGRAPH_HEAVY_CONCURRENCY", graph.DefaultHeavyConcurrency(), "most heavy fields (stats, search, paths, filtered listings...) running at once across all requests; -1: no cap")
	intVar(&c.server.ComplexityLimit, "max-complexity", "FACTGRAPH_MAX_COMPLEXITY", server.DefaultComplexityLimit, "highest cost of one operation")
	l := &c.server.Limits
	intVar(&l.MaxQueryBytes, "max-query-bytes", "FACTGRAPH_MAX_QUERY_BYTES", graph.DefaultMaxQueryBytes, "longest GraphQL query text, in bytes, checked before it is parsed or persisted")
	intVar(&l.MaxTokens, "max-tokens", "FACTGRAPH_MAX_TOKENS", graph.DefaultMaxTokens, "most lexical tokens in a GraphQL document")
	intVar(&l.MaxFragments, "max-fragments", "FACTGRAPH_MAX_FRAGMENTS", graph.DefaultMaxFragments, "most fragment definitions in a document")
	intVar(&l.MaxFields, "max-fields", "FACTGRAPH_MAX_FIELDS", graph.DefaultMaxFields, "most field selections in a document, fragments expanded")
	intVar(&l.MaxAliases, "max-aliases", "FACTGRAPH_MAX_ALIASES", graph.DefaultMaxAliases, "most aliased fields in a document, fragments expanded")
	intVar(&l.MaxDirectives, "max-directives", "FACTGRAPH_MAX_DIRECTIVES", graph.DefaultMaxDirectives, "most directives in a document, fragments expanded")
	intVar(&l.MaxDepth, "max-depth", "FACTGRAPH_MAX_DEPTH", graph.DefaultMaxDepth, "deepest nesting of fields")
	intVar(&l.MaxRootFields, "max-root-fields", "FACTGRAPH_MAX_ROOT_FIELDS", graph.DefaultMaxRootFields, "most top-level fields of a query")
	intVar(&l.MaxMutationRootFields, "max-mutation-root-fields", "FACTGRAPH_MAX_MUTATION_ROOT_FIELDS", graph.DefaultMaxMutationRootFields, "most top-level fields of a mutation")
	intVar(&l.MaxWriteItems, "max-write-items", "FACTGRAPH_MAX_WRITE_ITEMS", graph.DefaultMaxWriteItems, "most items one request's mutations write together")
	fs.StringVar(&c.addr, "addr", env("FACTGRAPH_ADDR", "127.0.0.1:8080"), "listen address; loopback by default, \":8080\" for every interface (env FACTGRAPH_ADDR)")
	fs.StringVar(&c.dataPath, "data", env("FACTGRAPH_DATA", ""), "embedded store file; empty keeps the graph in memory only (env FACTGRAPH_DATA)")
	fs.StringVar(&c.origins, "cors-origins", env("FACTGRAPH_CORS_ORIGINS", "*"), "comma-separated browser origins allowed to call /graphql; \"*\" allows any, without credentials (env FACTGRAPH_CORS_ORIGINS)")
	fs.StringVar(&c.writeTokensFile, "write-tokens-file", env("FACTGRAPH_WRITE_TOKENS_FILE", ""), "file of named write tokens, `name token` per line; writes are recorded under the name (env FACTGRAPH_WRITE_TOKENS_FILE; or FACTGRAPH_WRITE_TOKENS=name:token,...)")
	fs.StringVar(&c.writeToken, "write-token", env("FACTGRAPH_WRITE_TOKEN", ""), "one write token, named \"default\" (env FACTGRAPH_WRITE_TOKEN)")
	allowAnon, _ := strconv.ParseBool(env("FACTGRAPH_ALLOW_ANONYMOUS_WRITES", "false"))
	fs.BoolVar(&c.allowAnonymousWrites, "allow-anonymous-writes", allowAnon, "without write tokens, let anyone write also when listening beyond loopback (env FACTGRAPH_ALLOW_ANONYMOUS_WRITES=true)")
	noSeed, _ := strconv.ParseBool(env("FACTGRAPH_NO_SEED", "false"))
	fs.BoolVar(&c.noSeed, "no-seed", noSeed, "do not load the built-in seed into an empty embedded store (env FACTGRAPH_NO_SEED=true)")
	durationVar(&c.server.RequestTimeout, "timeout", "FACTGRAPH_TIMEOUT", server.DefaultRequestTimeout, "time limit of one request: reading its body, parsing, validating and running it")
	durationVar(&c.historyRetention, "history-retention", "FACTGRAPH_HISTORY_RETENTION", 0, "how long to keep superseded revisions and tombstones (e.g. 2160h for 90 days); 0 keeps all")
	durationVar(&c.server.PollInterval, "subscription-poll", "FACTGRAPH_SUBSCRIPTION_POLL", graph.DefaultPollInterval, "how often a live subscription looks for new changes")
	intVar(&c.server.MaxSubscriptions, "max-subscriptions", "FACTGRAPH_MAX_SUBSCRIPTIONS", graph.DefaultMaxSubscriptions, "live subscriptions this process serves at once")
	fs.StringVar(&c.logLevel, "log-level", env("FACTGRAPH_LOG_LEVEL", "info"), "debug, info, warn or error (env FACTGRAPH_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", env("FACTGRAPH_LOG_FORMAT", "text"), "text (logfmt) or json, one object a line (env FACTGRAPH_LOG_FORMAT)")
	fs.StringVar(&c.corsHeaders, "cors-headers", env("FACTGRAPH_CORS_HEADERS", strings.Join(server.DefaultAllowedHeaders, ",")), "comma-separated request headers browsers may send to /graphql from other origins (env FACTGRAPH_CORS_HEADERS)")
	metricsOn, _ := strconv.ParseBool(env("FACTGRAPH_METRICS", "true"))
	fs.BoolVar(&c.metrics, "metrics", metricsOn, "serve Prometheus metrics at /metrics (env FACTGRAPH_METRICS)")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.StringVar(&c.neo4j.URI, "neo4j-uri", env("NEO4J_URI", ""), "Neo4j URI, bolt:// or neo4j://; empty uses the embedded store (env NEO4J_URI)")
	fs.StringVar(&c.neo4j.User, "neo4j-user", env("NEO4J_USER", "neo4j"), "Neo4j user (env NEO4J_USER)")
	durationVar(&c.neo4j.ConnectTimeout, "neo4j-connect-timeout", "NEO4J_CONNECT_TIMEOUT", 10*time.Second, "time Neo4j has to answer at start before factgraph exits with the cause")
	fs.StringVar(&c.neo4j.Database, "neo4j-database", env("NEO4J_DATABASE", ""), "Neo4j database; empty means the user's home database (env NEO4J_DATABASE)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: factgraph [flags]\n\nServes GraphQL at /graphql, a playground at /, /healthz and /readyz.\nThe Neo4j password is read from NEO4J_PASSWORD only, to keep it out of process listings.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if envErr != nil {
		return nil, envErr
	}
	c.server.MaxBodyBytes = int64(maxBody)
	c.neo4j.Password = getenv("NEO4J_PASSWORD")
	return &c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, stderr *os.File) error {
	c, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.version {
		fmt.Fprintln(stdout, version())
		return nil
	}
	tokens, err := writeTokens(c, getenv)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	handler, err := newLogHandler(c.logFormat, stderr, level)
	if err != nil {
		return err
	}
	logger := slog.New(handler)
	slog.SetDefault(logger) // for code with no logger at hand (the Neo4j mapping's warnings)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := openStore(ctx, c, logger)
	if err != nil {
		if ctx.Err() != nil {
			// SIGINT/SIGTERM while connecting: a stop asked for, not a failure.
			logger.Info("stopped before the store was ready", "err", err)
			return nil
		}
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
	// Listen before saying so: a busy port fails here, not after "serving" was logged.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	cfg := c.server
	cfg.AllowedOrigins, cfg.WriteTokens = origins, tokens
	cfg.AllowedHeaders = splitList(c.corsHeaders)
	if c.metrics {
		cfg.Metrics = metrics.New()
	}
	switch {
	case len(tokens) > 0:
		names := make([]string, len(tokens))
		for i, t := range tokens {
			names[i] = t.Name
		}
		logger.Info("writes need a write token", "names", names)
	case loopback(ln.Addr()):
		logger.Info("no write tokens: anyone on this machine may write (the server listens on loopback only)")
	case c.allowAnonymousWrites:
		logger.Warn("no write tokens and -allow-anonymous-writes: anyone who can reach the server may write")
	default:
		cfg.RefuseAnonymousWrites = true
		logger.Warn("no write tokens: refusing every write, since the server listens beyond loopback; set -write-tokens-file (or -allow-anonymous-writes)")
	}
	srv := server.HTTPServer(server.New(store, cfg, logger), cfg)
	errc := make(chan error, 1)
	limited := server.LimitListener(ln, c.maxConns, srv)
	go func() { errc <- srv.Serve(limited) }()
	go server.RetainHistory(ctx, store, c.historyRetention, logger)
	logger.Info("serving", "addr", ln.Addr().String(), "graphql", "/graphql", "playground", "/")

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still running (or clients still sending) when the grace period ends are
		// cut off: a stop asked for is a clean stop, and every acknowledged write is stored.
		logger.Warn("closing connections still open after the shutdown timeout", "timeout", c.shutdownTimeout, "err", err)
		_ = srv.Close()
	}
	return nil
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

// writeTokens gathers the named write tokens from -write-tokens-file, FACTGRAPH_WRITE_TOKENS
// and -write-token (named "default"). Errors name the file and line, never a token.
func writeTokens(c *config, getenv func(string) string) ([]server.WriteToken, error) {
	var all []server.WriteToken
	if c.writeTokensFile != "" {
		f, err := os.Open(c.writeTokensFile)
		if err != nil {
			return nil, fmt.Errorf("-write-tokens-file: %w", err)
		}
		defer f.Close()
		t, err := server.ParseWriteTokens(f, c.writeTokensFile)
		if err != nil {
			return nil, err
		}
		all = append(all, t...)
	}
	if v := getenv("FACTGRAPH_WRITE_TOKENS"); v != "" {
		t, err := server.ParseWriteTokens(strings.NewReader(v), "FACTGRAPH_WRITE_TOKENS")
		if err != nil {
			return nil, err
		}
		all = append(all, t...)
	}
	if c.writeToken != "" {
		all = append(all, server.WriteToken{Name: "default", Token: c.writeToken})
	}
	// Names and tokens must stay unique across the sources too.
	var b strings.Builder
	for _, t := range all {
		fmt.Fprintf(&b, "%s %s\n", t.Name, t.Token)
	}
	if _, err := server.ParseWriteTokens(strings.NewReader(b.String()), "write tokens (file, FACTGRAPH_WRITE_TOKENS and -write-token together)"); err != nil {
		return nil, err
	}
	return all, nil
}

// loopback reports whether a listener accepts connections from this machine only.
func loopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
