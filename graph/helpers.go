package graph

import (
	"context"
	"fmt"
	"sort"

	"github.com/factgraph/factgraph/kg"
)

// wrapOrNil returns a nil interface, not a typed nil, for a missing entity, so gqlgen
// renders null.
func wrapOrNil(e *kg.Entity) Entity {
	if e == nil {
		return nil
	}
	return wrap(e)
}

func nodeOrNil[T any](v *T) Node {
	if v == nil {
		return nil
	}
	return v
}

// loadEntity loads an entity that a relation refers to; the stores refuse dangling
// references, so a missing one is an internal error, not a client's.
func loadEntity(ctx context.Context, id string) (Entity, error) {
	e, err := loadersFrom(ctx).entity.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, fmt.Errorf("relation endpoint %q is missing", id)
	}
	return wrap(e), nil
}

// statsOf turns the store's count maps into lists in the enums' declared order, and the
// per-source counts into a list, most cited first.
func statsOf(ctx context.Context, st *kg.Stats) (*Stats, error) {
	out := &Stats{Entities: st.Entities, Relations: st.Relations, Sources: st.Sources}
	for _, k := range kg.EntityKinds {
		if n := st.ByKind[k]; n > 0 {
			out.ByKind = append(out.ByKind, &KindCount{Kind: k, Count: n})
		}
	}
	for _, t := range kg.RelationTypes {
		if n := st.ByType[t]; n > 0 {
			out.ByRelationType = append(out.ByRelationType, &RelationTypeCount{Type: t, Count: n})
		}
	}
	sort.SliceStable(out.ByRelationType, func(i, j int) bool { return out.ByRelationType[i].Count > out.ByRelationType[j].Count })
	for _, s := range kg.ClaimStatuses {
		if n := st.ByStatus[s]; n > 0 {
			out.ByStatus = append(out.ByStatus, &ClaimStatusCount{Status: s, Count: n})
		}
	}
	ids := make([]string, 0, len(st.BySource))
	for id := range st.BySource {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if a, b := st.BySource[ids[i]], st.BySource[ids[j]]; a != b {
			return a > b
		}
		return ids[i] < ids[j]
	})
	srcs, err := loadersFrom(ctx).sources(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, s := range srcs {
		out.BySource = append(out.BySource, &SourceCount{Source: s, Count: st.BySource[ids[i]]})
	}
	return out, nil
}

// deref reads an optional argument; zero means "the default", which kg fills in.
func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func neighborhoodOf(g *kg.Subgraph) *Neighborhood {
	out := &Neighborhood{Truncated: g.Truncated, Nodes: make([]*GraphNode, len(g.Nodes)), Edges: make([]*GraphEdge, len(g.Relations))}
	for i, n := range g.Nodes {
		out.Nodes[i] = &GraphNode{EntityID: n.Entity.ID, Label: n.Entity.Name, Kind: n.Entity.Kind, Distance: n.Distance, Entity: wrap(n.Entity)}
	}
	for i, r := range g.Relations {
		out.Edges[i] = &GraphEdge{ID: r.ID, Source: r.FromID, Target: r.ToID, Type: r.Type, Status: r.Status, Relation: r}
	}
	return out
}

func pathOf(p kg.Path) *Path {
	out := &Path{Length: len(p.Relations), Relations: p.Relations, Entities: make([]Entity, len(p.Entities))}
	for i, e := range p.Entities {
		out.Entities[i] = wrap(e)
	}
	return out
}

func timelineOf(entries []kg.TimelineEntry, truncated bool) *Timeline {
	out := &Timeline{Truncated: truncated, Entries: make([]*TimelineEntry, len(entries))}
	for i, e := range entries {
		te := &TimelineEntry{Time: e.Time, Relation: e.Relation}
		if e.Event != nil {
			te.Event = &Event{entity{e.Event}}
		}
		out.Entries[i] = te
	}
	return out
}

func violations(ctx context.Context, s kg.Store, agreementID string) ([]*kg.Violation, error) {
	vs, err := kg.Violations(ctx, s, agreementID)
	if err != nil {
		return nil, err
	}
	out := make([]*kg.Violation, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out, nil
}

// missing returns the positions of ids that have no node yet.
func missing(ids []string, found []Node) []int {
	var at []int
	for i := range ids {
		if found[i] == nil {
			at = append(at, i)
		}
	}
	return at
}

// idsAt returns the ids at these positions.
func idsAt(ids []string, at []int) []string {
	out := make([]string, len(at))
	for j, i := range at {
		out[j] = ids[i]
	}
	return out
}
