package storetest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// The generated graph of the suite: big enough that hubs exceed the neighbourhood and path
// caps, small enough to load in a second on Neo4j.
const (
	genSeed      = 20250318
	genEntities  = 300
	genRelations = 900
	genHubs      = 3
)

// testGeneratedGraph checks the graph queries on a generated graph against the reference
// model (refGraph), which computes every expectation from the inputs alone.
func testGeneratedGraph(t *testing.T, open Opener) {
	s := open(t)
	src, ents, rels := Generate(genSeed, genEntities, genRelations, genHubs)
	start := time.Now()
	noErr(t, WriteAll(t.Context(), s, src, ents, rels), "write the generated graph")
	t.Logf("wrote %d entities and %d relations in %v", len(ents), len(rels), time.Since(start).Round(time.Millisecond))
	g := newRefGraph(normEntities(t, ents), normRelations(t, rels))

	// The hubs, most connected first.
	top := g.degrees(kg.DegreeQuery{Limit: genHubs})
	hubs := make([]string, len(top))
	for i, d := range top {
		id, n, _ := strings.Cut(d, "=")
		hubs[i] = id
		if n, _ := strconv.Atoi(n); n <= 100 {
			t.Fatalf("generator: hub %s has degree %d, want more than 100", id, n)
		}
	}
	t.Logf("hubs: %q", top)

	t.Run("Stats", func(t *testing.T) {
		st := stats(t, s)
		if st.Entities != genEntities || st.Relations != genRelations || st.Sources != len(src) {
			t.Errorf("Stats = %d entities, %d relations, %d sources; want %d, %d, %d", st.Entities, st.Relations, st.Sources,
				genEntities, genRelations, len(src))
		}
		bySource := map[string]int{}
		for _, r := range rels {
			for _, id := range r.SourceIDs {
				bySource[id]++
			}
		}
		sameCounts(t, "BySource", st.BySource, bySource)
	})
	t.Run("Degrees", func(t *testing.T) {
		for _, q := range []kg.DegreeQuery{
			{},
			{Limit: kg.MaxPageSize},
			{Direction: kg.DirectionOut, Limit: 25},
			{Direction: kg.DirectionIn, Types: []kg.RelationType{kg.RelMemberOf, kg.RelPartOf}, Limit: 40},
			{Kinds: []kg.EntityKind{kg.KindPerson, kg.KindEvent}, Types: []kg.RelationType{kg.RelSpokeWith}, Limit: 30},
		} {
			sameIDs(t, fmt.Sprintf("Degrees(%+v)", q), degrees(t, s, q), nonNil(g.degrees(q)))
		}
	})
	t.Run("NeighborhoodOfHub", func(t *testing.T) {
		q := kg.NeighborhoodQuery{ID: hubs[0], Depth: 1, Limit: 50}
		want := g.neighborhood(q)
		if !want.truncated || len(want.nodes) != 50 {
			t.Fatalf("reference: hub neighbourhood of %d nodes, truncated %v; the generated graph is too small", len(want.nodes), want.truncated)
		}
		checkSubgraph(t, "hub depth 1 limit 50", neighborhood(t, s, q), want)
		for _, q := range []kg.NeighborhoodQuery{
			{ID: hubs[1], Depth: 2, Limit: 50},
			{ID: hubs[2], Depth: 3, Limit: 120, Statuses: []kg.ClaimStatus{kg.StatusConfirmed, kg.StatusClaimed}},
			{ID: hubs[0], Depth: 2, Limit: 10, Types: []kg.RelationType{kg.RelSpokeWith, kg.RelPartOf}},
		} {
			checkSubgraph(t, fmt.Sprintf("%+v", q), neighborhood(t, s, q), g.neighborhood(q))
		}
	})
	t.Run("NeighborhoodWhole", func(t *testing.T) {
		// Depth 2 around a hub, under the maximum limit: hundreds of nodes and relations.
		q := kg.NeighborhoodQuery{ID: hubs[0], Depth: 2, Limit: kg.MaxNeighborhood}
		want := g.neighborhood(q)
		t.Logf("hub depth 2: %d nodes, %d relations, truncated %v", len(want.nodes), len(want.relations), want.truncated)
		checkSubgraph(t, "hub depth 2", neighborhood(t, s, q), want)
		// Around an ordinary entity, by types, deep.
		q = kg.NeighborhoodQuery{ID: g.entIDs[7], Depth: 3, Limit: 200, Types: []kg.RelationType{kg.RelLocatedIn, kg.RelMemberOf, kg.RelAffected}}
		want = g.neighborhood(q)
		t.Logf("%s depth 3 by types: %d nodes, %d relations, truncated %v", q.ID, len(want.nodes), len(want.relations), want.truncated)
		checkSubgraph(t, fmt.Sprintf("%+v", q), neighborhood(t, s, q), want)
	})
	t.Run("ShortestPaths", func(t *testing.T) {
		// Pairs picked from the reference: for some entities, the farthest entity they reach
		// (ties: lowest id), and one at distance 2.
		type pair struct{ from, to string }
		var pairs []pair
		for _, i := range []int{3, 77, 150, 222} {
			from := g.entIDs[i]
			dist := g.distances(from, kg.MaxPathDepth, nil, nil)
			far, two := "", ""
			for _, id := range g.entIDs {
				if d, ok := dist[id]; ok && (far == "" || d > dist[far]) {
					far = id
				}
				if dist[id] == 2 && two == "" {
					two = id
				}
			}
			pairs = append(pairs, pair{from, far})
			if two != "" {
				pairs = append(pairs, pair{from, two})
			}
		}
		pairs = append(pairs, pair{hubs[0], hubs[1]}, pair{hubs[2], g.entIDs[0]})
		for _, p := range pairs {
			for _, limit := range []int{0, 3} {
				q := kg.PathQuery{FromID: p.from, ToID: p.to, MaxDepth: kg.MaxPathDepth, Limit: limit}
				length, total := checkPaths(t, s, g, q)
				if limit == 0 {
					t.Logf("%s to %s: length %d, %d shortest paths", p.from, p.to, length, total)
				}
			}
		}
		// Types that force a detour or leave no path; a depth that falls short.
		p := pairs[0]
		for _, q := range []kg.PathQuery{
			{FromID: p.from, ToID: p.to, MaxDepth: kg.MaxPathDepth, Types: []kg.RelationType{kg.RelSpokeWith, kg.RelMemberOf, kg.RelLocatedIn}},
			{FromID: p.from, ToID: p.to, MaxDepth: kg.MaxPathDepth, Types: []kg.RelationType{kg.RelMediated}},
			{FromID: pairs[1].from, ToID: pairs[1].to, MaxDepth: 1},
		} {
			checkPaths(t, s, g, q)
		}
		if length, _, _ := g.shortestPaths(p.from, p.to, kg.MaxPathDepth, nil, 1); length >= 2 {
			q := kg.PathQuery{FromID: p.from, ToID: p.to, MaxDepth: length - 1, All: true}
			sameIDs(t, "one hop short", pathRelIDs(shortestPaths(t, s, q)), []string{})
		}
	})
}
