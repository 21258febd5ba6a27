package storetest

import (
	"slices"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

func neighbors(t *testing.T, s kg.Store, q kg.NeighborQuery) map[string]*kg.RelationPage {
	t.Helper()
	m, err := s.Neighbors(t.Context(), q)
	noErr(t, err, "Neighbors")
	for _, id := range q.EntityIDs {
		if m[id] == nil {
			t.Fatalf("Neighbors(%q): no page for %s; want an entry for every id asked", q.EntityIDs, id)
		}
	}
	return m
}

func testNeighbors(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	one := func(id string, d kg.Direction, types ...kg.RelationType) []string {
		t.Helper()
		return relationIDs(neighbors(t, s, kg.NeighborQuery{EntityIDs: []string{id}, Direction: d, Types: types, First: 100})[id].Items)
	}
	t.Run("Out", func(t *testing.T) {
		sameIDs(t, "Ukraine OUT", one(idUkraine, kg.DirectionOut), []string{rUkraineParty, rAttackClaim, rAttackDenial})
		sameIDs(t, "Trump OUT", one(idTrump, kg.DirectionOut), []string{rCallPutin, rCallZelenskyy, rTrumpStated})
		sameIDs(t, "Putin OUT", one(idPutin, kg.DirectionOut), []string{rPutinAgreed})
	})
	t.Run("In", func(t *testing.T) {
		sameIDs(t, "Ukraine IN", one(idUkraine, kg.DirectionIn), []string{rHoldsOffice})
		sameIDs(t, "Trump IN", one(idTrump, kg.DirectionIn), []string{})
		sameIDs(t, "Putin IN", one(idPutin, kg.DirectionIn), []string{rCallPutin})
	})
	t.Run("Both", func(t *testing.T) {
		sameIDs(t, "Ukraine BOTH", one(idUkraine, kg.DirectionBoth), []string{rHoldsOffice, rUkraineParty, rAttackClaim, rAttackDenial})
		sameIDs(t, "Putin BOTH", one(idPutin, kg.DirectionBoth), []string{rPutinAgreed, rCallPutin})
		sameIDs(t, "agreement BOTH", one(idCeasefire, kg.DirectionBoth),
			[]string{rRussiaParty, rPutinAgreed, rUkraineParty, rTrumpStated, rCovers, rMediated})
	})
	t.Run("Types", func(t *testing.T) {
		sameIDs(t, "Ukraine BOTH ATTACKED", one(idUkraine, kg.DirectionBoth, kg.RelAttacked), []string{rAttackClaim, rAttackDenial})
		sameIDs(t, "agreement IN PARTY_TO|MEDIATED", one(idCeasefire, kg.DirectionIn, kg.RelPartyTo, kg.RelMediated),
			[]string{rRussiaParty, rUkraineParty, rMediated})
		sameIDs(t, "agreement OUT PARTY_TO", one(idCeasefire, kg.DirectionOut, kg.RelPartyTo), []string{})
	})
	t.Run("EntryForEveryID", func(t *testing.T) {
		ids := []string{idUkraine, idBBCNews, idMissing, idCeasefire}
		m := neighbors(t, s, kg.NeighborQuery{EntityIDs: ids, Direction: kg.DirectionBoth, First: 2})
		want := map[string]struct {
			items []string
			next  bool
			total int
		}{
			idUkraine:   {[]string{rHoldsOffice, rUkraineParty}, true, 4},
			idBBCNews:   {[]string{}, false, 0},
			idMissing:   {[]string{}, false, 0},
			idCeasefire: {[]string{rRussiaParty, rPutinAgreed}, true, 6},
		}
		for id, w := range want {
			p := m[id]
			sameIDs(t, "page of "+id, relationIDs(p.Items), w.items)
			if p.HasNextPage != w.next || p.TotalCount != w.total {
				t.Errorf("page of %s: next %v, total %d; want %v, %d", id, p.HasNextPage, p.TotalCount, w.next, w.total)
			}
		}
		for id := range m {
			if !slices.Contains(ids, id) {
				t.Errorf("Neighbors returned a page for %s, which was not asked", id)
			}
		}
	})
	t.Run("Pages", func(t *testing.T) {
		q := kg.NeighborQuery{EntityIDs: []string{idCeasefire}, Direction: kg.DirectionBoth, First: 2}
		wantPages := [][]string{{rRussiaParty, rPutinAgreed}, {rUkraineParty, rTrumpStated}, {rCovers, rMediated}}
		for i, want := range wantPages {
			p := neighbors(t, s, q)[idCeasefire]
			sameIDs(t, "page", relationIDs(p.Items), want)
			if p.TotalCount != 6 {
				t.Errorf("page %d: TotalCount = %d, want 6", i+1, p.TotalCount)
			}
			if wantNext := i < len(wantPages)-1; p.HasNextPage != wantNext {
				t.Errorf("page %d: HasNextPage = %v, want %v", i+1, p.HasNextPage, wantNext)
			}
			if len(p.Items) == 0 {
				return
			}
			q.After = kg.NeighborOrder.Cursor(p.Items[len(p.Items)-1])
		}
	})
	t.Run("SelfLoopOnce", func(t *testing.T) {
		s := openLoaded(t, open)
		_, _, err := s.UpsertRelations(t.Context(), []kg.RelationInput{{
			ID: "rel:russia-self", Type: kg.RelStated, FromID: idRussia, ToID: idRussia,
			Status: kg.StatusClaimed, SourceIDs: []string{srcKremlin},
		}})
		noErr(t, err, "UpsertRelations")
		p := neighbors(t, s, kg.NeighborQuery{EntityIDs: []string{idRussia}, Direction: kg.DirectionBoth, First: 10})[idRussia]
		sameIDs(t, "Russia BOTH with a self loop", relationIDs(p.Items), []string{rRussiaParty, "rel:russia-self"})
		if p.TotalCount != 2 {
			t.Errorf("TotalCount = %d, want 2", p.TotalCount)
		}
		sameIDs(t, "Relations EntityID with a self loop", allRelations(t, s, &kg.RelationFilter{EntityID: idRussia}),
			[]string{rRussiaParty, "rel:russia-self"})
	})
}

func testSearch(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	search := func(t *testing.T, q kg.SearchQuery) []kg.SearchHit {
		t.Helper()
		hits, err := s.Search(t.Context(), q)
		noErr(t, err, "Search "+q.Text)
		for i, h := range hits {
			if h.Entity == nil {
				t.Fatalf("Search %q: hit %d has no entity", q.Text, i)
			}
			if !(h.Score > 0) {
				t.Errorf("Search %q: hit %s has score %v, want > 0", q.Text, h.Entity.ID, h.Score)
			}
			if i > 0 && h.Score > hits[i-1].Score {
				t.Errorf("Search %q: hits not sorted by score: %s (%v) after %s (%v)", q.Text,
					h.Entity.ID, h.Score, hits[i-1].Entity.ID, hits[i-1].Score)
			}
		}
		ids := hitIDs(hits)
		for i, id := range ids {
			if slices.Contains(ids[:i], id) {
				t.Errorf("Search %q: %s is a hit twice", q.Text, id)
			}
		}
		if q.Limit > 0 && len(hits) > q.Limit {
			t.Errorf("Search %q: %d hits, more than the limit %d", q.Text, len(hits), q.Limit)
		}
		return hits
	}
	top := func(t *testing.T, text, want string) {
		t.Helper()
		hits := search(t, kg.SearchQuery{Text: text, Limit: 10})
		if len(hits) == 0 || hits[0].Entity.ID != want {
			t.Errorf("Search %q: hits %q, want %s first", text, hitIDs(hits), want)
		}
	}
	t.Run("TopHit", func(t *testing.T) {
		top(t, "zelensky", idZelenskyy)
		top(t, "ZELENSKYY", idZelenskyy)
		top(t, "Volodymyr Zelenskyy", idZelenskyy)
		top(t, "vladimir putin", idPutin)
		top(t, "energy ceasefire", idCeasefire)
		top(t, "zelenskiy", idZelenskyy) // one edit away
	})
	t.Run("AtMostOneEdit", func(t *testing.T) {
		// Two edits from every word of the fixture: both stores allow one edit only.
		if hits := search(t, kg.SearchQuery{Text: "zelenskii", Limit: 10}); len(hits) != 0 {
			t.Errorf("Search %q: hits %q, want none", "zelenskii", hitIDs(hits))
		}
	})
	t.Run("Alias", func(t *testing.T) {
		top(t, "Vladimirovich", idPutin)
		top(t, "Путин", idPutin)
		top(t, "russian federation", idRussia)
	})
	t.Run("Kinds", func(t *testing.T) {
		hits := search(t, kg.SearchQuery{Text: "trump", Kinds: []kg.EntityKind{kg.KindEvent}, Limit: 10})
		got := hitIDs(hits)
		slices.Sort(got)
		sameIDs(t, "trump in events", got, []string{idCallPutin, idCallZelenskyy})
		hits = search(t, kg.SearchQuery{Text: "trump", Kinds: []kg.EntityKind{kg.KindPerson, kg.KindCountry}, Limit: 10})
		sameIDs(t, "trump in persons and countries", hitIDs(hits), []string{idTrump})
	})
	t.Run("AllMatches", func(t *testing.T) {
		hits := search(t, kg.SearchQuery{Text: "trump", Limit: 10})
		for _, id := range []string{idTrump, idCallPutin, idCallZelenskyy} {
			if !slices.Contains(hitIDs(hits), id) {
				t.Errorf("Search trump: hits %q lack %s", hitIDs(hits), id)
			}
		}
	})
	t.Run("Limit", func(t *testing.T) {
		if hits := search(t, kg.SearchQuery{Text: "trump", Limit: 1}); len(hits) != 1 {
			t.Errorf("Search trump limit 1: %d hits, want 1", len(hits))
		}
		if hits := search(t, kg.SearchQuery{Text: "trump", Limit: 2}); len(hits) != 2 {
			t.Errorf("Search trump limit 2: %d hits, want 2", len(hits))
		}
	})
	t.Run("NoMatch", func(t *testing.T) {
		if hits := search(t, kg.SearchQuery{Text: "xylophone", Limit: 10}); len(hits) != 0 {
			t.Errorf("Search xylophone: %q, want no hits", hitIDs(hits))
		}
	})
	t.Run("OnlyPunctuation", func(t *testing.T) {
		_, err := s.Search(t.Context(), kg.SearchQuery{Text: "?!.,;: “” ()", Limit: 10})
		invalidQuery(t, err, "Search of punctuation only", "query")
		_, err = s.Search(t.Context(), kg.SearchQuery{Text: "", Limit: 10})
		invalidQuery(t, err, "Search of nothing", "query")
	})
	t.Run("QuerySyntaxIsText", func(t *testing.T) {
		// Search text is words, never query syntax: a store that hands it to Lucene must
		// escape it. Each of these is a plain search that finds something.
		for _, text := range []string{"trump AND", "NOT putin", "-putin", "putin~", "put*", "title:zelensky",
			"(putin", "putin)", "\"putin", "zelensky^4", "[trump TO zelensky]", "trump || putin", "putin/", "o'putin putin"} {
			hits, err := s.Search(t.Context(), kg.SearchQuery{Text: text, Limit: 10})
			if err != nil {
				t.Errorf("Search %q: %v", text, err)
				continue
			}
			if len(hits) == 0 {
				t.Errorf("Search %q: no hits", text)
			}
		}
	})
	t.Run("InvalidKind", func(t *testing.T) {
		_, err := s.Search(t.Context(), kg.SearchQuery{Text: "trump", Kinds: []kg.EntityKind{"ROBOT"}, Limit: 10})
		invalidQuery(t, err, "Search with a bad kind", "kinds[0]")
	})
	t.Run("FollowsWrites", func(t *testing.T) {
		s := openLoaded(t, open)
		_, _, err := s.UpsertEntities(t.Context(), []kg.EntityInput{{ID: "person:keith-kellogg", Kind: kg.KindPerson,
			Name: "Keith Kellogg", Aliases: []string{"Special Envoy Kellogg"}}})
		noErr(t, err, "UpsertEntities")
		hits, err := s.Search(t.Context(), kg.SearchQuery{Text: "kellogg", Limit: 10})
		noErr(t, err, "Search")
		sameIDs(t, "new entity found", hitIDs(hits), []string{"person:keith-kellogg"})
		_, _, err = s.UpsertEntities(t.Context(), []kg.EntityInput{{ID: "person:keith-kellogg", Kind: kg.KindPerson, Name: "Keith K.", Mode: kg.ModeReplace}})
		noErr(t, err, "UpsertEntities (renamed)")
		hits, err = s.Search(t.Context(), kg.SearchQuery{Text: "kellogg", Limit: 10})
		noErr(t, err, "Search")
		sameIDs(t, "renamed entity no longer found by its old name", hitIDs(hits), []string{})
		_, err = s.DeleteEntity(t.Context(), idBBCNews, false)
		noErr(t, err, "DeleteEntity")
		hits, err = s.Search(t.Context(), kg.SearchQuery{Text: "bbc", Limit: 10})
		noErr(t, err, "Search")
		sameIDs(t, "deleted entity not found", hitIDs(hits), []string{})
	})
}

func testStats(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	check := func(t *testing.T, st *kg.Stats, ents, rels, srcs int, byKind map[kg.EntityKind]int, byType map[kg.RelationType]int, byStatus map[kg.ClaimStatus]int) {
		t.Helper()
		if st.Entities != ents || st.Relations != rels || st.Sources != srcs {
			t.Errorf("totals = %d entities, %d relations, %d sources; want %d, %d, %d", st.Entities, st.Relations, st.Sources, ents, rels, srcs)
		}
		sameCounts(t, "ByKind", st.ByKind, byKind)
		sameCounts(t, "ByType", st.ByType, byType)
		sameCounts(t, "ByStatus", st.ByStatus, byStatus)
	}
	byKind := map[kg.EntityKind]int{
		kg.KindPerson: 3, kg.KindCountry: 3, kg.KindOrganization: 1, kg.KindAgreement: 1,
		kg.KindInfrastructure: 2, kg.KindLocation: 2, kg.KindEvent: 2,
	}
	byType := map[kg.RelationType]int{
		kg.RelHoldsOffice: 1, kg.RelPartyTo: 2, kg.RelAgreed: 1, kg.RelSpokeWith: 2, kg.RelStated: 1,
		kg.RelAttacked: 2, kg.RelCovers: 1, kg.RelLocatedIn: 1, kg.RelMediated: 1,
	}
	byStatus := map[kg.ClaimStatus]int{
		kg.StatusConfirmed: 8, kg.StatusClaimed: 2, kg.StatusAlleged: 1, kg.StatusDenied: 1,
	}
	t.Run("Fixture", func(t *testing.T) {
		check(t, stats(t, s), 14, 12, 3, byKind, byType, byStatus)
	})
	t.Run("FollowsWrites", func(t *testing.T) {
		_, _, err := s.UpsertEntities(t.Context(), []kg.EntityInput{{ID: "location:black-sea", Kind: kg.KindLocation, Name: "Black Sea", Category: "sea"}})
		noErr(t, err, "UpsertEntities")
		// A status change moves a relation between buckets.
		rels := fixtureRelations()
		rels[7].Status = kg.StatusDisputed
		_, _, err = s.UpsertRelations(t.Context(), rels)
		noErr(t, err, "UpsertRelations")
		noErr(t, s.DeleteRelation(t.Context(), rCallZelenskyy), "DeleteRelation")
		byKind[kg.KindLocation] = 3
		byType[kg.RelSpokeWith] = 1
		byStatus[kg.StatusConfirmed] = 7
		byStatus[kg.StatusAlleged] = 0
		byStatus[kg.StatusDisputed] = 1
		check(t, stats(t, s), 15, 11, 3, byKind, byType, byStatus)
	})
}
