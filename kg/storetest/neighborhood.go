package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

// The neighbourhood contract (kg.Subgraph), as the suite reads it:
//   - Nodes: the centre at distance 0, then every entity reachable within Depth hops over
//     followed relations (either direction), ordered by (distance, id), at most Limit;
//   - Relations: every followed relation (of the asked types and statuses) whose two ends are
//     both among the Nodes, including those between two entities at the same distance, in id
//     order, at most Limit*4 (kg.NeighborhoodQuery.MaxEdges): the first ones in id order;
//   - Truncated: an entity within the depth or a relation between kept entities was cut.
//     Entities beyond the depth do not count.

func neighborhood(t *testing.T, s kg.Store, q kg.NeighborhoodQuery) *kg.Subgraph {
	t.Helper()
	sg, err := s.Neighborhood(t.Context(), q)
	noErr(t, err, fmt.Sprintf("Neighborhood(%+v)", q))
	if sg == nil {
		t.Fatalf("Neighborhood(%+v) returned nil", q)
	}
	for i, n := range sg.Nodes {
		if n.Entity == nil {
			t.Fatalf("Neighborhood(%+v): node %d has no entity", q, i)
		}
	}
	for i, r := range sg.Relations {
		if r == nil {
			t.Fatalf("Neighborhood(%+v): relation %d is nil", q, i)
		}
	}
	return sg
}

func subgraphNodes(sg *kg.Subgraph) []string {
	out := make([]string, len(sg.Nodes))
	for i, n := range sg.Nodes {
		out[i] = fmt.Sprintf("%s@%d", n.Entity.ID, n.Distance)
	}
	return out
}

// checkSubgraph compares a neighbourhood with the expected nodes ("id@distance"), relation ids
// and truncation flag.
func checkSubgraph(t *testing.T, what string, sg *kg.Subgraph, want refSubgraph) {
	t.Helper()
	sameIDs(t, what+": nodes", subgraphNodes(sg), nonNil(want.nodes))
	sameIDs(t, what+": relations", relationIDs(sg.Relations), nonNil(want.relations))
	if sg.Truncated != want.truncated {
		t.Errorf("%s: Truncated = %v, want %v", what, sg.Truncated, want.truncated)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nodesAt(d int, ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("%s@%d", id, d)
	}
	return out
}

func concat(parts ...[]string) []string { return slices.Concat(parts...) }

func testNeighborhood(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	nq := func(id string, depth, limit int) kg.NeighborhoodQuery {
		return kg.NeighborhoodQuery{ID: id, Depth: depth, Limit: limit}
	}
	// Distances from Zelenskyy: 1 Ukraine, Trump; 2 the agreement, Sudzha, Putin; 3 Russia,
	// the US, the grid, the Kursk region. Kursk city, BBC News and the two events have no
	// relations.
	zel1 := concat(nodesAt(0, idZelenskyy), nodesAt(1, idUkraine, idTrump))
	zel2 := concat(zel1, nodesAt(2, idCeasefire, idSudzha, idPutin))
	zel3 := concat(zel2, nodesAt(3, idRussia, idUS, idGrid, idKurskRegion))

	t.Run("Depth1", func(t *testing.T) {
		checkSubgraph(t, "Zelenskyy depth 1", neighborhood(t, s, nq(idZelenskyy, 1, 0)), refSubgraph{
			nodes: zel1, relations: []string{rCallZelenskyy, rHoldsOffice}})
		// Trump and the agreement are both at distance 1 from Putin: the relation between
		// them is between kept nodes, so it is in.
		checkSubgraph(t, "Putin depth 1", neighborhood(t, s, nq(idPutin, 1, 0)), refSubgraph{
			nodes:     concat(nodesAt(0, idPutin), nodesAt(1, idCeasefire, idTrump)),
			relations: []string{rCallPutin, rPutinAgreed, rTrumpStated}})
		// Parallel relations both come.
		checkSubgraph(t, "Sudzha depth 1", neighborhood(t, s, nq(idSudzha, 1, 0)), refSubgraph{
			nodes:     concat(nodesAt(0, idSudzha), nodesAt(1, idUkraine, idKurskRegion)),
			relations: []string{rAttackClaim, rAttackDenial, rLocatedIn}})
	})
	t.Run("Depth2", func(t *testing.T) {
		checkSubgraph(t, "Zelenskyy depth 2", neighborhood(t, s, nq(idZelenskyy, 2, 0)), refSubgraph{
			nodes: zel2,
			relations: []string{rCallPutin, rCallZelenskyy, rPutinAgreed, rAttackClaim, rAttackDenial,
				rTrumpStated, rUkraineParty, rHoldsOffice}})
	})
	t.Run("Depth3", func(t *testing.T) {
		checkSubgraph(t, "Zelenskyy depth 3", neighborhood(t, s, nq(idZelenskyy, 3, 0)), refSubgraph{
			nodes: zel3, relations: relationsByID})
	})
	t.Run("DefaultDepthIsOne", func(t *testing.T) {
		checkSubgraph(t, "Zelenskyy depth 0", neighborhood(t, s, nq(idZelenskyy, 0, 0)), refSubgraph{
			nodes: zel1, relations: []string{rCallZelenskyy, rHoldsOffice}})
	})
	t.Run("Isolated", func(t *testing.T) {
		sg := neighborhood(t, s, nq(idBBCNews, 3, 0))
		checkSubgraph(t, "BBC News depth 3", sg, refSubgraph{nodes: nodesAt(0, idBBCNews)})
		// Limit 1 on an entity without relations leaves nothing out.
		checkSubgraph(t, "BBC News limit 1", neighborhood(t, s, nq(idBBCNews, 1, 1)), refSubgraph{nodes: nodesAt(0, idBBCNews)})
	})
	t.Run("EntitiesAreWhole", func(t *testing.T) {
		sg := neighborhood(t, s, nq(idPutin, 1, 0))
		want := map[string]kg.EntityInput{}
		for _, e := range normEntities(t, fixtureEntities()) {
			want[e.ID] = e
		}
		for _, n := range sg.Nodes {
			reportDiff(t, "neighbourhood entity "+n.Entity.ID, diffEntity(n.Entity, want[n.Entity.ID]))
		}
		rels := map[string]kg.RelationInput{}
		for _, r := range normRelations(t, allFixtureRelations()) {
			rels[r.ID] = r
		}
		for _, r := range sg.Relations {
			reportDiff(t, "neighbourhood relation "+r.ID, diffRelation(r, rels[r.ID]))
		}
	})
	t.Run("Types", func(t *testing.T) {
		q := nq(idZelenskyy, 3, 0)
		q.Types = []kg.RelationType{kg.RelSpokeWith, kg.RelHoldsOffice}
		checkSubgraph(t, "Zelenskyy depth 3 SPOKE_WITH|HOLDS_OFFICE", neighborhood(t, s, q), refSubgraph{
			nodes:     concat(zel1, nodesAt(2, idPutin)),
			relations: []string{rCallPutin, rCallZelenskyy, rHoldsOffice}})
		// Only followed relations come, even between kept nodes.
		q = nq(idPutin, 1, 0)
		q.Types = []kg.RelationType{kg.RelSpokeWith, kg.RelAgreed}
		checkSubgraph(t, "Putin depth 1 SPOKE_WITH|AGREED", neighborhood(t, s, q), refSubgraph{
			nodes:     concat(nodesAt(0, idPutin), nodesAt(1, idCeasefire, idTrump)),
			relations: []string{rCallPutin, rPutinAgreed}})
		q = nq(idUS, 3, 0)
		q.Types = []kg.RelationType{kg.RelAttacked}
		checkSubgraph(t, "US ATTACKED", neighborhood(t, s, q), refSubgraph{nodes: nodesAt(0, idUS)})
	})
	t.Run("Statuses", func(t *testing.T) {
		q := nq(idCeasefire, 2, 0)
		q.Statuses = []kg.ClaimStatus{kg.StatusClaimed}
		checkSubgraph(t, "agreement depth 2 CLAIMED", neighborhood(t, s, q), refSubgraph{
			nodes:     concat(nodesAt(0, idCeasefire), nodesAt(1, idUkraine, idPutin)),
			relations: []string{rPutinAgreed, rUkraineParty}})
		// The denial runs parallel to the allegation but its status is not followed.
		q = nq(idUkraine, 2, 0)
		q.Statuses = []kg.ClaimStatus{kg.StatusAlleged, kg.StatusConfirmed}
		checkSubgraph(t, "Ukraine depth 2 ALLEGED|CONFIRMED", neighborhood(t, s, q), refSubgraph{
			nodes:     concat(nodesAt(0, idUkraine), nodesAt(1, idSudzha, idZelenskyy), nodesAt(2, idKurskRegion, idTrump)),
			relations: []string{rCallZelenskyy, rAttackClaim, rLocatedIn, rHoldsOffice}})
		q.Types = []kg.RelationType{kg.RelAttacked, kg.RelPartyTo}
		checkSubgraph(t, "Ukraine depth 2 ATTACKED|PARTY_TO, ALLEGED|CONFIRMED", neighborhood(t, s, q), refSubgraph{
			nodes: concat(nodesAt(0, idUkraine), nodesAt(1, idSudzha)), relations: []string{rAttackClaim}})
	})
	t.Run("Limit", func(t *testing.T) {
		// Putin and Sudzha tie at distance 2 with the agreement; the cut keeps the lower ids.
		checkSubgraph(t, "Zelenskyy depth 3 limit 5", neighborhood(t, s, nq(idZelenskyy, 3, 5)), refSubgraph{
			nodes: concat(zel1, nodesAt(2, idCeasefire, idSudzha)),
			relations: []string{rCallZelenskyy, rAttackClaim, rAttackDenial, rTrumpStated, rUkraineParty,
				rHoldsOffice},
			truncated: true})
		checkSubgraph(t, "Zelenskyy depth 3 limit 9", neighborhood(t, s, nq(idZelenskyy, 3, 9)), refSubgraph{
			nodes: zel3[:9], relations: without(relationsByID, rLocatedIn), truncated: true})
		checkSubgraph(t, "Zelenskyy depth 3 limit 10 (exactly all)", neighborhood(t, s, nq(idZelenskyy, 3, 10)), refSubgraph{
			nodes: zel3, relations: relationsByID})
		checkSubgraph(t, "Zelenskyy depth 1 limit 1", neighborhood(t, s, nq(idZelenskyy, 1, 1)), refSubgraph{
			nodes: nodesAt(0, idZelenskyy), truncated: true})
		// What lies beyond the depth is not truncation.
		checkSubgraph(t, "Sudzha depth 1 limit 3", neighborhood(t, s, nq(idSudzha, 1, 3)), refSubgraph{
			nodes:     concat(nodesAt(0, idSudzha), nodesAt(1, idUkraine, idKurskRegion)),
			relations: []string{rAttackClaim, rAttackDenial, rLocatedIn}})
	})
	t.Run("MissingCentre", func(t *testing.T) {
		_, err := s.Neighborhood(ctx, nq(idMissing, 1, 0))
		isErr(t, err, kg.ErrNotFound, "Neighborhood of a missing entity")
		_, err = s.Neighborhood(ctx, nq(rMediated, 1, 0))
		isErr(t, err, kg.ErrNotFound, "Neighborhood of a relation id")
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			q     kg.NeighborhoodQuery
			field string
		}{
			{nq(idUkraine, 4, 0), "depth"},
			{nq(idUkraine, -1, 0), "depth"},
			{nq(idUkraine, 1, kg.MaxNeighborhood+1), "limit"},
			{nq(idUkraine, 1, -1), "limit"},
			{nq("", 1, 0), "id"},
			{nq("not an id", 1, 0), "id"},
			{kg.NeighborhoodQuery{ID: idUkraine, Types: []kg.RelationType{kg.RelCovers, "LIKES"}}, "types[1]"},
			{kg.NeighborhoodQuery{ID: idUkraine, Statuses: []kg.ClaimStatus{"MAYBE"}}, "statuses[0]"},
		} {
			_, err := s.Neighborhood(ctx, c.q)
			invalidQuery(t, err, fmt.Sprintf("Neighborhood(%+v)", c.q), c.field)
		}
	})
	t.Run("MaxEdges", func(t *testing.T) {
		// Nine parallel relations between two entities, with Limit 2: both entities fit, but
		// only Limit*4 = 8 relations may come, the first 8 by id.
		s := openLoaded(t, open)
		var rels []kg.RelationInput
		var ids []string
		for i := 8; i >= 0; i-- { // written in reverse id order
			id := fmt.Sprintf("rel:parallel-%02d", i)
			rels = append(rels, kg.RelationInput{ID: id, Type: kg.RelSpokeWith, FromID: idKurskCity, ToID: idBBCNews,
				Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC}})
			ids = append(ids, id)
		}
		slices.Sort(ids)
		_, _, err := s.UpsertRelations(t.Context(), rels)
		noErr(t, err, "UpsertRelations")
		q := kg.NeighborhoodQuery{ID: idKurskCity, Limit: 2}
		if q.MaxEdges() != 8 {
			t.Fatalf("MaxEdges of limit 2 = %d, want 8", q.MaxEdges())
		}
		checkSubgraph(t, "Kursk city limit 2", neighborhood(t, s, q), refSubgraph{
			nodes: concat(nodesAt(0, idKurskCity), nodesAt(1, idBBCNews)), relations: ids[:8], truncated: true})
		q.Limit = 3 // room for 12
		checkSubgraph(t, "Kursk city limit 3", neighborhood(t, s, q), refSubgraph{
			nodes: concat(nodesAt(0, idKurskCity), nodesAt(1, idBBCNews)), relations: ids})
		// Exactly Limit*4 relations is not truncation.
		noErr(t, s.DeleteRelation(t.Context(), ids[8]), "DeleteRelation")
		q.Limit = 2
		checkSubgraph(t, "Kursk city limit 2, 8 relations", neighborhood(t, s, q), refSubgraph{
			nodes: concat(nodesAt(0, idKurskCity), nodesAt(1, idBBCNews)), relations: ids[:8]})
	})
}
