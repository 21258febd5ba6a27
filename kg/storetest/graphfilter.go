package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// testHasRelation covers the entity filters that look at the graph (HasRelation) or at an
// event's time (OccurredFrom/To), alone and nested in And, Or and Not.
func testHasRelation(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	has := func(p kg.RelationPredicate) *kg.EntityFilter { return &kg.EntityFilter{HasRelation: &p} }
	types := func(ts ...kg.RelationType) []kg.RelationType { return ts }
	utc := func(y int, mo time.Month, d, h, mi, sec, ns int) *time.Time {
		v := time.Date(y, mo, d, h, mi, sec, ns, time.UTC)
		return &v
	}
	local := func(v time.Time) *time.Time { return &v }
	connected := []string{idTrump, idCeasefire, idKurskRegion, idRussia, idSudzha, idUkraine, idGrid, idUS, idPutin, idZelenskyy}
	cases := []struct {
		name   string
		filter *kg.EntityFilter
		want   []string // NAME ascending
	}{
		{"Any", has(kg.RelationPredicate{}), connected},
		{"NotAny", &kg.EntityFilter{Not: has(kg.RelationPredicate{})}, []string{idBBCNews, idKurskCity, idCallPutin, idCallZelenskyy}},
		{"Types", has(kg.RelationPredicate{Types: types(kg.RelSpokeWith)}), []string{idTrump, idPutin, idZelenskyy}},
		{"TypesSeveral", has(kg.RelationPredicate{Types: types(kg.RelCovers, kg.RelLocatedIn)}),
			[]string{idCeasefire, idKurskRegion, idSudzha, idGrid}},
		{"DirectionOut", has(kg.RelationPredicate{Types: types(kg.RelSpokeWith), Direction: kg.DirectionOut}), []string{idTrump}},
		{"DirectionIn", has(kg.RelationPredicate{Types: types(kg.RelSpokeWith), Direction: kg.DirectionIn}), []string{idPutin, idZelenskyy}},
		{"DirectionBoth", has(kg.RelationPredicate{Types: types(kg.RelAttacked), Direction: kg.DirectionBoth}), []string{idSudzha, idUkraine}},
		{"OtherID", has(kg.RelationPredicate{OtherID: idCeasefire}), []string{idTrump, idRussia, idUkraine, idGrid, idUS, idPutin}},
		{"OtherIDOut", has(kg.RelationPredicate{OtherID: idCeasefire, Direction: kg.DirectionOut}),
			[]string{idTrump, idRussia, idUkraine, idUS, idPutin}},
		{"OtherIDIn", has(kg.RelationPredicate{OtherID: idCeasefire, Direction: kg.DirectionIn}), []string{idGrid}},
		{"OtherIDTypes", has(kg.RelationPredicate{OtherID: idCeasefire, Types: types(kg.RelPartyTo)}), []string{idRussia, idUkraine}},
		{"OtherIDMissing", has(kg.RelationPredicate{OtherID: idMissing}), []string{}},
		{"OtherIDClaimantIsNotAnEnd", has(kg.RelationPredicate{OtherID: idZelenskyy, Types: types(kg.RelPartyTo)}), []string{}},
		{"Statuses", has(kg.RelationPredicate{Statuses: []kg.ClaimStatus{kg.StatusClaimed}}), []string{idCeasefire, idUkraine, idPutin}},
		{"StatusesDirection", has(kg.RelationPredicate{Statuses: []kg.ClaimStatus{kg.StatusDenied}, Direction: kg.DirectionIn}), []string{idSudzha}},
		{"StatusesNone", has(kg.RelationPredicate{Statuses: []kg.ClaimStatus{kg.StatusDisputed}}), []string{}},
		// One relation must match the whole predicate: Ukraine has a PARTY_TO (claimed) and a
		// confirmed relation (HOLDS_OFFICE), but no confirmed PARTY_TO.
		{"OneRelationMatchesAll", has(kg.RelationPredicate{Types: types(kg.RelPartyTo), Statuses: []kg.ClaimStatus{kg.StatusConfirmed}}),
			[]string{idCeasefire, idRussia}},
		{"OneRelationMatchesAllOther", has(kg.RelationPredicate{OtherID: idTrump, Types: types(kg.RelStated)}), []string{idCeasefire}},
		{"OneRelationDirectionOther", has(kg.RelationPredicate{OtherID: idTrump, Direction: kg.DirectionOut}), []string{}},
		{"WithFields", &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindCountry}, HasRelation: &kg.RelationPredicate{OtherID: idCeasefire}},
			[]string{idRussia, idUkraine, idUS}},
		{"InAnd", &kg.EntityFilter{And: []kg.EntityFilter{{Kinds: []kg.EntityKind{kg.KindPerson}}, *has(kg.RelationPredicate{Types: types(kg.RelAgreed)})}},
			[]string{idPutin}},
		{"InOr", &kg.EntityFilter{Or: []kg.EntityFilter{*has(kg.RelationPredicate{Types: types(kg.RelCovers)}), *has(kg.RelationPredicate{Types: types(kg.RelLocatedIn)})}},
			[]string{idCeasefire, idKurskRegion, idSudzha, idGrid}},
		{"InNot", &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindCountry}, Not: has(kg.RelationPredicate{Types: types(kg.RelPartyTo)})},
			[]string{idUS}},
		{"Nested", &kg.EntityFilter{Or: []kg.EntityFilter{
			*has(kg.RelationPredicate{Direction: kg.DirectionIn, Types: types(kg.RelSpokeWith)}),
			{And: []kg.EntityFilter{{Kinds: []kg.EntityKind{kg.KindInfrastructure}}, {Not: has(kg.RelationPredicate{Types: types(kg.RelAttacked)})}}},
		}}, []string{idGrid, idPutin, idZelenskyy}},
		{"TwoPredicates", &kg.EntityFilter{HasRelation: &kg.RelationPredicate{Types: types(kg.RelSpokeWith)},
			And: []kg.EntityFilter{*has(kg.RelationPredicate{Types: types(kg.RelHoldsOffice)})}}, []string{idZelenskyy}},

		// Events at 14:00Z (the Putin call, hour precision) and 22:00Z (the Zelenskyy call,
		// day precision): the window is on the instant, From inclusive, To exclusive, and the
		// bounds may be in any offset.
		{"OccurredWindow", &kg.EntityFilter{OccurredFrom: local(at(2025, 3, 18, 10, 0, zWashington)), OccurredTo: local(at(2025, 3, 19, 0, 0, zKyiv))},
			[]string{idCallPutin}},
		{"OccurredWindowLater", &kg.EntityFilter{OccurredFrom: utc(2025, 3, 18, 14, 0, 0, 1), OccurredTo: utc(2025, 3, 18, 22, 0, 0, 1)},
			[]string{idCallZelenskyy}},
		{"OccurredFromOnly", &kg.EntityFilter{OccurredFrom: utc(2025, 3, 18, 0, 0, 0, 0)}, []string{idCallPutin, idCallZelenskyy}},
		{"OccurredToOnlyExclusive", &kg.EntityFilter{OccurredTo: utc(2025, 3, 18, 14, 0, 0, 0)}, []string{}},
		{"OccurredToOnly", &kg.EntityFilter{OccurredTo: utc(2025, 3, 18, 14, 0, 1, 0)}, []string{idCallPutin}},
		{"OccurredEmptyWindow", &kg.EntityFilter{OccurredFrom: utc(2025, 3, 18, 14, 0, 0, 0), OccurredTo: utc(2025, 3, 18, 14, 0, 0, 0)}, []string{}},
		// Agreements have validFrom, not occurredAt: never in a window.
		{"OccurredOnlyEvents", &kg.EntityFilter{OccurredFrom: utc(2000, 1, 1, 0, 0, 0, 0), OccurredTo: utc(2100, 1, 1, 0, 0, 0, 0)},
			[]string{idCallPutin, idCallZelenskyy}},
		// Not of a window keeps the entities without a time (the window never matches them).
		{"NotOccurred", &kg.EntityFilter{Not: &kg.EntityFilter{OccurredFrom: utc(2025, 3, 18, 20, 0, 0, 0)}}, without(entitiesByName, idCallZelenskyy)},
		{"OccurredInOr", &kg.EntityFilter{Or: []kg.EntityFilter{
			{OccurredTo: utc(2025, 3, 18, 20, 0, 0, 0)}, *has(kg.RelationPredicate{Types: types(kg.RelAgreed)}),
		}}, []string{idCeasefire, idCallPutin, idPutin}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sameIDs(t, "matches", allEntities(t, s, c.filter), c.want)
		})
	}
	t.Run("Paged", func(t *testing.T) {
		// TotalCount and cursors hold with a graph predicate.
		got := walkEntities(t, s, kg.EntityQuery{Filter: has(kg.RelationPredicate{}), OrderBy: byEntityID(kg.Desc), First: 3}, len(connected))
		sameIDs(t, "connected entities by id descending", got,
			reversed(without(entitiesByID, idBBCNews, idKurskCity, idCallPutin, idCallZelenskyy)))
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			f     *kg.EntityFilter
			field string
		}{
			{has(kg.RelationPredicate{Direction: "UP"}), "hasRelation.direction"},
			{has(kg.RelationPredicate{Types: types(kg.RelCovers, "LIKES")}), "hasRelation.types[1]"},
			{has(kg.RelationPredicate{Statuses: []kg.ClaimStatus{"MAYBE"}}), "hasRelation.statuses[0]"},
			{&kg.EntityFilter{Or: []kg.EntityFilter{{}, *has(kg.RelationPredicate{Types: types("LIKES")})}}, "or[1].hasRelation.types[0]"},
			{&kg.EntityFilter{Not: has(kg.RelationPredicate{Direction: "UP"})}, "not.hasRelation.direction"},
			{&kg.EntityFilter{OccurredFrom: utc(2025, 3, 2, 0, 0, 0, 0), OccurredTo: utc(2025, 3, 1, 0, 0, 0, 0)}, "occurredTo"},
			{&kg.EntityFilter{And: []kg.EntityFilter{{OccurredFrom: utc(2025, 3, 2, 0, 0, 0, 0), OccurredTo: utc(2025, 3, 1, 0, 0, 0, 0)}}}, "and[0].occurredTo"},
		} {
			_, err := s.Entities(ctx, kg.EntityQuery{Filter: c.f, OrderBy: byName(kg.Asc), First: 10})
			invalidQuery(t, err, fmt.Sprintf("entity filter naming %s", c.field), c.field)
		}
	})
}

// testRelationFilterEntities covers RelationFilter.EntityIDs and DisputesIDs.
func testRelationFilterEntities(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	cases := []struct {
		name   string
		filter *kg.RelationFilter
		want   []string // TIME ascending
	}{
		{"EntityIDs", &kg.RelationFilter{EntityIDs: []string{idTrump, idSudzha}},
			[]string{rCallPutin, rCallZelenskyy, rTrumpStated, rAttackClaim, rAttackDenial, rLocatedIn}},
		// A relation between two listed entities comes once.
		{"EntityIDsBothEnds", &kg.RelationFilter{EntityIDs: []string{idTrump, idPutin}},
			[]string{rPutinAgreed, rCallPutin, rCallZelenskyy, rTrumpStated}},
		{"EntityIDsOne", &kg.RelationFilter{EntityIDs: []string{idUS}}, []string{rMediated}},
		{"EntityIDsMissing", &kg.RelationFilter{EntityIDs: []string{idMissing}}, []string{}},
		{"EntityIDsWithoutRelations", &kg.RelationFilter{EntityIDs: []string{idBBCNews, idMissing, idCallPutin}}, []string{}},
		// The claimant is not an end.
		{"EntityIDsNotClaimedBy", &kg.RelationFilter{EntityIDs: []string{idRussia}}, []string{rRussiaParty}},
		{"EntityIDsAndEntityID", &kg.RelationFilter{EntityIDs: []string{idTrump, idUkraine}, EntityID: idCeasefire},
			[]string{rUkraineParty, rTrumpStated}},
		{"EntityIDsAndTypes", &kg.RelationFilter{EntityIDs: []string{idUkraine, idGrid}, Types: []kg.RelationType{kg.RelAttacked, kg.RelCovers}},
			[]string{rAttackClaim, rAttackDenial, rCovers}},
		{"EntityIDsAndFrom", &kg.RelationFilter{EntityIDs: []string{idCeasefire}, FromID: idUkraine}, []string{rUkraineParty}},
		{"DisputesID", &kg.RelationFilter{DisputesIDs: []string{rAttackClaim}}, []string{rAttackDenial}},
		{"DisputesIDUndisputed", &kg.RelationFilter{DisputesIDs: []string{rAttackDenial}}, []string{}},
		{"DisputesIDMissing", &kg.RelationFilter{DisputesIDs: []string{rMissing}}, []string{}},
		{"DisputesIDAndStatus", &kg.RelationFilter{DisputesIDs: []string{rAttackClaim}, Statuses: []kg.ClaimStatus{kg.StatusConfirmed}}, []string{}},
		{"DisputesIDAndEntityIDs", &kg.RelationFilter{DisputesIDs: []string{rAttackClaim}, EntityIDs: []string{idSudzha}}, []string{rAttackDenial}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sameIDs(t, "matches", allRelations(t, s, c.filter), c.want)
		})
	}
	t.Run("Invalid", func(t *testing.T) {
		ids := make([]string, kg.MaxBatch+1)
		for i := range ids {
			ids[i] = fmt.Sprintf("person:p%d", i)
		}
		_, err := s.Relations(ctx, kg.RelationQuery{Filter: &kg.RelationFilter{EntityIDs: ids}, OrderBy: byTime(kg.Asc), First: 10})
		invalidQuery(t, err, "relation filter with too many entity ids", "entityIds")
	})
	t.Run("DisputesSeveral", func(t *testing.T) {
		// Writes to the group's store: last.
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{
			{ID: "rel:grid-not-covered", Type: kg.RelStated, FromID: idRussia, ToID: idCeasefire,
				Status: kg.StatusClaimed, SourceIDs: []string{srcKremlin}, DisputesIDs: []string{rMediated, rCovers}},
			{ID: "rel:attack-denied-again", Type: kg.RelStated, FromID: idZelenskyy, ToID: idSudzha,
				Status: kg.StatusClaimed, SourceIDs: []string{srcBBC}, DisputesIDs: []string{rAttackClaim},
				OccurredAt: tm(at(2025, 3, 21, 12, 0, zKyiv), kg.PrecisionMinute, "")},
		})
		noErr(t, err, "UpsertRelations")
		sameIDs(t, "disputing the mediation", allRelations(t, s, &kg.RelationFilter{DisputesIDs: []string{rMediated}}), []string{"rel:grid-not-covered"})
		sameIDs(t, "disputing the coverage", allRelations(t, s, &kg.RelationFilter{DisputesIDs: []string{rCovers}}), []string{"rel:grid-not-covered"})
		sameIDs(t, "disputing the attack claim", allRelations(t, s, &kg.RelationFilter{DisputesIDs: []string{rAttackClaim}}),
			[]string{rAttackDenial, "rel:attack-denied-again"})
		p := relationPage(t, s, kg.RelationQuery{Filter: &kg.RelationFilter{DisputesIDs: []string{rAttackClaim}}, OrderBy: byRelationID(kg.Desc), First: 1})
		sameIDs(t, "first by id descending", relationIDs(p.Items), []string{rAttackDenial})
		if p.TotalCount != 2 || !p.HasNextPage {
			t.Errorf("TotalCount %d, HasNextPage %v; want 2, true", p.TotalCount, p.HasNextPage)
		}
		// Deleting the disputed relation empties the filter.
		noErr(t, s.DeleteRelation(ctx, rAttackClaim), "DeleteRelation")
		sameIDs(t, "disputing a deleted relation", allRelations(t, s, &kg.RelationFilter{DisputesIDs: []string{rAttackClaim}}), []string{})
	})
}
