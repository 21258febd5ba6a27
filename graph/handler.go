package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/factgraph/factgraph/kg"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Options configure the GraphQL handler.
type Options struct {
	Logger *slog.Logger
	// ComplexityLimit caps the cost of one operation; connection fields cost their page size
	// times their children, so deep fan-outs are refused before they run.
	ComplexityLimit int
	// AuthorizeWrite returns why the request may not run mutations (a *kg.Error with its
	// code), or nil; a nil AuthorizeWrite allows everyone.
	AuthorizeWrite func(context.Context) error
	// RequestID returns the id the HTTP layer gave the request, for logs.
	RequestID func(context.Context) string
	// Limits bound each document before it is validated; zero fields take their defaults.
	Limits Limits
	// HeavyConcurrency caps the heavy fields (scans, counts, traversals) running at once
	// across all requests; 0 means DefaultHeavyConcurrency(), negative means no cap.
	HeavyConcurrency int
	// Extensions are added ahead of the handler's own operation interceptors, so that they
	// see every answer (metrics).
	Extensions []graphql.HandlerExtension
	// WebsocketOrigins are the host patterns (coder/websocket's OriginPatterns, e.g.
	// "app.example.com", "*.example.com") whose pages may open a subscription websocket;
	// AnyOrigin lets every page. Without either, only same-host pages may.
	WebsocketOrigins []string
	AnyOrigin        bool
	// PollInterval is how often a live subscription looks for new changes (default 250ms);
	// MaxSubscriptions caps the live subscriptions of this process (default 256).
	PollInterval     time.Duration
	MaxSubscriptions int

	// batchWait overrides how long the dataloaders wait for more keys (batchWait); the
	// look-ahead test sets it to zero so that anything left to the loaders shows up as
	// one store call per item.
	batchWait *time.Duration
}

// DefaultHeavyConcurrency leaves one core to cheap reads: the cores less one, at least one.
func DefaultHeavyConcurrency() int { return max(1, runtime.GOMAXPROCS(0)-1) }

// NewHandler returns the /graphql endpoint over store: POST and GET transports, persisted
// queries (APQ), a complexity limit, per-request dataloaders, and errors mapped to codes.
func NewHandler(store kg.Store, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.RequestID == nil {
		opts.RequestID = func(context.Context) string { return "" }
	}
	wait := batchWait
	if opts.batchWait != nil {
		wait = *opts.batchWait
	}
	cfg := Config{Resolvers: &Resolver{Store: store, Logger: opts.Logger,
		feed: newFeed(store, opts.PollInterval, opts.MaxSubscriptions, opts.Logger)}}
	setComplexity(&cfg.Complexity)
	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	// Subscriptions: graphql-transport-ws (and the older graphql-ws) on the same path. The
	// origin check is the websocket's CORS: a browser sends any page's cookies with the
	// upgrade, so only allowed origins may open one.
	srv.AddTransport(transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{
			OriginPatterns: opts.WebsocketOrigins, InsecureSkipVerify: opts.AnyOrigin,
		}},
		KeepAlivePingInterval: 15 * time.Second,
	})
	limits := opts.Limits.withDefaults()
	queries := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(max(limits.MaxTokens, 0))
	srv.Use(extension.Introspection{})
	// Before APQ, so that APQ never persists a refused document; a query APQ fills in from a
	// hash passed these limits when it was persisted. Both caches hold at most 1000 documents
	// of at most MaxQueryBytes each.
	srv.Use(documentLimits{limits: limits, cache: queries})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	if opts.ComplexityLimit > 0 {
		srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	}
	for _, e := range opts.Extensions {
		srv.Use(e)
	}
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		opCtx := graphql.GetOperationContext(ctx)
		op := opCtx.Operation
		if ctx.Err() != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{timeoutError()}})
		}
		if op != nil && op.Operation == ast.Mutation && opts.AuthorizeWrite != nil {
			if err := opts.AuthorizeWrite(ctx); err != nil {
				return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presentError(ctx, err, opts)}})
			}
		}
		if err := checkWriteItems(op, opCtx.Variables, limits.MaxWriteItems); err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
		}
		respond := next(ctx)
		if op != nil && op.Operation == ast.Subscription {
			// A subscription's stream ends with nil when its client leaves; anything else
			// would keep the websocket transport sending.
			return respond
		}
		return func(ctx context.Context) *graphql.Response {
			// gqlgen ends the stream with nil when the context is done; over HTTP that would
			// be a bare `null` body. Say what happened instead.
			if resp := respond(ctx); resp != nil || ctx.Err() == nil {
				return resp
			}
			return &graphql.Response{Errors: gqlerror.List{timeoutError()}}
		}
	})
	// A write's bookmark also goes into the response's extensions, for clients that read the
	// body rather than headers (the HTTP layer sets the Factgraph-Bookmark header).
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if tok := kg.EncodeBookmarks(kg.ConsistencyFrom(ctx).Written()); resp != nil && tok != "" {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["bookmark"] = tok
		}
		return resp
	})
	srv.AroundFields(emptyStringAsNull) // also marks resolver errors, see resolverError
	heavy := opts.HeavyConcurrency
	if heavy == 0 {
		heavy = DefaultHeavyConcurrency()
	}
	if budget := newHeavyBudget(heavy); budget != nil {
		srv.AroundFields(budget.around)
	}
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return presentError(ctx, err, opts)
	})
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		opts.Logger.ErrorContext(ctx, "panic in resolver", "request_id", opts.RequestID(ctx), "panic", p)
		return resolverError{fmt.Errorf("panic: %v", p)}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r.WithContext(withLoaders(r.Context(), newLoaders(store, wait))))
	})
}

// presentError gives domain errors their code and a message safe to show, lists each field
// of an invalid input, and hides everything else behind "internal error" (logged in full).
func presentError(ctx context.Context, err error, opts Options) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var fe *kg.FieldErrors
	var de *kg.Error
	var already *gqlerror.Error
	switch {
	case errors.As(err, &fe):
		fields := make([]map[string]string, len(fe.List))
		for i, f := range fe.List {
			fields[i] = map[string]string{"field": f.Field, "message": f.Message}
		}
		gqlErr.Message = fe.Error()
		gqlErr.Extensions = map[string]any{"code": string(kg.CodeInvalidInput), "fields": fields}
	case errors.As(err, &de):
		if de.Err != nil {
			opts.Logger.WarnContext(ctx, "store error", "request_id", opts.RequestID(ctx), "code", de.Code, "err", de.Err)
		}
		gqlErr.Message = de.Message
		gqlErr.Extensions = map[string]any{"code": string(de.Code)}
	case errors.Is(err, context.DeadlineExceeded):
		gqlErr.Message = "the request took too long and was stopped"
		gqlErr.Extensions = map[string]any{"code": CodeTimeout}
	case errors.Is(err, context.Canceled):
		// The client went away (or the server is stopping); nobody reads this, nothing failed.
		gqlErr.Message = "the request was cancelled"
		gqlErr.Extensions = map[string]any{"code": "CANCELLED"}
	case errors.As(err, &already) && already.Extensions["code"] != nil:
		// gqlgen's own parse and validation errors already carry a code.
	case !errors.As(err, new(resolverError)):
		// Not from a resolver and not already coded: gqlgen failed to coerce an argument
		// (a malformed DateTime, say). The message names the argument's path.
		gqlErr.Extensions = map[string]any{"code": string(kg.CodeInvalidInput)}
	default:
		id := opts.RequestID(ctx)
		opts.Logger.ErrorContext(ctx, "internal error", "request_id", id, "path", gqlErr.Path, "err", err)
		gqlErr.Message = "internal error (request id " + id + ")"
		gqlErr.Extensions = map[string]any{"code": "INTERNAL_SERVER_ERROR", "requestId": id}
	}
	return gqlErr
}

// ScanCost is the complexity of a pass over every entity or every relation in the store, the
// work behind counts, searches, rankings and filtered listings. At the default limit of 50000
// an operation may hold about 25 such passes; the heavy-field budget (budget.go) keeps them
// from running at once.
const ScanCost = 1000

// setComplexity makes each connection cost its page size times the cost of one item, which
// is what the default (one point per field) misses, and each field that scans the store cost
// ScanCost per scan.
func setComplexity(c *ComplexityRoot) {
	size := func(first *int) int {
		if n, err := kg.PageSize(first); err == nil && n > 0 {
			return n
		}
		return 1
	}
	// A filtered listing may scan every row to count the matches (totalCount); an unfiltered
	// one reads one page from an index.
	c.Query.Entities = func(child int, f *kg.EntityFilter, _ *kg.EntityOrder, first *int, _ *string) int {
		if f != nil {
			return ScanCost + child*size(first)
		}
		return 1 + child*size(first)
	}
	c.Query.Relations = func(child int, f *kg.RelationFilter, _ *kg.RelationOrder, first *int, _ *string) int {
		if f != nil {
			return ScanCost + child*size(first)
		}
		return 1 + child*size(first)
	}
	c.Query.Sources = func(child int, first *int, _ *string) int { return 1 + child*size(first) }
	// Nodes by id cost what a page of that many does; a list over the bound is refused by the
	// resolver with an error naming ids, so its price is capped at the bound.
	c.Query.Nodes = func(child int, ids []string) int { return 1 + child*max(1, min(len(ids), kg.MaxNodeIDs)) }
	// Search scores every entity (embedded) or queries the full-text index and reads every hit.
	c.Query.Search = func(child int, _ string, _ []kg.EntityKind, first *int) int { return ScanCost + child*size(first) }
	// Stats counts every entity and every relation: two scans.
	c.Query.Stats = func(child int, _ *kg.EntityFilter, _ *kg.RelationFilter) int { return 2*ScanCost + child }
	c.Query.Violations = func(child int, _ string) int { return 100 + child*10 }
	orDefault := func(p *int, def int) int {
		if p == nil || *p <= 0 {
			return def
		}
		return *p
	}
	c.Query.Neighborhood = func(child int, _ string, _ *int, _ []kg.RelationType, _ []kg.ClaimStatus, limit *int) int {
		return 1 + child*orDefault(limit, kg.DefaultNeighborhood)
	}
	// A path search grows from both ends and may reach most of the graph before they meet.
	c.Query.AllShortestPaths = func(child int, _, _ string, maxDepth *int, _ []kg.RelationType, limit *int) int {
		return ScanCost + child*orDefault(limit, kg.DefaultPathLimit)*orDefault(maxDepth, kg.DefaultPathDepth)
	}
	c.Query.ShortestPath = func(child int, _, _ string, maxDepth *int, _ []kg.RelationType) int {
		return ScanCost + child*orDefault(maxDepth, kg.DefaultPathDepth)
	}
	c.Query.Timeline = func(child int, _, _ *time.Time, _ []string, _ []kg.RelationType, _ []kg.ClaimStatus, limit *int) int {
		return 1 + child*orDefault(limit, kg.DefaultTimelineLimit)
	}
	// Ranking by degree looks at every entity with a relation.
	c.Query.MostConnected = func(child int, _ []kg.EntityKind, _ []kg.RelationType, _ *kg.Direction, first *int) int {
		return ScanCost + child*orDefault(first, kg.DefaultDegreeLimit)
	}
	rel := func(child int, _ []kg.RelationType, _ *kg.Direction, first *int, _ *string) int {
		return 1 + child*size(first)
	}
	c.Person.Relations, c.Country.Relations, c.Organization.Relations = rel, rel, rel
	c.Agreement.Relations, c.Infrastructure.Relations, c.Location.Relations = rel, rel, rel
	c.Event.Relations = rel
	// History is one store call per object, unbatched: priced like violations, plus its page.
	hist := func(child int, first *int, _ *string) int { return 10 + child*size(first) }
	c.Person.History, c.Country.History, c.Organization.History = hist, hist, hist
	c.Agreement.History, c.Infrastructure.History, c.Location.History = hist, hist, hist
	c.Event.History, c.Relation.History, c.Source.History = hist, hist, hist
	c.Query.History = func(child int, _ kg.ObjectType, _ string, first *int, after *string) int {
		return hist(child, first, after)
	}
	c.Query.Changes = func(child int, _ *int, first *int, _ *kg.ChangeFilter) int {
		return 1 + child*orDefault(first, 100)
	}
	// Each agreement's violations take several store round trips, unbatched: price them so a
	// long list of agreements asking for violations is refused.
	c.Agreement.Violations = func(child int) int { return 100 + child*10 }
}

// emptyStringAsNull renders an empty value of a nullable String field as null. The domain keeps
// absent text as "" (simpler for the stores to agree on); clients expect null for "not known".
func emptyStringAsNull(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, resolverError{err}
	}
	if s, ok := res.(string); ok && s == "" && err == nil {
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Definition != nil {
			if t := fc.Field.Definition.Type; !t.NonNull && t.NamedType == "String" {
				return nil, nil
			}
		}
	}
	return res, err
}

// resolverError marks an error as returned by a resolver, so the presenter can tell it from
// gqlgen's own argument-coercion errors: an unmarked, uncoded error is the client's input.
type resolverError struct{ err error }

func (e resolverError) Error() string { return e.err.Error() }
func (e resolverError) Unwrap() error { return e.err }
