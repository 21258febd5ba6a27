package storetest

import (
	"fmt"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

func degrees(t *testing.T, s kg.Store, q kg.DegreeQuery) []string {
	t.Helper()
	ds, err := s.Degrees(t.Context(), q)
	noErr(t, err, fmt.Sprintf("Degrees(%+v)", q))
	out := make([]string, len(ds))
	for i, d := range ds {
		if d.Entity == nil {
			t.Fatalf("Degrees(%+v): item %d has no entity", q, i)
		}
		out[i] = fmt.Sprintf("%s=%d", d.Entity.ID, d.Degree)
	}
	return out
}

func deg(n int, ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("%s=%d", id, n)
	}
	return out
}

func testDegrees(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	// Both directions: the agreement 6, Ukraine 4, Sudzha and Trump 3, Putin and Zelenskyy 2,
	// Russia, the US, the grid and the Kursk region 1; four entities have none.
	both := concat(deg(6, idCeasefire), deg(4, idUkraine), deg(3, idSudzha, idTrump), deg(2, idPutin, idZelenskyy),
		deg(1, idRussia, idUS, idGrid, idKurskRegion))
	cases := []struct {
		name string
		q    kg.DegreeQuery
		want []string
	}{
		{"DefaultLimit", kg.DegreeQuery{}, both},
		{"ZeroDegreeAbsent", kg.DegreeQuery{Limit: 50}, both},
		// Putin and Zelenskyy tie at the cut: the lower id stays.
		{"TopKTiesByID", kg.DegreeQuery{Limit: 5}, both[:5]},
		{"Top1", kg.DegreeQuery{Limit: 1}, both[:1]},
		{"Both", kg.DegreeQuery{Direction: kg.DirectionBoth, Limit: 3}, both[:3]},
		{"Out", kg.DegreeQuery{Direction: kg.DirectionOut, Limit: 50},
			concat(deg(3, idUkraine, idTrump), deg(1, idCeasefire, idRussia, idUS, idSudzha, idPutin, idZelenskyy))},
		{"In", kg.DegreeQuery{Direction: kg.DirectionIn, Limit: 50},
			concat(deg(5, idCeasefire), deg(2, idSudzha), deg(1, idUkraine, idGrid, idKurskRegion, idPutin, idZelenskyy))},
		{"Kinds", kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindPerson}}, concat(deg(3, idTrump), deg(2, idPutin, idZelenskyy))},
		{"KindsOut", kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindPerson, kg.KindCountry}, Direction: kg.DirectionOut},
			concat(deg(3, idUkraine, idTrump), deg(1, idRussia, idUS, idPutin, idZelenskyy))},
		{"KindsWithoutRelations", kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindEvent, kg.KindOrganization}}, []string{}},
		{"Types", kg.DegreeQuery{Types: []kg.RelationType{kg.RelPartyTo, kg.RelAgreed}},
			concat(deg(3, idCeasefire), deg(1, idRussia, idUkraine, idPutin))},
		{"TypesIn", kg.DegreeQuery{Types: []kg.RelationType{kg.RelAttacked}, Direction: kg.DirectionIn}, deg(2, idSudzha)},
		{"TypesOut", kg.DegreeQuery{Types: []kg.RelationType{kg.RelAttacked}, Direction: kg.DirectionOut}, deg(2, idUkraine)},
		{"KindsTypesIn", kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindPerson}, Types: []kg.RelationType{kg.RelSpokeWith},
			Direction: kg.DirectionIn}, deg(1, idPutin, idZelenskyy)},
		{"KindsTypesLimit", kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindCountry, kg.KindAgreement},
			Types: []kg.RelationType{kg.RelPartyTo, kg.RelMediated, kg.RelHoldsOffice}, Limit: 3},
			concat(deg(3, idCeasefire), deg(2, idUkraine), deg(1, idRussia))},
		{"NoSuchRelations", kg.DegreeQuery{Types: []kg.RelationType{kg.RelSupersedes}}, []string{}},
	}
	g := newRefGraph(normEntities(t, fixtureEntities()), normRelations(t, allFixtureRelations()))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ref := g.degrees(c.q); !sameIDs(t, "reference (the test's own expectation)", nonNil(ref), c.want) {
				return
			}
			sameIDs(t, "degrees", degrees(t, s, c.q), c.want)
		})
	}
	t.Run("EntitiesAreWhole", func(t *testing.T) {
		ds, err := s.Degrees(ctx, kg.DegreeQuery{Limit: 2})
		noErr(t, err, "Degrees")
		want := normEntities(t, fixtureEntities())
		if len(ds) == 2 {
			reportDiff(t, "top entity", diffEntity(ds[0].Entity, want[6]))    // the agreement
			reportDiff(t, "second entity", diffEntity(ds[1].Entity, want[0])) // Ukraine
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			q     kg.DegreeQuery
			field string
		}{
			{kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindPerson, "ROBOT"}}, "kinds[1]"},
			{kg.DegreeQuery{Types: []kg.RelationType{"LIKES"}}, "types[0]"},
			{kg.DegreeQuery{Direction: "SIDEWAYS"}, "direction"},
			{kg.DegreeQuery{Limit: kg.MaxPageSize + 1}, "first"},
			{kg.DegreeQuery{Limit: -1}, "first"},
		} {
			_, err := s.Degrees(ctx, c.q)
			invalidQuery(t, err, fmt.Sprintf("Degrees(%+v)", c.q), c.field)
		}
	})
}
