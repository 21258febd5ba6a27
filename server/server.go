// Package server is factgraph's HTTP front: CORS, request ids, body and time limits, the
// write token, the GraphQL endpoint, the playground, and health checks.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"github.com/99designs/gqlgen/graphql"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/factgraph/factgraph/graph"
	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/observed"
	"github.com/factgraph/factgraph/metrics"
	"github.com/rs/cors"
)

// Config is the HTTP server's configuration.
type Config struct {
	// AllowedOrigins are the browser origins allowed to call /graphql. "*" allows any origin
	// but then never with credentials: the CORS spec forbids the pair, and a server that
	// echoes any origin with credentials lets every site act as its users.
	AllowedOrigins []string
	// WriteTokens are the bearer tokens that may run mutations, each with the name its writes
	// are recorded under. With none, anyone may write unless RefuseAnonymousWrites.
	WriteTokens []WriteToken
	// RefuseAnonymousWrites refuses every mutation when there are no WriteTokens: main sets
	// it for a server listening beyond loopback, so that an open write API is a choice.
	RefuseAnonymousWrites bool
	// MaxBodyBytes caps a request body; a seed batch of 1000 items fits well within the default.
	MaxBodyBytes int64
	// RequestTimeout bounds each request, database work included.
	RequestTimeout time.Duration
	// ComplexityLimit caps the cost of a GraphQL operation.
	ComplexityLimit int
	// Limits bound the shape of each GraphQL document before it is validated.
	Limits graph.Limits
	// HeavyConcurrency caps heavy fields (scans, counts, traversals) running at once across
	// all requests; 0 means the cores less one, negative no cap.
	HeavyConcurrency int
	// ReadHeaderTimeout bounds how long a client may take to send its request headers.
	ReadHeaderTimeout time.Duration
	// MaxHeaderBytes caps the request headers; Go answers 431 above it.
	MaxHeaderBytes int
	// AllowedHeaders are the request headers browsers may send to /graphql from another
	// origin; empty means DefaultAllowedHeaders (see cors.go).
	AllowedHeaders []string
	// Metrics, when set, are served at /metrics and fed by the GraphQL endpoint and the store.
	Metrics *metrics.Metrics
	// PollInterval and MaxSubscriptions tune live subscriptions (see graph.Options).
	PollInterval     time.Duration
	MaxSubscriptions int
}

// Defaults for a zero Config field.
const (
	DefaultMaxBodyBytes    = 4 << 20
	DefaultRequestTimeout  = 30 * time.Second
	DefaultComplexityLimit = 50000
)

func (cfg Config) withDefaults() Config {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.ComplexityLimit <= 0 {
		cfg.ComplexityLimit = DefaultComplexityLimit
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	return cfg
}

// New returns the server's handler.
func New(store kg.Store, cfg Config, logger *slog.Logger) http.Handler {
	cfg = cfg.withDefaults()
	var extensions []graphql.HandlerExtension
	route := func(_ string, h http.Handler) http.Handler { return h }
	if cfg.Metrics != nil {
		store = observed.Wrap(store, cfg.Metrics.ObserveStore)
		extensions = append(extensions, cfg.Metrics.GraphQL())
		route = cfg.Metrics.HTTP
	}
	gql := graph.NewHandler(store, graph.Options{
		Logger:           logger,
		ComplexityLimit:  cfg.ComplexityLimit,
		AuthorizeWrite:   authorizeWrite,
		RequestID:        RequestID,
		Limits:           cfg.Limits,
		HeavyConcurrency: cfg.HeavyConcurrency,
		Extensions:       extensions,
		// The websocket follows the CORS origins.
		WebsocketOrigins: originHosts(cfg.AllowedOrigins),
		AnyOrigin:        slices.Contains(cfg.AllowedOrigins, "*"),
		PollInterval:     cfg.PollInterval,
		MaxSubscriptions: cfg.MaxSubscriptions,
	})

	mux := http.NewServeMux()
	mux.Handle("/graphql", route("/graphql", corsFor(cfg.AllowedOrigins, cfg.AllowedHeaders).Handler(limits(cfg, authenticate(cfg.WriteTokens, cfg.RefuseAnonymousWrites, graphQLOverHTTP(bookmarks(gql)))))))
	uiRoutes(mux)
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			logger.WarnContext(ctx, "not ready", "err", err)
			writeText(w, http.StatusServiceUnavailable, "store unavailable")
			return
		}
		writeText(w, http.StatusOK, "ready")
	})
	return withRequestID(logRequests(logger, mux))
}

func writeText(w http.ResponseWriter, code int, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(s + "\n"))
}

func corsFor(origins, headers []string) *cors.Cors {
	if len(headers) == 0 {
		headers = DefaultAllowedHeaders
	}
	return cors.New(cors.Options{
		AllowedOrigins:   origins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   headers,
		ExposedHeaders:   []string{"X-Request-Id", BookmarkHeader},
		AllowCredentials: len(origins) > 0 && !slices.Contains(origins, "*"),
		MaxAge:           600,
	})
}

// originHosts turns CORS origins ("https://app.example:8443") into the host patterns the
// websocket's origin check matches ("app.example:8443").
func originHosts(origins []string) []string {
	var out []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
}

// isWebsocket reports a websocket upgrade: a subscription lives as long as the client keeps
// it, so the request time limit does not apply (keep-alive pings and the subscription limit
// bound it instead).
func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// BookmarkHeader carries read-your-writes bookmarks: a write's response sets it (and the
// GraphQL extension "bookmark"); a client that sends it back on a later request, to any
// process of the deployment, reads at least that write.
const BookmarkHeader = "Factgraph-Bookmark"

// bookmarks reads the client's bookmark into the request's kg.Consistency and puts the
// bookmark of the request's writes into the response header, which is written after the
// operation ran. A malformed bookmark is refused before any work.
func bookmarks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, err := kg.DecodeBookmarks(BookmarkHeader, r.Header.Get(BookmarkHeader))
		if err != nil {
			writeText(w, http.StatusBadRequest, err.Error())
			return
		}
		ctx, c := kg.WithConsistency(r.Context(), after)
		next.ServeHTTP(&bookmarkWriter{ResponseWriter: w, c: c}, r.WithContext(ctx))
	})
}

// bookmarkWriter sets the bookmark header just before the response starts.
type bookmarkWriter struct {
	http.ResponseWriter
	c    *kg.Consistency
	done bool
}

func (b *bookmarkWriter) header() {
	if !b.done {
		b.done = true
		if tok := kg.EncodeBookmarks(b.c.Written()); tok != "" {
			b.ResponseWriter.Header().Set(BookmarkHeader, tok)
		}
	}
}

func (b *bookmarkWriter) WriteHeader(code int) { b.header(); b.ResponseWriter.WriteHeader(code) }
func (b *bookmarkWriter) Write(p []byte) (int, error) {
	b.header()
	return b.ResponseWriter.Write(p)
}

// Unwrap lets the websocket upgrade and http.ResponseController reach the writer beneath.
func (b *bookmarkWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

type requestIDKey struct{}

// RequestID returns the request's id: the client's X-Request-Id if it sent a sane one,
// otherwise a random one. It is echoed in the response header and in every log line.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController (read deadlines, flushes) and the websocket upgrade
// (http.Hijacker) reach the connection.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration", time.Since(start), "request_id", RequestID(r.Context()))
	})
}
