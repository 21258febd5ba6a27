package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// wantStats is an expected kg.Stats; nil maps expect every count zero.
type wantStats struct {
	entities, relations, sources int
	byKind                       map[kg.EntityKind]int
	byType                       map[kg.RelationType]int
	byStatus                     map[kg.ClaimStatus]int
	bySource                     map[string]int
}

func checkStats(t *testing.T, what string, st *kg.Stats, w wantStats) {
	t.Helper()
	if st == nil {
		t.Errorf("%s: Stats is nil", what)
		return
	}
	if st.Entities != w.entities || st.Relations != w.relations || st.Sources != w.sources {
		t.Errorf("%s: totals = %d entities, %d relations, %d sources; want %d, %d, %d", what,
			st.Entities, st.Relations, st.Sources, w.entities, w.relations, w.sources)
	}
	sameCounts(t, what+": ByKind", st.ByKind, w.byKind)
	sameCounts(t, what+": ByType", st.ByType, w.byType)
	sameCounts(t, what+": ByStatus", st.ByStatus, w.byStatus)
	sameCounts(t, what+": BySource", st.BySource, w.bySource)
}

func testStatsQuery(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	statsOf := func(t *testing.T, q kg.StatsQuery) *kg.Stats {
		t.Helper()
		st, err := s.Stats(ctx, q)
		noErr(t, err, fmt.Sprintf("Stats(%+v)", q))
		return st
	}
	wholeKinds := map[kg.EntityKind]int{
		kg.KindPerson: 3, kg.KindCountry: 3, kg.KindOrganization: 1, kg.KindAgreement: 1,
		kg.KindInfrastructure: 2, kg.KindLocation: 2, kg.KindEvent: 2,
	}
	wholeTypes := map[kg.RelationType]int{
		kg.RelHoldsOffice: 1, kg.RelPartyTo: 2, kg.RelAgreed: 1, kg.RelSpokeWith: 2, kg.RelStated: 1,
		kg.RelAttacked: 2, kg.RelCovers: 1, kg.RelLocatedIn: 1, kg.RelMediated: 1,
	}
	wholeStatuses := map[kg.ClaimStatus]int{kg.StatusConfirmed: 8, kg.StatusClaimed: 2, kg.StatusAlleged: 1, kg.StatusDenied: 1}
	// A relation with several sources counts once under each.
	wholeSources := map[string]int{srcBBC: 7, srcKremlin: 4, srcWhiteHouse: 4}
	whole := wantStats{14, 12, 3, wholeKinds, wholeTypes, wholeStatuses, wholeSources}

	t.Run("Whole", func(t *testing.T) {
		checkStats(t, "zero query", statsOf(t, kg.StatsQuery{}), whole)
		checkStats(t, "empty filters", statsOf(t, kg.StatsQuery{Entities: &kg.EntityFilter{}, Relations: &kg.RelationFilter{}}), whole)
	})
	t.Run("EntityFilter", func(t *testing.T) {
		// Relation counts stay whole when only entities are filtered.
		w := whole
		w.entities, w.byKind = 3, map[kg.EntityKind]int{kg.KindPerson: 3}
		checkStats(t, "persons", statsOf(t, kg.StatsQuery{Entities: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}}}), w)
		w.entities, w.byKind = 5, map[kg.EntityKind]int{kg.KindCountry: 1, kg.KindAgreement: 1, kg.KindInfrastructure: 1, kg.KindEvent: 2}
		checkStats(t, "by source or category", statsOf(t, kg.StatsQuery{Entities: &kg.EntityFilter{
			Or: []kg.EntityFilter{{SourceID: srcWhiteHouse, Not: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}}}, {Category: "energy grid"}},
		}}), w)
		w.entities, w.byKind = 2, map[kg.EntityKind]int{kg.KindCountry: 2}
		checkStats(t, "countries party to something", statsOf(t, kg.StatsQuery{Entities: &kg.EntityFilter{
			Kinds: []kg.EntityKind{kg.KindCountry}, HasRelation: &kg.RelationPredicate{Types: []kg.RelationType{kg.RelPartyTo}},
		}}), w)
		w.entities, w.byKind = 0, nil
		checkStats(t, "nothing", statsOf(t, kg.StatsQuery{Entities: &kg.EntityFilter{NameContains: "xylophone"}}), w)
	})
	t.Run("RelationFilter", func(t *testing.T) {
		w := whole
		w.relations = 4
		w.byType = map[kg.RelationType]int{kg.RelPartyTo: 1, kg.RelAgreed: 1, kg.RelSpokeWith: 1, kg.RelAttacked: 1}
		w.byStatus = map[kg.ClaimStatus]int{kg.StatusConfirmed: 2, kg.StatusClaimed: 1, kg.StatusAlleged: 1}
		w.bySource = map[string]int{srcKremlin: 4, srcBBC: 2, srcWhiteHouse: 1}
		checkStats(t, "Kremlin-sourced relations", statsOf(t, kg.StatsQuery{Relations: &kg.RelationFilter{SourceID: srcKremlin}}), w)

		w.relations = 2
		w.byType = map[kg.RelationType]int{kg.RelAttacked: 2}
		w.byStatus = map[kg.ClaimStatus]int{kg.StatusAlleged: 1, kg.StatusDenied: 1}
		w.bySource = map[string]int{srcKremlin: 1, srcBBC: 1}
		from := time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)
		checkStats(t, "relations from March 20", statsOf(t, kg.StatsQuery{Relations: &kg.RelationFilter{OccurredFrom: &from}}), w)

		w.relations, w.byType, w.byStatus, w.bySource = 0, nil, nil, nil
		checkStats(t, "no relations", statsOf(t, kg.StatsQuery{Relations: &kg.RelationFilter{Types: []kg.RelationType{kg.RelSupersedes}}}), w)
	})
	t.Run("Both", func(t *testing.T) {
		checkStats(t, "countries; relations of Ukraine", statsOf(t, kg.StatsQuery{
			Entities:  &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindCountry}},
			Relations: &kg.RelationFilter{EntityIDs: []string{idUkraine}},
		}), wantStats{3, 4, 3,
			map[kg.EntityKind]int{kg.KindCountry: 3},
			map[kg.RelationType]int{kg.RelPartyTo: 1, kg.RelAttacked: 2, kg.RelHoldsOffice: 1},
			map[kg.ClaimStatus]int{kg.StatusClaimed: 1, kg.StatusAlleged: 1, kg.StatusDenied: 1, kg.StatusConfirmed: 1},
			map[string]int{srcBBC: 3, srcKremlin: 1}})
	})
	t.Run("Invalid", func(t *testing.T) {
		_, err := s.Stats(ctx, kg.StatsQuery{Entities: &kg.EntityFilter{Kinds: []kg.EntityKind{"ROBOT"}}})
		invalidQuery(t, err, "Stats with a bad entity kind", "kinds[0]")
		_, err = s.Stats(ctx, kg.StatsQuery{Relations: &kg.RelationFilter{MinConfidence: ptr(2.0)}})
		invalidQuery(t, err, "Stats with a bad relation confidence", "minConfidence")
		_, err = s.Stats(ctx, kg.StatsQuery{Entities: &kg.EntityFilter{HasRelation: &kg.RelationPredicate{Direction: "UP"}}})
		invalidQuery(t, err, "Stats with a bad relation predicate", "hasRelation.direction")
	})
}
