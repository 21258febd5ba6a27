package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// testCounts checks how listings count: SkipTotal changes nothing but TotalCount (which is
// then 0), and a page of 0 still counts and still says whether anything follows, with and
// without a cursor. The stores answer these cases by other routes (count-store lookups, a
// count without the page, a page without the count), which is why each is compared with
// the plain listing.
func testCounts(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	from := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	confidence := 0.5

	entityFilters := []*kg.EntityFilter{
		nil,
		{},
		{Kinds: []kg.EntityKind{kg.KindCountry}},
		{Kinds: []kg.EntityKind{kg.KindPerson, kg.KindCountry, kg.KindPerson}},
		{Kinds: []kg.EntityKind{kg.KindAgreement}, NameContains: "cease"},
		{HasRelation: &kg.RelationPredicate{OtherID: idUkraine}},
		{Kinds: []kg.EntityKind{kg.KindEvent}, NameContains: "no such name"},
	}
	for i, f := range entityFilters {
		t.Run(fmt.Sprintf("Entities%d", i), func(t *testing.T) {
			q := kg.EntityQuery{Filter: f, OrderBy: byName(kg.Asc), First: kg.MaxPageSize}
			all := entityPage(t, s, q)
			want := len(all.Items)
			if all.TotalCount != want {
				t.Fatalf("TotalCount = %d for %d items", all.TotalCount, want)
			}
			for _, first := range []int{0, 1, 2} {
				for _, skip := range []bool{false, true} {
					for _, after := range []int{-1, 0} { // no cursor; after the first item
						if after >= want {
							continue
						}
						q := kg.EntityQuery{Filter: f, OrderBy: byName(kg.Asc), First: first, SkipTotal: skip}
						start := 0
						if after >= 0 {
							q.After, start = q.OrderBy.Cursor(all.Items[after]), after+1
						}
						p := entityPage(t, s, q)
						what := fmt.Sprintf("first %d, skip total %t, after %d", first, skip, after)
						sameIDs(t, what, entityIDs(p.Items), entityIDs(all.Items[start:min(start+first, want)]))
						checkCounts(t, what, p.HasNextPage, p.TotalCount, start+first < want, want, skip)
					}
				}
			}
		})
	}

	relationFilters := []*kg.RelationFilter{
		nil,
		{},
		{Types: []kg.RelationType{kg.RelAttacked}},
		{Types: []kg.RelationType{kg.RelAgreed, kg.RelAttacked, kg.RelAgreed}},
		{Types: []kg.RelationType{kg.RelAgreed}, Statuses: []kg.ClaimStatus{kg.StatusClaimed}},
		{OccurredFrom: &from},
		{EntityID: idUkraine, MinConfidence: &confidence},
	}
	for i, f := range relationFilters {
		t.Run(fmt.Sprintf("Relations%d", i), func(t *testing.T) {
			order := kg.RelationOrder{Field: kg.RelationOrderTime, Direction: kg.Asc}
			all := relationPage(t, s, kg.RelationQuery{Filter: f, OrderBy: order, First: kg.MaxPageSize})
			want := len(all.Items)
			if all.TotalCount != want {
				t.Fatalf("TotalCount = %d for %d items", all.TotalCount, want)
			}
			for _, first := range []int{0, 1, 2} {
				for _, skip := range []bool{false, true} {
					for _, after := range []int{-1, 0} {
						if after >= want {
							continue
						}
						q := kg.RelationQuery{Filter: f, OrderBy: order, First: first, SkipTotal: skip}
						start := 0
						if after >= 0 {
							q.After, start = order.Cursor(all.Items[after]), after+1
						}
						p := relationPage(t, s, q)
						what := fmt.Sprintf("first %d, skip total %t, after %d", first, skip, after)
						sameIDs(t, what, relationIDs(p.Items), relationIDs(all.Items[start:min(start+first, want)]))
						checkCounts(t, what, p.HasNextPage, p.TotalCount, start+first < want, want, skip)
					}
				}
			}
		})
	}

	t.Run("Neighbors", func(t *testing.T) {
		ids := []string{idUkraine, idCeasefire, idKurskCity, idMissing}
		for _, d := range []kg.Direction{kg.DirectionBoth, kg.DirectionOut, kg.DirectionIn} {
			for _, types := range [][]kg.RelationType{nil, {kg.RelAgreed, kg.RelPartyTo}} {
				all := neighbors(t, s, kg.NeighborQuery{EntityIDs: ids, Direction: d, Types: types, First: kg.MaxPageSize})
				for _, first := range []int{0, 1, 2} {
					for _, skip := range []bool{false, true} {
						q := kg.NeighborQuery{EntityIDs: ids, Direction: d, Types: types, First: first, SkipTotal: skip}
						got := neighbors(t, s, q)
						for _, id := range ids {
							want := all[id].Items
							what := fmt.Sprintf("%s %s %v first %d, skip total %t", id, d, types, first, skip)
							sameIDs(t, what, relationIDs(got[id].Items), relationIDs(want[:min(first, len(want))]))
							checkCounts(t, what, got[id].HasNextPage, got[id].TotalCount, first < len(want), len(want), skip)
						}
						if len(all[idUkraine].Items) > 0 {
							q.After = kg.NeighborOrder.Cursor(all[idUkraine].Items[0])
							q.EntityIDs = []string{idUkraine}
							want := all[idUkraine].Items[1:]
							p := neighbors(t, s, q)[idUkraine]
							what := fmt.Sprintf("%s %v first %d after the first, skip total %t", d, types, first, skip)
							sameIDs(t, what, relationIDs(p.Items), relationIDs(want[:min(first, len(want))]))
							checkCounts(t, what, p.HasNextPage, p.TotalCount, first < len(want), len(want)+1, skip)
						}
					}
				}
			}
		}
	})

	t.Run("Sources", func(t *testing.T) {
		all, err := s.Sources(t.Context(), kg.SourceQuery{First: kg.MaxPageSize})
		noErr(t, err, "Sources")
		want := len(all.Items)
		for _, first := range []int{0, 1} {
			for _, skip := range []bool{false, true} {
				p, err := s.Sources(t.Context(), kg.SourceQuery{First: first, SkipTotal: skip})
				noErr(t, err, "Sources")
				what := fmt.Sprintf("sources first %d, skip total %t", first, skip)
				if len(p.Items) != min(first, want) {
					t.Errorf("%s: %d items", what, len(p.Items))
				}
				checkCounts(t, what, p.HasNextPage, p.TotalCount, first < want, want, skip)
			}
		}
	})
}

// checkCounts checks a page's HasNextPage and TotalCount: the total, or 0 when skipped.
func checkCounts(t *testing.T, what string, hasNext bool, total int, wantNext bool, wantTotal int, skipped bool) {
	t.Helper()
	if skipped {
		wantTotal = 0
	}
	if hasNext != wantNext || total != wantTotal {
		t.Errorf("%s: HasNextPage %t, TotalCount %d; want %t, %d", what, hasNext, total, wantNext, wantTotal)
	}
}
