package storetest

import (
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

func testEntityFilter(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	cases := []struct {
		name   string
		filter *kg.EntityFilter
		want   []string // NAME ascending
	}{
		{"Nil", nil, entitiesByName},
		{"Zero", &kg.EntityFilter{}, entitiesByName},
		{"Kinds", &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}}, []string{idTrump, idPutin, idZelenskyy}},
		{"KindsSeveral", &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindLocation, kg.KindCountry}},
			[]string{idKurskCity, idKurskRegion, idRussia, idUkraine, idUS}},
		{"IDs", &kg.EntityFilter{IDs: []string{idZelenskyy, idMissing, idUkraine}}, []string{idUkraine, idZelenskyy}},
		{"NameContainsIgnoresCase", &kg.EntityFilter{NameContains: "UKR"}, []string{idUkraine, idGrid}},
		{"NameContainsMidWord", &kg.EntityFilter{NameContains: "etering st"}, []string{idSudzha}},
		{"NameContainsAlias", &kg.EntityFilter{NameContains: "federation"}, []string{idRussia}},
		{"NameContainsNonLatinAlias", &kg.EntityFilter{NameContains: "ЗЕЛЕН"}, []string{idZelenskyy}},
		{"NameContainsNameOrAlias", &kg.EntityFilter{NameContains: "trump"}, []string{idTrump, idCallPutin, idCallZelenskyy}},
		{"NameContainsNothing", &kg.EntityFilter{NameContains: "xylophone"}, []string{}},
		{"NameContainsPunctuation", &kg.EntityFilter{NameContains: "–p"}, []string{idCallPutin}},
		{"NameContainsIsLiteral", &kg.EntityFilter{NameContains: ".*"}, []string{}},
		{"NameContainsPercent", &kg.EntityFilter{NameContains: "%"}, []string{}},
		{"NameContainsBackslash", &kg.EntityFilter{NameContains: `\`}, []string{}},
		{"NameContainsQuote", &kg.EntityFilter{NameContains: `"'`}, []string{}},
		{"CategoryIgnoresCase", &kg.EntityFilter{Category: "PHONE CALL"}, []string{idCallPutin, idCallZelenskyy}},
		{"CategoryIsExact", &kg.EntityFilter{Category: "phone"}, []string{}},
		{"SourceID", &kg.EntityFilter{SourceID: srcKremlin}, []string{idCeasefire, idRussia, idSudzha, idCallPutin, idPutin}},
		{"FieldsCombineWithAnd", &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}, SourceID: srcWhiteHouse},
			[]string{idTrump}},
		{"Or", &kg.EntityFilter{Or: []kg.EntityFilter{
			{Kinds: []kg.EntityKind{kg.KindAgreement}},
			{Category: "energy grid"},
		}}, []string{idCeasefire, idGrid}},
		{"Not", &kg.EntityFilter{Not: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson, kg.KindCountry, kg.KindEvent}}},
			[]string{idBBCNews, idCeasefire, idKurskCity, idKurskRegion, idSudzha, idGrid}},
		{"OrWithNot", &kg.EntityFilter{
			Or:  []kg.EntityFilter{{Kinds: []kg.EntityKind{kg.KindPerson}}, {Kinds: []kg.EntityKind{kg.KindCountry}}},
			Not: &kg.EntityFilter{NameContains: "trump"},
		}, []string{idRussia, idUkraine, idUS, idPutin, idZelenskyy}},
		{"AndWithNestedNotOr", &kg.EntityFilter{And: []kg.EntityFilter{
			{Kinds: []kg.EntityKind{kg.KindPerson, kg.KindCountry}},
			{Not: &kg.EntityFilter{Or: []kg.EntityFilter{{IDs: []string{idPutin}}, {NameContains: "united"}}}},
		}}, []string{idTrump, idRussia, idUkraine, idZelenskyy}},
		{"FieldWithOr", &kg.EntityFilter{
			Kinds: []kg.EntityKind{kg.KindEvent},
			Or:    []kg.EntityFilter{{NameContains: "putin"}, {Category: "gas metering station"}},
		}, []string{idCallPutin}},
		{"DoubleNot", &kg.EntityFilter{Not: &kg.EntityFilter{Not: &kg.EntityFilter{SourceID: srcWhiteHouse}}},
			[]string{idTrump, idCeasefire, idCallPutin, idCallZelenskyy, idUS}},
		{"ContradictoryAnd", &kg.EntityFilter{And: []kg.EntityFilter{
			{Kinds: []kg.EntityKind{kg.KindPerson}}, {Kinds: []kg.EntityKind{kg.KindCountry}},
		}}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sameIDs(t, "matches", allEntities(t, s, c.filter), c.want)
		})
	}

	t.Run("InvalidFilter", func(t *testing.T) {
		// A store checks the filter (kg.EntityFilter.Check) rather than trusting its caller:
		// kinds become Neo4j labels, which cannot be parameters.
		_, err := s.Entities(ctx, kg.EntityQuery{Filter: &kg.EntityFilter{Kinds: []kg.EntityKind{"Person`) DETACH DELETE (n"}},
			OrderBy: byName(kg.Asc), First: 10})
		invalidQuery(t, err, "entity filter with a bad kind", "kinds[0]")
		_, err = s.Entities(ctx, kg.EntityQuery{Filter: &kg.EntityFilter{Or: []kg.EntityFilter{{Kinds: []kg.EntityKind{"NOPE"}}}},
			OrderBy: byName(kg.Asc), First: 10})
		invalidQuery(t, err, "entity filter with a bad nested kind", "or[0].kinds[0]")
		if st := stats(t, s); st.Entities != 14 {
			t.Errorf("Entities = %d after invalid filters, want 14", st.Entities)
		}
	})
}

func testRelationFilter(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	utc := func(y int, mo time.Month, d, h, mi int) *time.Time {
		v := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
		return &v
	}
	local := func(v time.Time) *time.Time { return &v }
	cases := []struct {
		name   string
		filter *kg.RelationFilter
		want   []string // TIME ascending
	}{
		{"Nil", nil, relationsByTime},
		{"Zero", &kg.RelationFilter{}, relationsByTime},
		{"IDs", &kg.RelationFilter{IDs: []string{rMediated, rCallPutin, rMissing}}, []string{rCallPutin, rMediated}},
		{"Types", &kg.RelationFilter{Types: []kg.RelationType{kg.RelSpokeWith}}, []string{rCallPutin, rCallZelenskyy}},
		{"TypesSeveral", &kg.RelationFilter{Types: []kg.RelationType{kg.RelCovers, kg.RelHoldsOffice}}, []string{rHoldsOffice, rCovers}},
		{"Statuses", &kg.RelationFilter{Statuses: []kg.ClaimStatus{kg.StatusAlleged, kg.StatusDenied}}, []string{rAttackClaim, rAttackDenial}},
		{"StatusClaimed", &kg.RelationFilter{Statuses: []kg.ClaimStatus{kg.StatusClaimed}}, []string{rPutinAgreed, rUkraineParty}},
		{"FromID", &kg.RelationFilter{FromID: idTrump}, []string{rCallPutin, rCallZelenskyy, rTrumpStated}},
		{"ToID", &kg.RelationFilter{ToID: idCeasefire}, []string{rRussiaParty, rPutinAgreed, rUkraineParty, rTrumpStated, rMediated}},
		{"FromAndTo", &kg.RelationFilter{FromID: idTrump, ToID: idPutin}, []string{rCallPutin}},
		{"EntityIDEitherEnd", &kg.RelationFilter{EntityID: idCeasefire},
			[]string{rRussiaParty, rPutinAgreed, rUkraineParty, rTrumpStated, rCovers, rMediated}},
		{"EntityIDNotClaimedBy", &kg.RelationFilter{EntityID: idUkraine},
			[]string{rHoldsOffice, rUkraineParty, rAttackClaim, rAttackDenial}},
		{"EntityIDWithoutRelations", &kg.RelationFilter{EntityID: idBBCNews}, []string{}},
		{"ClaimedByID", &kg.RelationFilter{ClaimedByID: idRussia}, []string{rPutinAgreed, rAttackClaim}},
		{"SourceID", &kg.RelationFilter{SourceID: srcKremlin}, []string{rRussiaParty, rPutinAgreed, rCallPutin, rAttackClaim}},
		{"SourceIDNotFirst", &kg.RelationFilter{SourceID: srcBBC},
			[]string{rHoldsOffice, rPutinAgreed, rCallPutin, rUkraineParty, rAttackDenial, rCovers, rLocatedIn}},
		// 14:00Z is rCallPutin's instant exactly (inclusive); 22:00Z is rCallZelenskyy's and
		// rTrumpStated's (exclusive). The bounds are given in other offsets than the data.
		{"OccurredWindow", &kg.RelationFilter{
			OccurredFrom: local(at(2025, 3, 18, 10, 0, zWashington)),
			OccurredTo:   local(at(2025, 3, 19, 0, 0, zKyiv)),
		}, []string{rCallPutin, rUkraineParty}},
		{"OccurredWindowUTC", &kg.RelationFilter{OccurredFrom: utc(2025, 3, 18, 13, 30), OccurredTo: utc(2025, 3, 18, 22, 1)},
			[]string{rPutinAgreed, rCallPutin, rUkraineParty, rCallZelenskyy, rTrumpStated}},
		{"OccurredFromOnlyDropsUndated", &kg.RelationFilter{OccurredFrom: utc(2025, 3, 20, 0, 0)}, []string{rAttackClaim, rAttackDenial}},
		{"OccurredToOnlyDropsUndated", &kg.RelationFilter{OccurredTo: utc(2025, 1, 1, 0, 0)}, []string{rHoldsOffice}},
		{"OccurredFromUsesValidFrom", &kg.RelationFilter{OccurredFrom: utc(2019, 5, 19, 21, 0), OccurredTo: utc(2019, 5, 19, 21, 1)},
			[]string{rHoldsOffice}},
		{"OccurredEmptyWindow", &kg.RelationFilter{OccurredFrom: utc(2025, 3, 18, 14, 0), OccurredTo: utc(2025, 3, 18, 14, 0)}, []string{}},
		{"MinConfidenceInclusive", &kg.RelationFilter{MinConfidence: ptr(0.85)}, []string{rPutinAgreed, rCallPutin, rCovers}},
		{"MinConfidenceZeroDropsUnassessed", &kg.RelationFilter{MinConfidence: ptr(0.0)},
			[]string{rPutinAgreed, rCallPutin, rUkraineParty, rAttackClaim, rAttackDenial, rCovers}},
		{"Combined", &kg.RelationFilter{FromID: idUkraine, Types: []kg.RelationType{kg.RelAttacked},
			Statuses: []kg.ClaimStatus{kg.StatusDenied}}, []string{rAttackDenial}},
		{"CombinedNoMatch", &kg.RelationFilter{ClaimedByID: idRussia, MinConfidence: ptr(0.9)}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sameIDs(t, "matches", allRelations(t, s, c.filter), c.want)
		})
	}

	t.Run("InvalidFilter", func(t *testing.T) {
		_, err := s.Relations(ctx, kg.RelationQuery{Filter: &kg.RelationFilter{MinConfidence: ptr(1.5)},
			OrderBy: byTime(kg.Asc), First: 10})
		invalidQuery(t, err, "relation filter with minConfidence 1.5", "minConfidence")
		_, err = s.Relations(ctx, kg.RelationQuery{Filter: &kg.RelationFilter{Types: []kg.RelationType{"LIKES"}},
			OrderBy: byTime(kg.Asc), First: 10})
		invalidQuery(t, err, "relation filter with a bad type", "types[0]")
		_, err = s.Relations(ctx, kg.RelationQuery{Filter: &kg.RelationFilter{OccurredFrom: utc(2025, 1, 2, 0, 0), OccurredTo: utc(2025, 1, 1, 0, 0)},
			OrderBy: byTime(kg.Asc), First: 10})
		invalidQuery(t, err, "relation filter with an inverted window", "occurredTo")
	})
}
