package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// The benchmark graph: Generate's, large enough that an unindexed path shows (a name filter
// that scans, a count that materialises rows) and small enough to load into Neo4j in seconds.
const (
	benchSeed      = 7
	benchEntities  = 2000
	benchRelations = 6000
	benchHubs      = 4
)

// Bench runs the read hot paths of the API against a store that open returns empty, loaded
// with the benchmark graph: what one GraphQL request costs the store, path by path. Run it
// with -benchmem; the allocations are as telling as the time.
func Bench(b *testing.B, open func(b *testing.B) kg.Store) {
	s := open(b)
	src, ents, rels := Generate(benchSeed, benchEntities, benchRelations, benchHubs)
	start := time.Now()
	if err := WriteAll(b.Context(), s, src, ents, rels); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d entities and %d relations in %v", len(ents), len(rels), time.Since(start).Round(time.Millisecond))
	ids := make([]string, len(ents))
	for i, e := range ents {
		ids[i] = e.ID
	}
	hubs := make([]string, benchHubs)
	for k := range hubs {
		hubs[k] = ents[(2*k+1)*benchEntities/(2*benchHubs)].ID
	}
	ctx := b.Context()
	check := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}

	b.Run("EntityByID", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			es, err := s.EntitiesByIDs(ctx, []string{ids[i%len(ids)]})
			check(err)
			if es[0] == nil {
				b.Fatal("missing entity")
			}
		}
	})
	b.Run("EntitiesByIDs50", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			at := (i * 50) % (len(ids) - 50)
			_, err := s.EntitiesByIDs(ctx, ids[at:at+50])
			check(err)
		}
	})
	// A hub's first page of relations, as Entity.relations(first: 20) asks without totalCount.
	b.Run("NeighborsHubPage20", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{hubs[i%len(hubs)]}, Direction: kg.DirectionBoth, First: 20, SkipTotal: true})
			check(err)
		}
	})
	// The second level of a nested query: 20 entities' first 10 relations in one call.
	b.Run("Neighbors20x10", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			at := (i * 20) % (len(ids) - 20)
			_, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: ids[at : at+20], Direction: kg.DirectionBoth, First: 10, SkipTotal: true})
			check(err)
		}
	})
	// Entity.degree: a count only.
	b.Run("NeighborsHubCount", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{hubs[i%len(hubs)]}, Direction: kg.DirectionBoth})
			check(err)
		}
	})
	// entities(filter: {kinds: [PERSON], nameContains: ...}, orderBy: NAME, first: 50).
	b.Run("EntitiesNameFilter50", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			f := &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}, NameContains: fmt.Sprintf("%d", 1+i%9)}
			_, err := s.Entities(ctx, kg.EntityQuery{Filter: f, OrderBy: kg.EntityOrder{Field: kg.EntityOrderName, Direction: kg.Asc}, First: 50, SkipTotal: true})
			check(err)
		}
	})
	// entities(filter: {kinds: [PERSON]}, first: 0) { totalCount }.
	b.Run("CountKind", func(b *testing.B) {
		for b.Loop() {
			p, err := s.Entities(ctx, kg.EntityQuery{Filter: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}}})
			check(err)
			if p.TotalCount == 0 {
				b.Fatal("no persons counted")
			}
		}
	})
	// relations(filter: {types: [SPOKE_WITH]}, orderBy: TIME, first: 100).
	b.Run("RelationsByType100", func(b *testing.B) {
		for b.Loop() {
			_, err := s.Relations(ctx, kg.RelationQuery{Filter: &kg.RelationFilter{Types: []kg.RelationType{kg.RelSpokeWith}},
				OrderBy: kg.RelationOrder{Field: kg.RelationOrderTime, Direction: kg.Asc}, First: 100, SkipTotal: true})
			check(err)
		}
	})
}
