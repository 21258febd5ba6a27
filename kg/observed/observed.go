// Package observed wraps a kg.Store so that every call is reported, with its duration and
// error, to an observer (the server's metrics). It holds no state of its own and changes no
// result: the wrapped store's answers pass through untouched.
package observed

import (
	"context"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// Observer receives one store call: the Store method's name, how long it took, and its error.
type Observer func(ctx context.Context, method string, d time.Duration, err error)

// Wrap returns s with every call reported to observe. It does not embed kg.Store on purpose:
// a method added to the interface must be added here too, or the build fails, so no call
// goes unmeasured.
func Wrap(s kg.Store, observe Observer) kg.Store { return &store{s: s, observe: observe} }

type store struct {
	s       kg.Store
	observe Observer
}

func (o *store) done(ctx context.Context, method string, start time.Time, err error) {
	o.observe(ctx, method, time.Since(start), err)
}

func (o *store) EntitiesByIDs(ctx context.Context, ids []string) (r0 []*kg.Entity, err error) {
	defer func(start time.Time) { o.done(ctx, "EntitiesByIDs", start, err) }(time.Now())
	return o.s.EntitiesByIDs(ctx, ids)
}

func (o *store) RelationsByIDs(ctx context.Context, ids []string) (r0 []*kg.Relation, err error) {
	defer func(start time.Time) { o.done(ctx, "RelationsByIDs", start, err) }(time.Now())
	return o.s.RelationsByIDs(ctx, ids)
}

func (o *store) SourcesByIDs(ctx context.Context, ids []string) (r0 []*kg.Source, err error) {
	defer func(start time.Time) { o.done(ctx, "SourcesByIDs", start, err) }(time.Now())
	return o.s.SourcesByIDs(ctx, ids)
}

func (o *store) Entities(ctx context.Context, q kg.EntityQuery) (r0 *kg.EntityPage, err error) {
	defer func(start time.Time) { o.done(ctx, "Entities", start, err) }(time.Now())
	return o.s.Entities(ctx, q)
}

func (o *store) Relations(ctx context.Context, q kg.RelationQuery) (r0 *kg.RelationPage, err error) {
	defer func(start time.Time) { o.done(ctx, "Relations", start, err) }(time.Now())
	return o.s.Relations(ctx, q)
}

func (o *store) Sources(ctx context.Context, q kg.SourceQuery) (r0 *kg.SourcePage, err error) {
	defer func(start time.Time) { o.done(ctx, "Sources", start, err) }(time.Now())
	return o.s.Sources(ctx, q)
}

func (o *store) Neighbors(ctx context.Context, q kg.NeighborQuery) (r0 map[string]*kg.RelationPage, err error) {
	defer func(start time.Time) { o.done(ctx, "Neighbors", start, err) }(time.Now())
	return o.s.Neighbors(ctx, q)
}

func (o *store) Search(ctx context.Context, q kg.SearchQuery) (r0 []kg.SearchHit, err error) {
	defer func(start time.Time) { o.done(ctx, "Search", start, err) }(time.Now())
	return o.s.Search(ctx, q)
}

func (o *store) Stats(ctx context.Context, q kg.StatsQuery) (r0 *kg.Stats, err error) {
	defer func(start time.Time) { o.done(ctx, "Stats", start, err) }(time.Now())
	return o.s.Stats(ctx, q)
}

func (o *store) Neighborhood(ctx context.Context, q kg.NeighborhoodQuery) (r0 *kg.Subgraph, err error) {
	defer func(start time.Time) { o.done(ctx, "Neighborhood", start, err) }(time.Now())
	return o.s.Neighborhood(ctx, q)
}

func (o *store) ShortestPaths(ctx context.Context, q kg.PathQuery) (r0 []kg.Path, err error) {
	defer func(start time.Time) { o.done(ctx, "ShortestPaths", start, err) }(time.Now())
	return o.s.ShortestPaths(ctx, q)
}

func (o *store) Degrees(ctx context.Context, q kg.DegreeQuery) (r0 []kg.EntityDegree, err error) {
	defer func(start time.Time) { o.done(ctx, "Degrees", start, err) }(time.Now())
	return o.s.Degrees(ctx, q)
}

func (o *store) UpsertEntities(ctx context.Context, in []kg.EntityInput) (r0 []*kg.Entity, r1 kg.WriteCounts, err error) {
	defer func(start time.Time) { o.done(ctx, "UpsertEntities", start, err) }(time.Now())
	return o.s.UpsertEntities(ctx, in)
}

func (o *store) UpsertSources(ctx context.Context, in []kg.SourceInput) (r0 []*kg.Source, r1 kg.WriteCounts, err error) {
	defer func(start time.Time) { o.done(ctx, "UpsertSources", start, err) }(time.Now())
	return o.s.UpsertSources(ctx, in)
}

func (o *store) UpsertRelations(ctx context.Context, in []kg.RelationInput) (r0 []*kg.Relation, r1 kg.WriteCounts, err error) {
	defer func(start time.Time) { o.done(ctx, "UpsertRelations", start, err) }(time.Now())
	return o.s.UpsertRelations(ctx, in)
}

func (o *store) DeleteEntity(ctx context.Context, id string, detach bool) (r0 int, err error) {
	defer func(start time.Time) { o.done(ctx, "DeleteEntity", start, err) }(time.Now())
	return o.s.DeleteEntity(ctx, id, detach)
}

func (o *store) DeleteRelation(ctx context.Context, id string) (err error) {
	defer func(start time.Time) { o.done(ctx, "DeleteRelation", start, err) }(time.Now())
	return o.s.DeleteRelation(ctx, id)
}

func (o *store) Ping(ctx context.Context) (err error) {
	defer func(start time.Time) { o.done(ctx, "Ping", start, err) }(time.Now())
	return o.s.Ping(ctx)
}

func (o *store) Close(ctx context.Context) (err error) {
	defer func(start time.Time) { o.done(ctx, "Close", start, err) }(time.Now())
	return o.s.Close(ctx)
}

func (o *store) History(ctx context.Context, q kg.HistoryQuery) (r0 *kg.RevisionPage, err error) {
	defer func(start time.Time) { o.done(ctx, "History", start, err) }(time.Now())
	return o.s.History(ctx, q)
}

func (o *store) AsOf(ctx context.Context, object kg.ObjectType, id string, at time.Time) (r0 *kg.Revision, err error) {
	defer func(start time.Time) { o.done(ctx, "AsOf", start, err) }(time.Now())
	return o.s.AsOf(ctx, object, id, at)
}

func (o *store) Changes(ctx context.Context, q kg.ChangesQuery) (r0 *kg.RevisionPage, err error) {
	defer func(start time.Time) { o.done(ctx, "Changes", start, err) }(time.Now())
	return o.s.Changes(ctx, q)
}

func (o *store) PruneHistory(ctx context.Context, before time.Time) (r0 int, err error) {
	defer func(start time.Time) { o.done(ctx, "PruneHistory", start, err) }(time.Now())
	return o.s.PruneHistory(ctx, before)
}
