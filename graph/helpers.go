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

// values copies pointed-to inputs into the value slice the store takes.
func values[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// statsOf turns the store's count maps into lists in the enums' declared order.
func statsOf(st *kg.Stats) *Stats {
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
	for _, s := range kg.ClaimStatuses {
		if n := st.ByStatus[s]; n > 0 {
			out.ByStatus = append(out.ByStatus, &ClaimStatusCount{Status: s, Count: n})
		}
	}
	sort.SliceStable(out.ByRelationType, func(i, j int) bool { return out.ByRelationType[i].Count > out.ByRelationType[j].Count })
	return out
}
