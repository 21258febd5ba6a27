package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

func shortestPaths(t *testing.T, s kg.Store, q kg.PathQuery) []kg.Path {
	t.Helper()
	ps, err := s.ShortestPaths(t.Context(), q)
	noErr(t, err, fmt.Sprintf("ShortestPaths(%+v)", q))
	return ps
}

// pathRelIDs gives each path as its relation ids joined with " > ", for comparison.
func pathRelIDs(ps []kg.Path) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strings.Join(relationIDs(p.Relations), " > ")
	}
	return out
}

func joinPaths(paths [][]string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = strings.Join(p, " > ")
	}
	return out
}

// checkWalk checks that p is a walk from one entity to another over relations of the graph
// g (in either direction) of the allowed types, with whole entities and relations, of the
// given length.
func checkWalk(t *testing.T, what string, g *refGraph, p kg.Path, from, to string, types []kg.RelationType, length int) {
	t.Helper()
	if len(p.Relations) != length || len(p.Entities) != length+1 {
		t.Errorf("%s: %d entities, %d relations; want %d, %d", what, len(p.Entities), len(p.Relations), length+1, length)
		return
	}
	for i, e := range p.Entities {
		if e == nil {
			t.Errorf("%s: entity %d is nil", what, i)
			return
		}
		if want, ok := g.ents[e.ID]; !ok || e.Name != want.Name || e.Kind != want.Kind {
			t.Errorf("%s: entity %d = %s %q %s, not an entity of the graph", what, i, e.ID, e.Name, e.Kind)
		}
	}
	if p.Entities[0].ID != from || p.Entities[length].ID != to {
		t.Errorf("%s: runs %s to %s, want %s to %s", what, p.Entities[0].ID, p.Entities[length].ID, from, to)
	}
	for i, r := range p.Relations {
		if r == nil {
			t.Errorf("%s: relation %d is nil", what, i)
			continue
		}
		want, ok := g.rels[r.ID]
		if !ok || r.FromID != want.FromID || r.ToID != want.ToID || r.Type != want.Type || r.Status != want.Status {
			t.Errorf("%s: relation %d = %s %s %s->%s, not a relation of the graph", what, i, r.ID, r.Type, r.FromID, r.ToID)
			continue
		}
		if len(types) > 0 && !slices.Contains(types, r.Type) {
			t.Errorf("%s: relation %s has type %s, not one of %q", what, r.ID, r.Type, types)
		}
		a, b := p.Entities[i].ID, p.Entities[i+1].ID
		if !(r.FromID == a && r.ToID == b || r.FromID == b && r.ToID == a) {
			t.Errorf("%s: relation %d (%s, %s->%s) does not join %s and %s", what, i, r.ID, r.FromID, r.ToID, a, b)
		}
	}
}

// checkPaths runs a path query in both forms and compares them with the reference: the one
// path is a valid walk of the shortest length; All is exactly the first Limit shortest paths
// in PathKey order, each a valid walk.
func checkPaths(t *testing.T, s kg.Store, g *refGraph, q kg.PathQuery) (length int, total int64) {
	t.Helper()
	norm := q
	norm.All = true
	if err := norm.Normalize(); err != nil {
		t.Fatalf("bad test query %+v: %v", q, err)
	}
	length, total, want := g.shortestPaths(q.FromID, q.ToID, norm.MaxDepth, q.Types, norm.Limit)
	what := fmt.Sprintf("%s to %s (maxDepth %d, types %q)", q.FromID, q.ToID, q.MaxDepth, q.Types)

	one := q
	one.All = false
	ps := shortestPaths(t, s, one)
	if length < 0 {
		if len(ps) != 0 {
			t.Errorf("one path %s: got %q, want none", what, pathRelIDs(ps))
		}
	} else if len(ps) != 1 {
		t.Errorf("one path %s: got %d paths %q, want 1 of length %d", what, len(ps), pathRelIDs(ps), length)
	} else {
		checkWalk(t, "one path "+what, g, ps[0], q.FromID, q.ToID, q.Types, length)
	}

	all := q
	all.All = true
	ps = shortestPaths(t, s, all)
	sameIDs(t, fmt.Sprintf("all paths %s, limit %d, of %d", what, norm.Limit, total), pathRelIDs(ps), nonNil(joinPaths(want)))
	for i, p := range ps {
		checkWalk(t, fmt.Sprintf("path %d %s", i, what), g, p, q.FromID, q.ToID, q.Types, length)
		if i > 0 && kg.PathKey(ps[i-1]) >= kg.PathKey(p) {
			t.Errorf("all paths %s: path %d not after path %d in PathKey order", what, i, i-1)
		}
	}
	return length, total
}

func testShortestPaths(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	g := newRefGraph(normEntities(t, fixtureEntities()), normRelations(t, allFixtureRelations()))
	pq := func(from, to string, maxDepth int, types ...kg.RelationType) kg.PathQuery {
		return kg.PathQuery{FromID: from, ToID: to, MaxDepth: maxDepth, Types: types}
	}
	// all asks for every shortest path and returns them as relation ids.
	all := func(t *testing.T, q kg.PathQuery, limit int) []string {
		t.Helper()
		q.All, q.Limit = true, limit
		return pathRelIDs(shortestPaths(t, s, q))
	}
	path := func(ids ...string) string { return strings.Join(ids, " > ") }

	t.Run("One", func(t *testing.T) {
		ps := shortestPaths(t, s, pq(idZelenskyy, idPutin, 0))
		sameIDs(t, "Zelenskyy to Putin", pathRelIDs(ps), []string{path(rCallZelenskyy, rCallPutin)})
		if len(ps) == 1 {
			sameIDs(t, "Zelenskyy to Putin: entities", entityIDs(ps[0].Entities), []string{idZelenskyy, idTrump, idPutin})
			checkWalk(t, "Zelenskyy to Putin", g, ps[0], idZelenskyy, idPutin, nil, 2)
		}
		// Against the direction of both relations.
		ps = shortestPaths(t, s, pq(idGrid, idPutin, 0))
		sameIDs(t, "grid to Putin", pathRelIDs(ps), []string{path(rCovers, rPutinAgreed)})
		if len(ps) == 1 {
			sameIDs(t, "grid to Putin: entities", entityIDs(ps[0].Entities), []string{idGrid, idCeasefire, idPutin})
		}
		// Of two shortest paths, either.
		ps = shortestPaths(t, s, pq(idZelenskyy, idKurskRegion, 0))
		if len(ps) != 1 {
			t.Fatalf("Zelenskyy to the Kursk region: %d paths, want 1", len(ps))
		}
		checkWalk(t, "Zelenskyy to the Kursk region", g, ps[0], idZelenskyy, idKurskRegion, nil, 3)
	})
	t.Run("All", func(t *testing.T) {
		sameIDs(t, "Trump to Ukraine", all(t, pq(idTrump, idUkraine, 0), 0),
			[]string{path(rCallZelenskyy, rHoldsOffice), path(rTrumpStated, rUkraineParty)})
		sameIDs(t, "Ukraine to Trump", all(t, pq(idUkraine, idTrump, 0), 0),
			[]string{path(rUkraineParty, rTrumpStated), path(rHoldsOffice, rCallZelenskyy)})
		// Parallel relations make separate paths.
		sameIDs(t, "Zelenskyy to the Kursk region", all(t, pq(idZelenskyy, idKurskRegion, 0), 0),
			[]string{path(rHoldsOffice, rAttackClaim, rLocatedIn), path(rHoldsOffice, rAttackDenial, rLocatedIn)})
		sameIDs(t, "Russia to the Kursk region", all(t, pq(idRussia, idKurskRegion, 0), 0),
			[]string{path(rRussiaParty, rUkraineParty, rAttackClaim, rLocatedIn), path(rRussiaParty, rUkraineParty, rAttackDenial, rLocatedIn)})
		sameIDs(t, "Russia to Zelenskyy", all(t, pq(idRussia, idZelenskyy, 0), 0),
			[]string{path(rRussiaParty, rTrumpStated, rCallZelenskyy), path(rRussiaParty, rUkraineParty, rHoldsOffice)})
		sameIDs(t, "Zelenskyy to Putin", all(t, pq(idZelenskyy, idPutin, 0), 0), []string{path(rCallZelenskyy, rCallPutin)})
		// Every fixture pair against the reference.
		for _, from := range []string{idZelenskyy, idUS, idSudzha} {
			for _, to := range entitiesByID {
				checkPaths(t, s, g, kg.PathQuery{FromID: from, ToID: to, MaxDepth: kg.MaxPathDepth})
			}
		}
	})
	t.Run("Limit", func(t *testing.T) {
		sameIDs(t, "Trump to Ukraine, limit 1", all(t, pq(idTrump, idUkraine, 0), 1), []string{path(rCallZelenskyy, rHoldsOffice)})
		sameIDs(t, "Russia to the Kursk region, limit 1", all(t, pq(idRussia, idKurskRegion, 0), 1),
			[]string{path(rRussiaParty, rUkraineParty, rAttackClaim, rLocatedIn)})
	})
	t.Run("Types", func(t *testing.T) {
		// Without HOLDS_OFFICE and STATED, Trump reaches Ukraine only through Putin.
		q := pq(idTrump, idUkraine, 0, kg.RelSpokeWith, kg.RelAgreed, kg.RelPartyTo)
		sameIDs(t, "Trump to Ukraine over SPOKE_WITH|AGREED|PARTY_TO", all(t, q, 0),
			[]string{path(rCallPutin, rPutinAgreed, rUkraineParty)})
		ps := shortestPaths(t, s, q)
		sameIDs(t, "one path over SPOKE_WITH|AGREED|PARTY_TO", pathRelIDs(ps), []string{path(rCallPutin, rPutinAgreed, rUkraineParty)})
		if len(ps) == 1 {
			sameIDs(t, "its entities", entityIDs(ps[0].Entities), []string{idTrump, idPutin, idCeasefire, idUkraine})
		}
		// Both parallel attacks make paths: a path query has no status filter.
		sameIDs(t, "Ukraine to the Kursk region over ATTACKED|LOCATED_IN",
			all(t, pq(idUkraine, idKurskRegion, 0, kg.RelAttacked, kg.RelLocatedIn), 0),
			[]string{path(rAttackClaim, rLocatedIn), path(rAttackDenial, rLocatedIn)})
		// No path of these types.
		q = pq(idZelenskyy, idKurskRegion, 0, kg.RelAttacked, kg.RelLocatedIn)
		sameIDs(t, "Zelenskyy to the Kursk region over ATTACKED|LOCATED_IN", all(t, q, 0), []string{})
		sameIDs(t, "one path, none there", pathRelIDs(shortestPaths(t, s, q)), []string{})
	})
	t.Run("MaxDepth", func(t *testing.T) {
		// Russia and the Kursk region are 4 apart: the default depth (4) reaches, 3 does not.
		q := pq(idRussia, idKurskRegion, 3)
		sameIDs(t, "Russia to the Kursk region within 3", pathRelIDs(shortestPaths(t, s, q)), []string{})
		sameIDs(t, "all, within 3", all(t, q, 0), []string{})
		q.MaxDepth = 4
		if ps := shortestPaths(t, s, q); len(ps) != 1 || len(ps[0].Relations) != 4 {
			t.Errorf("Russia to the Kursk region within 4: %q, want one path of 4", pathRelIDs(ps))
		}
		q.MaxDepth = 0
		if ps := shortestPaths(t, s, q); len(ps) != 1 || len(ps[0].Relations) != 4 {
			t.Errorf("Russia to the Kursk region, default depth: %q, want one path of 4", pathRelIDs(ps))
		}
		// Exactly the distance is enough.
		sameIDs(t, "Zelenskyy to Putin within 2", pathRelIDs(shortestPaths(t, s, pq(idZelenskyy, idPutin, 2))),
			[]string{path(rCallZelenskyy, rCallPutin)})
		sameIDs(t, "Zelenskyy to Putin within 1", pathRelIDs(shortestPaths(t, s, pq(idZelenskyy, idPutin, 1))), []string{})
	})
	t.Run("Unconnected", func(t *testing.T) {
		sameIDs(t, "Trump to BBC News", pathRelIDs(shortestPaths(t, s, pq(idTrump, idBBCNews, kg.MaxPathDepth))), []string{})
		sameIDs(t, "Kursk city to BBC News, all", all(t, pq(idKurskCity, idBBCNews, kg.MaxPathDepth), 0), []string{})
	})
	t.Run("SameEnds", func(t *testing.T) {
		for _, id := range []string{idPutin, idBBCNews} {
			for _, a := range []bool{false, true} {
				ps := shortestPaths(t, s, kg.PathQuery{FromID: id, ToID: id, All: a})
				if len(ps) != 1 {
					t.Errorf("%s to itself (all %v): %d paths, want 1", id, a, len(ps))
					continue
				}
				if len(ps[0].Relations) != 0 || len(ps[0].Entities) != 1 || ps[0].Entities[0] == nil || ps[0].Entities[0].ID != id {
					t.Errorf("%s to itself (all %v): entities %q, relations %q; want [%s], none", id, a,
						entityIDs(ps[0].Entities), relationIDs(ps[0].Relations), id)
				}
			}
		}
	})
	t.Run("MissingEnd", func(t *testing.T) {
		_, err := s.ShortestPaths(ctx, pq(idMissing, idPutin, 0))
		isErr(t, err, kg.ErrNotFound, "ShortestPaths from a missing entity")
		_, err = s.ShortestPaths(ctx, pq(idPutin, idMissing, 0))
		isErr(t, err, kg.ErrNotFound, "ShortestPaths to a missing entity")
		_, err = s.ShortestPaths(ctx, kg.PathQuery{FromID: idPutin, ToID: idMissing, All: true})
		isErr(t, err, kg.ErrNotFound, "all ShortestPaths to a missing entity")
		_, err = s.ShortestPaths(ctx, pq(idMissing, idMissing, 0))
		isErr(t, err, kg.ErrNotFound, "ShortestPaths from a missing entity to itself")
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			q     kg.PathQuery
			field string
		}{
			{pq(idTrump, idPutin, kg.MaxPathDepth+1), "maxDepth"},
			{pq(idTrump, idPutin, -1), "maxDepth"},
			{kg.PathQuery{FromID: idTrump, ToID: idPutin, All: true, Limit: kg.MaxPathLimit + 1}, "limit"},
			{kg.PathQuery{FromID: idTrump, ToID: idPutin, All: true, Limit: -1}, "limit"},
			{pq("", idPutin, 0), "from"},
			{pq(idTrump, "no such id!", 0), "to"},
			{pq(idTrump, idPutin, 0, "LIKES"), "types[0]"},
		} {
			_, err := s.ShortestPaths(ctx, c.q)
			invalidQuery(t, err, fmt.Sprintf("ShortestPaths(%+v)", c.q), c.field)
		}
	})
}
