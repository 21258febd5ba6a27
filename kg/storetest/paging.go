package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

func testOrder(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	entityCases := []struct {
		order kg.EntityOrder
		want  []string
	}{
		{byName(kg.Asc), entitiesByName},
		{byName(kg.Desc), reversed(entitiesByName)},
		{byEntityID(kg.Asc), entitiesByID},
		{byEntityID(kg.Desc), reversed(entitiesByID)},
	}
	for _, c := range entityCases {
		t.Run(fmt.Sprintf("Entities%s%s", c.order.Field, c.order.Direction), func(t *testing.T) {
			p := entityPage(t, s, kg.EntityQuery{OrderBy: c.order, First: 100})
			sameIDs(t, "order", entityIDs(p.Items), c.want)
		})
	}
	relationCases := []struct {
		order kg.RelationOrder
		want  []string
	}{
		{byTime(kg.Asc), relationsByTime},
		{byTime(kg.Desc), reversed(relationsByTime)}, // undated first, ties by id descending
		{byRelationID(kg.Asc), relationsByID},
		{byRelationID(kg.Desc), reversed(relationsByID)},
	}
	for _, c := range relationCases {
		t.Run(fmt.Sprintf("Relations%s%s", c.order.Field, c.order.Direction), func(t *testing.T) {
			p := relationPage(t, s, kg.RelationQuery{OrderBy: c.order, First: 100})
			sameIDs(t, "order", relationIDs(p.Items), c.want)
		})
	}
	t.Run("FilteredNameDesc", func(t *testing.T) {
		p := entityPage(t, s, kg.EntityQuery{Filter: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson, kg.KindLocation}},
			OrderBy: byName(kg.Desc), First: 100})
		sameIDs(t, "order", entityIDs(p.Items), []string{idZelenskyy, idPutin, idKurskRegion, idKurskCity, idTrump})
	})
	t.Run("DefaultOrder", func(t *testing.T) {
		// A zero ordering is the documented default: NAME ascending, TIME ascending.
		p := entityPage(t, s, kg.EntityQuery{First: 100})
		sameIDs(t, "default entity order", entityIDs(p.Items), entitiesByName)
		r := relationPage(t, s, kg.RelationQuery{First: 100})
		sameIDs(t, "default relation order", relationIDs(r.Items), relationsByTime)
	})
	t.Run("InvalidOrder", func(t *testing.T) {
		_, err := s.Entities(ctx, kg.EntityQuery{OrderBy: kg.EntityOrder{Field: "AGE"}, First: 10})
		invalidQuery(t, err, "entity order AGE", "orderBy.field")
		_, err = s.Relations(ctx, kg.RelationQuery{OrderBy: kg.RelationOrder{Field: kg.RelationOrderTime, Direction: "SIDEWAYS"}, First: 10})
		invalidQuery(t, err, "relation direction SIDEWAYS", "orderBy.direction")
	})
	t.Run("NameOrderBeyondASCII", func(t *testing.T) {
		// NAME orders by kg.Fold(name) compared as Go compares strings (bytewise UTF-8, i.e.
		// by code point), as kg.After does for cursors. Java (Neo4j) compares UTF-16 code
		// units, which puts characters outside the Basic Multilingual Plane (𝔣, emoji) before
		// U+E000–U+FFFF (full-width letters): a store that sorts in Cypher must sort by a key
		// that orders the same both ways.
		s := openLoaded(t, open)
		_, _, err := s.UpsertEntities(ctx, []kg.EntityInput{
			{ID: "location:fraktur", Kind: kg.KindLocation, Name: "𝔣raktur"},
			{ID: "location:fullwidth", Kind: kg.KindLocation, Name: "ｆｕｌｌ"},
			{ID: "location:omega", Kind: kg.KindLocation, Name: "Ωmega"},
			{ID: "location:kyiv", Kind: kg.KindLocation, Name: "Київ"},
			{ID: "location:emoji", Kind: kg.KindLocation, Name: "🌻 field"},
		})
		noErr(t, err, "UpsertEntities")
		want := append(slices.Clone(entitiesByName), "location:omega", "location:kyiv", "location:fullwidth", "location:fraktur", "location:emoji")
		got := walkEntities(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 3}, 19)
		sameIDs(t, "NAME ASC", got, want)
		got = walkEntities(t, s, kg.EntityQuery{OrderBy: byName(kg.Desc), First: 3}, 19)
		sameIDs(t, "NAME DESC", got, reversed(want))
	})
}

// walkEntities follows HasNextPage and cursors to the end, checking every page on the way.
func walkEntities(t *testing.T, s kg.Store, q kg.EntityQuery, wantTotal int) []string {
	t.Helper()
	var got []string
	for page := 1; ; page++ {
		if page > 100 {
			t.Fatalf("walk did not end after 100 pages; collected %q", got)
		}
		p := entityPage(t, s, q)
		if p.TotalCount != wantTotal {
			t.Errorf("page %d: TotalCount = %d, want %d", page, p.TotalCount, wantTotal)
		}
		if len(p.Items) > q.First {
			t.Errorf("page %d: %d items, more than First=%d", page, len(p.Items), q.First)
		}
		got = append(got, entityIDs(p.Items)...)
		if !p.HasNextPage {
			return got
		}
		if len(p.Items) < q.First {
			t.Errorf("page %d: HasNextPage is true on a short page of %d", page, len(p.Items))
		}
		if len(p.Items) == 0 {
			t.Errorf("page %d: HasNextPage is true on an empty page", page)
			return got
		}
		q.After = q.OrderBy.Cursor(p.Items[len(p.Items)-1])
	}
}

func walkRelations(t *testing.T, s kg.Store, q kg.RelationQuery, wantTotal int) []string {
	t.Helper()
	var got []string
	for page := 1; ; page++ {
		if page > 100 {
			t.Fatalf("walk did not end after 100 pages; collected %q", got)
		}
		p := relationPage(t, s, q)
		if p.TotalCount != wantTotal {
			t.Errorf("page %d: TotalCount = %d, want %d", page, p.TotalCount, wantTotal)
		}
		if len(p.Items) > q.First {
			t.Errorf("page %d: %d items, more than First=%d", page, len(p.Items), q.First)
		}
		got = append(got, relationIDs(p.Items)...)
		if !p.HasNextPage {
			return got
		}
		if len(p.Items) < q.First {
			t.Errorf("page %d: HasNextPage is true on a short page of %d", page, len(p.Items))
		}
		if len(p.Items) == 0 {
			t.Errorf("page %d: HasNextPage is true on an empty page", page)
			return got
		}
		q.After = q.OrderBy.Cursor(p.Items[len(p.Items)-1])
	}
}

// noRepeats reports ids that a walk returned more than once.
func noRepeats(t *testing.T, what string, ids []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("%s: %s returned twice", what, id)
		}
		seen[id] = true
	}
}

func testPaging(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()

	for _, c := range []struct {
		order kg.EntityOrder
		want  []string
	}{
		{byName(kg.Asc), entitiesByName},
		{byName(kg.Desc), reversed(entitiesByName)},
		{byEntityID(kg.Asc), entitiesByID},
		{byEntityID(kg.Desc), reversed(entitiesByID)},
	} {
		for _, first := range []int{2, 5} {
			t.Run(fmt.Sprintf("WalkEntities%s%sBy%d", c.order.Field, c.order.Direction, first), func(t *testing.T) {
				got := walkEntities(t, s, kg.EntityQuery{OrderBy: c.order, First: first}, 14)
				noRepeats(t, "walk", got)
				sameIDs(t, "walk", got, c.want)
			})
		}
	}
	for _, c := range []struct {
		order kg.RelationOrder
		want  []string
	}{
		{byTime(kg.Asc), relationsByTime},
		{byTime(kg.Desc), reversed(relationsByTime)},
		{byRelationID(kg.Asc), relationsByID},
		{byRelationID(kg.Desc), reversed(relationsByID)},
	} {
		for _, first := range []int{2, 5} {
			t.Run(fmt.Sprintf("WalkRelations%s%sBy%d", c.order.Field, c.order.Direction, first), func(t *testing.T) {
				got := walkRelations(t, s, kg.RelationQuery{OrderBy: c.order, First: first}, 12)
				noRepeats(t, "walk", got)
				sameIDs(t, "walk", got, c.want)
			})
		}
	}
	t.Run("WalkFiltered", func(t *testing.T) {
		got := walkEntities(t, s, kg.EntityQuery{Filter: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}},
			OrderBy: byName(kg.Asc), First: 2}, 3)
		sameIDs(t, "persons", got, []string{idTrump, idPutin, idZelenskyy})
		gotR := walkRelations(t, s, kg.RelationQuery{Filter: &kg.RelationFilter{EntityID: idCeasefire},
			OrderBy: byTime(kg.Desc), First: 4}, 6)
		sameIDs(t, "agreement relations", gotR, []string{rMediated, rCovers, rTrumpStated, rUkraineParty, rPutinAgreed, rRussiaParty})
	})
	t.Run("FirstZero", func(t *testing.T) {
		// First=0 returns no items but still counts them, and says there is more.
		p := entityPage(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 0})
		if len(p.Items) != 0 || p.TotalCount != 14 || !p.HasNextPage {
			t.Errorf("Entities First=0: %d items, total %d, next %v; want 0, 14, true", len(p.Items), p.TotalCount, p.HasNextPage)
		}
		r := relationPage(t, s, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 0})
		if len(r.Items) != 0 || r.TotalCount != 12 || !r.HasNextPage {
			t.Errorf("Relations First=0: %d items, total %d, next %v; want 0, 12, true", len(r.Items), r.TotalCount, r.HasNextPage)
		}
		p = entityPage(t, s, kg.EntityQuery{Filter: &kg.EntityFilter{NameContains: "xylophone"}, OrderBy: byName(kg.Asc), First: 0})
		if len(p.Items) != 0 || p.TotalCount != 0 || p.HasNextPage {
			t.Errorf("Entities First=0 matching none: %d items, total %d, next %v; want 0, 0, false", len(p.Items), p.TotalCount, p.HasNextPage)
		}
	})
	t.Run("FirstBeyondEnd", func(t *testing.T) {
		p := entityPage(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 15})
		if len(p.Items) != 14 || p.TotalCount != 14 || p.HasNextPage {
			t.Errorf("Entities First=15: %d items, total %d, next %v; want 14, 14, false", len(p.Items), p.TotalCount, p.HasNextPage)
		}
		p = entityPage(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 14})
		if len(p.Items) != 14 || p.HasNextPage {
			t.Errorf("Entities First=14 (exactly all): %d items, next %v; want 14, false", len(p.Items), p.HasNextPage)
		}
	})
	t.Run("CursorAtEnd", func(t *testing.T) {
		last := mustEntity(t, s, idZelenskyy)
		p := entityPage(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 5, After: byName(kg.Asc).Cursor(last)})
		if len(p.Items) != 0 || p.HasNextPage || p.TotalCount != 14 {
			t.Errorf("page after the last entity: %q, next %v, total %d; want none, false, 14", entityIDs(p.Items), p.HasNextPage, p.TotalCount)
		}
	})
	t.Run("BadCursors", func(t *testing.T) {
		ukraine := mustEntity(t, s, idUkraine)
		call := mustRelation(t, s, rCallPutin)
		nameCursor := byName(kg.Asc).Cursor(ukraine)
		_, err := s.Entities(ctx, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 2, After: "not-a-cursor!!"})
		invalidQuery(t, err, "Entities with a garbage cursor", "after")
		_, err = s.Entities(ctx, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 2, After: kg.Cursor{Order: "E.NAME.ASC"}.Encode()})
		invalidQuery(t, err, "Entities with a cursor without id", "after")
		_, err = s.Entities(ctx, kg.EntityQuery{OrderBy: byEntityID(kg.Asc), First: 2, After: nameCursor})
		invalidQuery(t, err, "Entities ID order with a NAME cursor", "after")
		_, err = s.Entities(ctx, kg.EntityQuery{OrderBy: byName(kg.Desc), First: 2, After: nameCursor})
		invalidQuery(t, err, "Entities NAME DESC with a NAME ASC cursor", "after")
		_, err = s.Entities(ctx, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 2, After: byTime(kg.Asc).Cursor(call)})
		invalidQuery(t, err, "Entities with a relation cursor", "after")
		_, err = s.Relations(ctx, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 2, After: "bm90IGpzb24"})
		invalidQuery(t, err, "Relations with base64 that is not a cursor", "after")
		_, err = s.Relations(ctx, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 2,
			After: kg.Cursor{Order: "R.TIME.ASC", Key: "yesterday", ID: rCallPutin}.Encode()})
		invalidQuery(t, err, "Relations with a non-numeric TIME key", "after")
		_, err = s.Relations(ctx, kg.RelationQuery{OrderBy: byRelationID(kg.Asc), First: 2, After: byTime(kg.Asc).Cursor(call)})
		invalidQuery(t, err, "Relations ID order with a TIME cursor", "after")
		_, err = s.Relations(ctx, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 2, After: nameCursor})
		invalidQuery(t, err, "Relations with an entity cursor", "after")
		_, err = s.Sources(ctx, kg.SourceQuery{First: 2, After: "%%%"})
		invalidQuery(t, err, "Sources with a garbage cursor", "after")
		_, err = s.Sources(ctx, kg.SourceQuery{First: 2, After: nameCursor})
		invalidQuery(t, err, "Sources with an entity NAME cursor", "after")
		_, err = s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{idUkraine}, Direction: kg.DirectionBoth, First: 2, After: "garbage"})
		invalidQuery(t, err, "Neighbors with a garbage cursor", "after")
		_, err = s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{idUkraine}, Direction: kg.DirectionBoth, First: 2,
			After: byTime(kg.Desc).Cursor(call)})
		invalidQuery(t, err, "Neighbors with a TIME DESC cursor", "after")
	})
	t.Run("CursorOfDeletedRow", func(t *testing.T) {
		// A keyset cursor stays valid when its row is gone.
		s := openLoaded(t, open)
		q := kg.EntityQuery{OrderBy: byEntityID(kg.Asc), First: 2}
		var got []string
		for range 3 {
			p := entityPage(t, s, q)
			got = append(got, entityIDs(p.Items)...)
			q.After = q.OrderBy.Cursor(p.Items[len(p.Items)-1])
		}
		sameIDs(t, "first three pages", got, entitiesByID[:6])
		_, err := s.DeleteEntity(ctx, idCallZelenskyy, false)
		noErr(t, err, "DeleteEntity")
		rest := walkEntities(t, s, q, 13)
		sameIDs(t, "rest after the cursor's row was deleted", rest, entitiesByID[6:])
	})
	t.Run("InsertBetweenPagesEntities", func(t *testing.T) {
		s := openLoaded(t, open)
		q := kg.EntityQuery{OrderBy: byName(kg.Asc), First: 2}
		var got []string
		for range 2 {
			p := entityPage(t, s, q)
			got = append(got, entityIDs(p.Items)...)
			q.After = q.OrderBy.Cursor(p.Items[len(p.Items)-1])
		}
		sameIDs(t, "first two pages", got, entitiesByName[:4]) // up to location:kursk-city
		_, c, err := s.UpsertEntities(ctx, []kg.EntityInput{
			{ID: "location:aardvark", Kind: kg.KindLocation, Name: "Aardvark"},                                             // before the cursor
			{ID: "location:kursk-a", Kind: kg.KindLocation, Name: "kursk"},                                                 // ties the cursor's name, id before
			{ID: "location:kursk-z", Kind: kg.KindLocation, Name: "Kursk"},                                                 // ties the cursor's name, id after
			{ID: "infrastructure:zaporizhzhia-npp", Kind: kg.KindInfrastructure, Name: "Zaporizhzhia nuclear power plant"}, // last
		})
		noErr(t, err, "UpsertEntities between pages")
		counts(t, "UpsertEntities between pages", c, 4, 0, 0)
		rest := walkEntities(t, s, q, 18)
		all := append(got, rest...)
		noRepeats(t, "walk with inserts", all)
		want := append([]string{idKurskRegion, "location:kursk-z"}, entitiesByName[5:]...)
		want = append(want, "infrastructure:zaporizhzhia-npp")
		sameIDs(t, "pages after the inserts", rest, want)
	})
	t.Run("InsertBetweenPagesRelations", func(t *testing.T) {
		s := openLoaded(t, open)
		q := kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 2}
		var got []string
		for range 2 {
			p := relationPage(t, s, q)
			got = append(got, relationIDs(p.Items)...)
			q.After = q.OrderBy.Cursor(p.Items[len(p.Items)-1])
		}
		sameIDs(t, "first two pages", got, relationsByTime[:4]) // up to rCallPutin at 14:00Z
		mk := func(id string, occurred *kg.Time) kg.RelationInput {
			r := newRelation(id)
			r.OccurredAt = occurred
			return r
		}
		_, c, err := s.UpsertRelations(ctx, []kg.RelationInput{
			mk("rel:before", tm(time.Date(2025, 3, 18, 12, 0, 0, 0, time.UTC), kg.PrecisionHour, "")),
			mk("rel:a-tie", tm(time.Date(2025, 3, 18, 16, 0, 0, 0, zKyiv), kg.PrecisionMinute, "")),                   // 14:00Z, id before
			mk("rel:call-trump-putin-2", tm(time.Date(2025, 3, 18, 7, 0, 0, 0, time.FixedZone("", -7*3600)), "", "")), // 14:00Z, id after
			mk("rel:next-day", tm(time.Date(2025, 3, 19, 12, 0, 0, 0, zKyiv), kg.PrecisionHour, "")),
			mk("rel:zz-undated", nil),
		})
		noErr(t, err, "UpsertRelations between pages")
		counts(t, "UpsertRelations between pages", c, 5, 0, 0)
		rest := walkRelations(t, s, q, 17)
		noRepeats(t, "walk with inserts", append(got, rest...))
		sameIDs(t, "pages after the inserts", rest, []string{
			"rel:call-trump-putin-2", rUkraineParty, rCallZelenskyy, rTrumpStated, "rel:next-day",
			rAttackClaim, rAttackDenial, rCovers, rLocatedIn, rMediated, "rel:zz-undated",
		})
	})

	t.Run("WalkAcrossEras", func(t *testing.T) {
		// TIME keys are Unix nanoseconds: 18 digits before September 2001, negative before
		// 1970. A store that compares them as text, not numbers, orders or cuts them wrong.
		s := openLoaded(t, open)
		mk := func(id string, from *kg.Time) kg.RelationInput {
			return kg.RelationInput{ID: id, Type: kg.RelHoldsOffice, FromID: idPutin, ToID: idRussia,
				Status: kg.StatusConfirmed, SourceIDs: []string{srcKremlin}, ValidFrom: from}
		}
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{
			mk("rel:era-2000", tm(at(2000, 5, 7, 0, 0, time.FixedZone("MSD", 4*3600)), kg.PrecisionDay, "")),
			mk("rel:era-1952", tm(at(1952, 10, 7, 0, 0, zMoscow), kg.PrecisionDay, "born")),
			mk("rel:era-1999", tm(at(1999, 12, 31, 12, 0, zMoscow), kg.PrecisionHour, "")),
			mk("rel:era-1969", tm(at(1969, 12, 31, 23, 0, time.UTC), kg.PrecisionHour, "")),
		})
		noErr(t, err, "UpsertRelations")
		want := append([]string{"rel:era-1952", "rel:era-1969", "rel:era-1999", "rel:era-2000"}, relationsByTime...)
		for _, first := range []int{1, 3} {
			got := walkRelations(t, s, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: first}, 16)
			sameIDs(t, fmt.Sprintf("TIME ASC by %d", first), got, want)
			got = walkRelations(t, s, kg.RelationQuery{OrderBy: byTime(kg.Desc), First: first}, 16)
			sameIDs(t, fmt.Sprintf("TIME DESC by %d", first), got, reversed(want))
		}
		sameIDs(t, "window before 1970", allRelations(t, s, &kg.RelationFilter{
			OccurredTo: ptr(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)),
		}), []string{"rel:era-1952", "rel:era-1969"})
		sameIDs(t, "window across 2001", allRelations(t, s, &kg.RelationFilter{
			OccurredFrom: ptr(time.Date(1999, 12, 31, 9, 0, 0, 0, time.UTC)),
			OccurredTo:   ptr(time.Date(2019, 5, 19, 21, 0, 0, 0, time.UTC)),
		}), []string{"rel:era-1999", "rel:era-2000"})
		q := kg.NeighborQuery{EntityIDs: []string{idPutin}, Direction: kg.DirectionOut, First: 2}
		var got []string
		for range 4 {
			p := neighbors(t, s, q)[idPutin]
			got = append(got, relationIDs(p.Items)...)
			if !p.HasNextPage || len(p.Items) == 0 {
				break
			}
			q.After = kg.NeighborOrder.Cursor(p.Items[len(p.Items)-1])
		}
		sameIDs(t, "Putin OUT across eras", got, []string{"rel:era-1952", "rel:era-1969", "rel:era-1999", "rel:era-2000", rPutinAgreed})
	})

}
