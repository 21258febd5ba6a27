package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/factgraph/factgraph/kg"
	"golang.org/x/sync/semaphore"
)

// heavyFields are the fields whose work grows with the store rather than with their page:
// counts and aggregations over every entity and relation, scoring every entity for a search,
// degree rankings, traversals, and filtered listings that may scan every row to count them.
// Keyed by "Object.field".
var heavyFields = map[string]bool{
	"Query.stats":            true,
	"Query.search":           true,
	"Query.mostConnected":    true,
	"Query.neighborhood":     true,
	"Query.shortestPath":     true,
	"Query.allShortestPaths": true,
	"Query.timeline":         true,
	"Query.violations":       true,
	"Agreement.violations":   true,
}

// filteredListings scan when they have a filter (counting every match for totalCount);
// without one they read a page from an index.
var filteredListings = map[string]bool{"Query.entities": true, "Query.relations": true}

// heavyBudget bounds how many heavy fields run at once across all requests. gqlgen resolves
// the root fields of a query concurrently, so one request of twenty aliased stats would
// otherwise be twenty full scans at once; and one client looping such requests would take
// every core from everyone else's cheap reads. Capped at fewer than the cores, heavy work
// always leaves a core to the cheap reads, which queue behind nothing. Heavy fields wait in
// FIFO order for a slot, at most until their request's deadline (then TIMEOUT).
type heavyBudget struct{ sem *semaphore.Weighted }

func newHeavyBudget(n int) *heavyBudget {
	if n <= 0 {
		return nil
	}
	return &heavyBudget{sem: semaphore.NewWeighted(int64(n))}
}

func isHeavy(fc *graphql.FieldContext) bool {
	if fc == nil || !fc.IsResolver || fc.Field.Field == nil {
		return false
	}
	key := fc.Object + "." + fc.Field.Name
	if heavyFields[key] {
		return true
	}
	if !filteredListings[key] {
		return false
	}
	switch f := fc.Args["filter"].(type) {
	case *kg.EntityFilter:
		return f != nil
	case *kg.RelationFilter:
		return f != nil
	}
	return false
}

// around is the field middleware: heavy fields take a slot for as long as they resolve.
func (b *heavyBudget) around(ctx context.Context, next graphql.Resolver) (any, error) {
	if b == nil || !isHeavy(graphql.GetFieldContext(ctx)) {
		return next(ctx)
	}
	if err := b.sem.Acquire(ctx, 1); err != nil {
		return nil, ctx.Err()
	}
	defer b.sem.Release(1)
	return next(ctx)
}
