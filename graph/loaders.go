package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/vikstrous/dataloadgen"
)

// loaders batch the store lookups of one request: every entity, source and relation asked for
// while resolving a response is fetched in one store call per kind (and per neighbour query
// shape), not one per item, which is what keeps nested queries from doing N+1 round trips.
// They live for one request only, so a cached value is never older than the request.
type loaders struct {
	store    kg.Store
	entity   *dataloadgen.Loader[string, *kg.Entity]
	source   *dataloadgen.Loader[string, *kg.Source]
	relation *dataloadgen.Loader[string, *kg.Relation]
	// disputedBy maps a relation id to the relations that dispute it.
	disputedBy *dataloadgen.Loader[string, []*kg.Relation]
	mu         sync.Mutex
	neighbor   map[string]*dataloadgen.Loader[string, *kg.RelationPage]
	batchWait  time.Duration
}

// batchWait is how long a loader waits for more keys before it fetches: long enough for
// gqlgen's concurrent field resolvers to join the batch, short next to a database round trip.
// The shapes the look-ahead (prefetch.go) covers never reach a loader's fetch, so never wait.
const batchWait = 2 * time.Millisecond

func newLoaders(s kg.Store, wait time.Duration) *loaders {
	l := &loaders{store: s, neighbor: map[string]*dataloadgen.Loader[string, *kg.RelationPage]{}, batchWait: wait}
	l.entity = dataloadgen.NewLoader(byIDs(s.EntitiesByIDs), dataloadgen.WithWait(wait))
	l.source = dataloadgen.NewLoader(byIDs(s.SourcesByIDs), dataloadgen.WithWait(wait))
	l.relation = dataloadgen.NewLoader(byIDs(s.RelationsByIDs), dataloadgen.WithWait(wait))
	l.disputedBy = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string][]*kg.Relation, error) {
		return disputedBy(ctx, s, ids)
	}, dataloadgen.WithWait(wait))
	return l
}

// byIDs adapts a Store batch getter to a loader fetch. A missing id loads as nil, not an
// error: the caller decides whether absence is an error.
func byIDs[T any](get func(context.Context, []string) ([]*T, error)) func(context.Context, []string) ([]*T, []error) {
	return func(ctx context.Context, ids []string) ([]*T, []error) {
		vs, err := get(ctx, ids)
		if err != nil {
			errs := make([]error, len(ids))
			for i := range errs {
				errs[i] = err
			}
			return make([]*T, len(ids)), errs
		}
		return vs, nil
	}
}

type loadersKey struct{}

func withLoaders(ctx context.Context, l *loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func loadersFrom(ctx context.Context) *loaders {
	l, ok := ctx.Value(loadersKey{}).(*loaders)
	if !ok {
		// The handler installs loaders on every request; reaching this is a wiring bug.
		panic("graph: no loaders in context")
	}
	return l
}

// reset drops every cached value; mutations call it so that fields resolved after a write
// see the write.
func (l *loaders) reset() {
	l.entity.ClearAll()
	l.source.ClearAll()
	l.relation.ClearAll()
	l.disputedBy.ClearAll()
	l.mu.Lock()
	clear(l.neighbor)
	l.mu.Unlock()
}

func (l *loaders) entities(ctx context.Context, ids []string) ([]Entity, error) {
	es, err := l.entity.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Entity, 0, len(es))
	for i, e := range es {
		if e == nil {
			return nil, fmt.Errorf("entity %q is referenced but missing", ids[i])
		}
		out = append(out, wrap(e))
	}
	return out, nil
}

func (l *loaders) sources(ctx context.Context, ids []string) ([]*kg.Source, error) {
	ss, err := l.source.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, s := range ss {
		if s == nil {
			return nil, fmt.Errorf("source %q is referenced but missing", ids[i])
		}
	}
	return ss, nil
}

// neighborQuery is the store query behind Entity.relations and Entity.degree with these
// arguments, minus the entity ids: the resolvers and the look-ahead (prefetch.go) build it
// the same way, so that they meet in the same loader.
func neighborQuery(types []kg.RelationType, direction *kg.Direction, first *int, after *string, skipTotal bool) (kg.NeighborQuery, error) {
	n, err := kg.PageSize(first)
	if err != nil {
		return kg.NeighborQuery{}, err
	}
	q := kg.NeighborQuery{Direction: kg.DirectionBoth, Types: types, First: n, SkipTotal: skipTotal}
	if direction != nil {
		q.Direction = *direction
	}
	if after != nil {
		q.After = *after
	}
	return q, nil
}

// neighborLoader returns the loader of one neighbour query shape (direction, types, page,
// whether to count), creating it on first use.
func (l *loaders) neighborLoader(q kg.NeighborQuery) *dataloadgen.Loader[string, *kg.RelationPage] {
	key := neighborKey(q)
	l.mu.Lock()
	defer l.mu.Unlock()
	ld, ok := l.neighbor[key]
	if !ok {
		shape := q
		shape.EntityIDs = nil
		ld = dataloadgen.NewMappedLoader(func(ctx context.Context, ids []string) (map[string]*kg.RelationPage, error) {
			shape := shape
			shape.EntityIDs = ids
			return l.store.Neighbors(ctx, shape)
		}, dataloadgen.WithWait(l.batchWait))
		l.neighbor[key] = ld
	}
	return ld
}

// neighborKey names a neighbour query's shape: everything but the entity ids.
func neighborKey(q kg.NeighborQuery) string {
	types := slices.Clone(q.Types)
	slices.Sort(types)
	var key strings.Builder
	fmt.Fprintf(&key, "%s|%d|%s|%t|", q.Direction, q.First, q.After, q.SkipTotal)
	for _, t := range types {
		key.WriteString(string(t) + ",")
	}
	return key.String()
}

// neighbors loads one entity's page of relations. Requests with the same shape share a
// loader, so `entities { relations(first: 5) }` is one store call.
func (l *loaders) neighbors(ctx context.Context, q kg.NeighborQuery, id string) (*kg.RelationPage, error) {
	return l.neighborLoader(q).Load(ctx, id)
}

// disputedBy finds the relations disputing each of ids in one query (paged through), and
// groups them by the relation they dispute. Every id gets an entry, empty if undisputed.
func disputedBy(ctx context.Context, s kg.Store, ids []string) (map[string][]*kg.Relation, error) {
	out := make(map[string][]*kg.Relation, len(ids))
	for _, id := range ids {
		out[id] = nil
	}
	q := kg.RelationQuery{Filter: &kg.RelationFilter{DisputesIDs: ids}, OrderBy: kg.RelationOrder{Field: kg.RelationOrderID, Direction: kg.Asc}, First: kg.MaxPageSize}
	for {
		page, err := s.Relations(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Items {
			for _, d := range r.DisputesIDs {
				if rs, asked := out[d]; asked {
					out[d] = append(rs, r)
				}
			}
		}
		if !page.HasNextPage || len(page.Items) == 0 {
			return out, nil
		}
		q.After = q.OrderBy.Cursor(page.Items[len(page.Items)-1])
	}
}
