package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// testEnds checks WithEnds: the page is the same as without it, and Ends holds exactly the
// entities its relations name as from, to and claimedBy, equal to what EntitiesByIDs returns.
func testEnds(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	from := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	order := kg.RelationOrder{Field: kg.RelationOrderTime, Direction: kg.Asc}
	filters := []*kg.RelationFilter{
		nil,
		{Types: []kg.RelationType{kg.RelAgreed}},
		{EntityID: idUkraine},
		{OccurredFrom: &from},
		{ClaimedByID: idRussia},
	}
	for i, f := range filters {
		for _, first := range []int{0, 2, kg.MaxPageSize} {
			what := fmt.Sprintf("Relations filter %d first %d", i, first)
			plain := relationPage(t, s, kg.RelationQuery{Filter: f, OrderBy: order, First: first})
			p := relationPage(t, s, kg.RelationQuery{Filter: f, OrderBy: order, First: first, WithEnds: true})
			sameIDs(t, what, relationIDs(p.Items), relationIDs(plain.Items))
			if p.HasNextPage != plain.HasNextPage || p.TotalCount != plain.TotalCount {
				t.Errorf("%s: HasNextPage %t, TotalCount %d; without ends %t, %d", what, p.HasNextPage, p.TotalCount, plain.HasNextPage, plain.TotalCount)
			}
			if plain.Ends != nil {
				t.Errorf("%s: Ends without WithEnds: %d entities", what, len(plain.Ends))
			}
			checkEnds(t, s, what, p)
		}
	}
	ids := []string{idUkraine, idCeasefire, idTrump, idMissing}
	for _, first := range []int{0, 3, kg.MaxPageSize} {
		q := kg.NeighborQuery{EntityIDs: ids, Direction: kg.DirectionBoth, First: first}
		plain := neighbors(t, s, q)
		q.WithEnds = true
		got := neighbors(t, s, q)
		for _, id := range ids {
			what := fmt.Sprintf("Neighbors %s first %d", id, first)
			sameIDs(t, what, relationIDs(got[id].Items), relationIDs(plain[id].Items))
			if plain[id].Ends != nil {
				t.Errorf("%s: Ends without WithEnds", what)
			}
			checkEnds(t, s, what, got[id])
		}
	}
}

func checkEnds(t *testing.T, s kg.Store, what string, p *kg.RelationPage) {
	t.Helper()
	var want []string
	for _, r := range p.Items {
		want = append(want, r.FromID, r.ToID)
		if r.ClaimedByID != "" {
			want = append(want, r.ClaimedByID)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	var got []string
	for id, e := range p.Ends {
		if e == nil || e.ID != id {
			t.Errorf("%s: Ends[%q] = %+v", what, id, e)
		}
		got = append(got, id)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: Ends has %q, want %q", what, got, want)
		return
	}
	es, err := s.EntitiesByIDs(t.Context(), want)
	noErr(t, err, "EntitiesByIDs")
	for i, id := range want {
		if !reflect.DeepEqual(p.Ends[id], es[i]) {
			t.Errorf("%s: Ends[%q] = %+v, EntitiesByIDs gives %+v", what, id, p.Ends[id], es[i])
		}
	}
}
