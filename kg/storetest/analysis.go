package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// kg.Violations and kg.Timeline are built on Store calls; the contract is that every store
// gives them the answers the documented rules give.

// The violations fixture: an energy pause valid from 18 March to 17 April 2025, both known
// only to the day (Moscow time), covering a grid and a plant directly and, through PART_OF,
// a chain of parts below the plant; attacks in and around the window, by parties and not.
const (
	vSource   = "src:v-report"
	vPause    = "agreement:v-pause"
	vOpen     = "agreement:v-open-ended"
	vNothing  = "agreement:v-nothing"
	vRussia   = "country:v-russia"
	vUkraine  = "country:v-ukraine"
	vBelarus  = "country:v-belarus"
	vPutin    = "person:v-putin"
	vGrid     = "infrastructure:v-grid"
	vPlant    = "infrastructure:v-plant"
	vUnit     = "infrastructure:v-unit"
	vTurbine  = "infrastructure:v-turbine"
	vBlade    = "infrastructure:v-blade"
	vBolt     = "infrastructure:v-bolt"
	vNetwork  = "infrastructure:v-network"
	vDepot    = "infrastructure:v-depot"
	vAttacked = kg.RelAttacked
)

func violationsFixture() ([]kg.SourceInput, []kg.EntityInput, []kg.RelationInput) {
	day := func(y int, mo time.Month, d int, note string) *kg.Time {
		return tm(at(y, mo, d, 0, 0, zMoscow), kg.PrecisionDay, note)
	}
	sec := func(y int, mo time.Month, d, h, mi int, z *time.Location) *kg.Time {
		return tm(at(y, mo, d, h, mi, z), kg.PrecisionSecond, "")
	}
	src := []kg.SourceInput{{ID: vSource, Title: "Strikes during the energy pause"}}
	ent := func(id string, k kg.EntityKind) kg.EntityInput {
		return kg.EntityInput{ID: id, Kind: k, Name: strings.TrimPrefix(id[strings.Index(id, ":")+1:], "v-")}
	}
	ents := []kg.EntityInput{
		{ID: vPause, Kind: kg.KindAgreement, Name: "Energy pause", AgreementStatus: kg.AgreementAgreed,
			ValidFrom: day(2025, 3, 18, ""), ValidTo: day(2025, 4, 17, "30 days")},
		{ID: vOpen, Kind: kg.KindAgreement, Name: "Open-ended depot truce", ValidFrom: day(2025, 3, 25, "")},
		{ID: vNothing, Kind: kg.KindAgreement, Name: "Agreement with no parties"},
		ent(vRussia, kg.KindCountry), ent(vUkraine, kg.KindCountry), ent(vBelarus, kg.KindCountry), ent(vPutin, kg.KindPerson),
		ent(vGrid, kg.KindInfrastructure), ent(vPlant, kg.KindInfrastructure), ent(vUnit, kg.KindInfrastructure),
		ent(vTurbine, kg.KindInfrastructure), ent(vBlade, kg.KindInfrastructure), ent(vBolt, kg.KindInfrastructure),
		ent(vNetwork, kg.KindInfrastructure), ent(vDepot, kg.KindInfrastructure),
	}
	rel := func(id string, typ kg.RelationType, from, to string) kg.RelationInput {
		return kg.RelationInput{ID: id, Type: typ, FromID: from, ToID: to, Status: kg.StatusConfirmed, SourceIDs: []string{vSource}}
	}
	atk := func(id, from, to string, when *kg.Time) kg.RelationInput {
		r := rel(id, vAttacked, from, to)
		r.OccurredAt = when
		return r
	}
	rels := []kg.RelationInput{
		rel("rel:v-russia-party", kg.RelPartyTo, vRussia, vPause),
		rel("rel:v-ukraine-party", kg.RelPartyTo, vUkraine, vPause),
		rel("rel:v-putin-agreed", kg.RelAgreed, vPutin, vPause),
		rel("rel:v-belarus-party", kg.RelPartyTo, vBelarus, vOpen),
		rel("rel:v-covers-grid", kg.RelCovers, vPause, vGrid),
		rel("rel:v-covers-plant", kg.RelCovers, vPause, vPlant),
		rel("rel:v-covers-depot", kg.RelCovers, vOpen, vDepot),
		rel("rel:v-plant-part", kg.RelPartOf, vPlant, vGrid), // covered twice
		rel("rel:v-unit-part", kg.RelPartOf, vUnit, vPlant),
		rel("rel:v-turbine-part", kg.RelPartOf, vTurbine, vUnit),
		rel("rel:v-blade-part", kg.RelPartOf, vBlade, vTurbine), // three levels below the plant
		rel("rel:v-bolt-part", kg.RelPartOf, vBolt, vBlade),     // four: not covered
		rel("rel:v-grid-part", kg.RelPartOf, vGrid, vNetwork),   // the whole is not covered
		// Inside the window, certainly.
		atk("rel:v-atk-01", vRussia, vPlant, sec(2025, 3, 25, 14, 30, zMoscow)),
		// On the start day, known to the day: possibly.
		atk("rel:v-atk-02", vRussia, vGrid, day(2025, 3, 18, "")),
		// Before the window.
		atk("rel:v-atk-03", vRussia, vGrid, sec(2025, 3, 17, 12, 0, zMoscow)),
		// By a non-party.
		atk("rel:v-atk-04", vBelarus, vGrid, sec(2025, 3, 25, 12, 0, zMoscow)),
		// Against what the pause does not cover.
		atk("rel:v-atk-05", vRussia, vDepot, sec(2025, 3, 26, 12, 0, zMoscow)),
		// Undated.
		atk("rel:v-atk-06", vRussia, vGrid, nil),
		// Three levels of PART_OF below a covered plant, by the other party.
		atk("rel:v-atk-07", vUkraine, vBlade, sec(2025, 4, 1, 10, 0, zKyiv)),
		// Four levels below.
		atk("rel:v-atk-08", vRussia, vBolt, sec(2025, 4, 1, 11, 0, zKyiv)),
		// By a party through AGREED, minute precision, well inside.
		atk("rel:v-atk-09", vPutin, vTurbine, tm(at(2025, 4, 10, 9, 15, zMoscow), kg.PrecisionMinute, "")),
		// On the end day, known to the day: possibly.
		atk("rel:v-atk-10", vRussia, vGrid, day(2025, 4, 17, "")),
		// The first second after the last possible end.
		atk("rel:v-atk-11", vRussia, vGrid, sec(2025, 4, 18, 0, 0, zMoscow)),
		// 20:30Z on the start day: before the day ends in Moscow, so possibly.
		atk("rel:v-atk-12", vUkraine, vGrid, sec(2025, 3, 18, 22, 30, zKyiv)),
		// 21:30Z: after the start day has ended in Moscow, so within.
		atk("rel:v-atk-13", vUkraine, vGrid, sec(2025, 3, 18, 23, 30, zKyiv)),
		// Against the whole the covered grid is part of.
		atk("rel:v-atk-14", vRussia, vNetwork, sec(2025, 3, 25, 12, 0, zMoscow)),
		// Known only to the year: possibly.
		atk("rel:v-atk-15", vRussia, vGrid, tm(at(2025, 1, 1, 0, 0, zMoscow), kg.PrecisionYear, "")),
		// Dated by validFrom instead of occurredAt.
		func() kg.RelationInput {
			r := rel("rel:v-atk-16", vAttacked, vRussia, vGrid)
			r.ValidFrom = sec(2025, 3, 20, 12, 0, zMoscow)
			return r
		}(),
		// For the open-ended truce: after its start by its party; by a non-party; before it.
		atk("rel:v-atk-17", vBelarus, vDepot, sec(2026, 1, 10, 12, 0, zMoscow)),
		atk("rel:v-atk-18", vRussia, vDepot, sec(2026, 1, 10, 12, 0, zMoscow)),
		atk("rel:v-atk-19", vBelarus, vDepot, sec(2025, 3, 24, 12, 0, zMoscow)),
		// The covered grid attacking a party: the wrong direction.
		atk("rel:v-atk-20", vGrid, vRussia, sec(2025, 3, 25, 12, 0, zMoscow)),
		// An hour that ends exactly when the window can first start.
		atk("rel:v-atk-21", vRussia, vUnit, tm(at(2025, 3, 17, 23, 0, zMoscow), kg.PrecisionHour, "")),
		// An hour at the very start, with a note: possibly.
		atk("rel:v-atk-22", vRussia, vUnit, tm(at(2025, 3, 18, 0, 0, zMoscow), kg.PrecisionHour, "early morning")),
		// Not an attack.
		func() kg.RelationInput {
			r := rel("rel:v-affected", kg.RelAffected, vRussia, vGrid)
			r.OccurredAt = sec(2025, 3, 25, 12, 0, zMoscow)
			return r
		}(),
	}
	// Statuses do not matter to violations: vary them.
	for i := range rels {
		if rels[i].Type == vAttacked {
			rels[i].Status = kg.ClaimStatuses[i%len(kg.ClaimStatuses)]
		}
	}
	return src, ents, rels
}

func testViolations(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	src, ents, rels := violationsFixture()
	noErr(t, WriteAll(ctx, s, src, ents, rels), "write the violations fixture")
	byID := map[string]kg.RelationInput{}
	for _, r := range normRelations(t, rels) {
		byID[r.ID] = r
	}
	violations := func(t *testing.T, id string) []kg.Violation {
		t.Helper()
		vs, err := kg.Violations(ctx, s, id)
		noErr(t, err, "Violations "+id)
		for i, v := range vs {
			if v.Attack == nil {
				t.Fatalf("Violations %s: item %d has no attack", id, i)
			}
			reportDiff(t, "attack "+v.Attack.ID, diffRelation(v.Attack, byID[v.Attack.ID]))
			if v.Explanation == "" {
				t.Errorf("Violations %s: %s has no explanation", id, v.Attack.ID)
			}
		}
		return vs
	}
	show := func(vs []kg.Violation) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = fmt.Sprintf("%s %s", v.Attack.ID, v.Timing)
		}
		return out
	}
	const within, possibly = kg.TimingWithin, kg.TimingPossiblyWithin
	w := func(id string, timing kg.ViolationTiming) string { return fmt.Sprintf("rel:v-atk-%s %s", id, timing) }

	t.Run("Pause", func(t *testing.T) {
		vs := violations(t, vPause)
		// By the attack's instant (occurredAt, else validFrom), then id.
		sameIDs(t, "violations of the pause", show(vs), []string{
			w("15", possibly), // 2024-12-31T21:00Z, the year
			w("02", possibly), // 2025-03-17T21:00Z, the start day (tie: id)
			w("22", possibly), // 2025-03-17T21:00Z, the first hour
			w("12", possibly), // 2025-03-18T20:30Z
			w("13", within),   // 2025-03-18T21:30Z
			w("16", within),   // 2025-03-20T09:00Z (validFrom)
			w("01", within),   // 2025-03-25T11:30Z
			w("07", within),   // 2025-04-01T08:00Z
			w("09", within),   // 2025-04-10T06:15Z
			w("10", possibly), // 2025-04-16T21:00Z, the end day
		})
		why := map[string]kg.Violation{}
		for _, v := range vs {
			why[v.Attack.ID] = v
		}
		for id, words := range map[string][]string{
			"rel:v-atk-15": {"year", "start", "end"},
			"rel:v-atk-02": {"day", "start"},
			"rel:v-atk-22": {"hour", "early morning", "start"},
			"rel:v-atk-12": {"start"},
			"rel:v-atk-10": {"day", "end"},
		} {
			for _, word := range words {
				if e := why[id].Explanation; !strings.Contains(e, word) {
					t.Errorf("explanation of %s = %q, want it to mention %q", id, e, word)
				}
			}
		}
		if e := why["rel:v-atk-12"].Explanation; strings.Contains(e, "attack is dated") {
			t.Errorf("explanation of a to-the-second attack = %q blames the attack's precision", e)
		}
	})
	t.Run("OpenEnded", func(t *testing.T) {
		sameIDs(t, "violations of the open-ended truce", show(violations(t, vOpen)), []string{w("17", within)})
	})
	t.Run("NoPartiesNothingCovered", func(t *testing.T) {
		sameIDs(t, "violations of an agreement with no relations", show(violations(t, vNothing)), []string{})
	})
	t.Run("NotAnAgreement", func(t *testing.T) {
		_, err := kg.Violations(ctx, s, vRussia)
		invalidQuery(t, err, "Violations of a country", "agreementId")
	})
	t.Run("Missing", func(t *testing.T) {
		_, err := kg.Violations(ctx, s, "agreement:none")
		isErr(t, err, kg.ErrNotFound, "Violations of a missing agreement")
	})
	t.Run("FollowsWrites", func(t *testing.T) {
		// Writes to the group's store: last. Belarus joins the pause: its attack on the grid
		// becomes a violation; the grid leaves the pause's cover: the attacks on it, and on
		// nothing else, drop out.
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{{ID: "rel:v-belarus-joins", Type: kg.RelPartyTo,
			FromID: vBelarus, ToID: vPause, Status: kg.StatusClaimed, SourceIDs: []string{vSource}}})
		noErr(t, err, "UpsertRelations")
		vs := violations(t, vPause)
		sameIDs(t, "with Belarus a party", show(vs), []string{w("15", possibly), w("02", possibly), w("22", possibly),
			w("12", possibly), w("13", within), w("16", within), w("04", within), w("01", within), w("07", within),
			w("09", within), w("10", possibly)})
		noErr(t, s.DeleteRelation(ctx, "rel:v-covers-grid"), "DeleteRelation")
		sameIDs(t, "without the grid covered", show(violations(t, vPause)), []string{w("22", possibly), w("01", within),
			w("07", within), w("09", within)})
	})
}

// testTimeline runs kg.Timeline over the fixture plus Zelenskyy's part in his call, a dated
// relation that brings the call (an event) in when Zelenskyy's timeline is asked for.
func testTimeline(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	const rZelenskyyInCall = "rel:zelenskyy-in-call"
	inCall := kg.RelationInput{ID: rZelenskyyInCall, Type: kg.RelParticipatedIn, FromID: idZelenskyy, ToID: idCallZelenskyy,
		Status: kg.StatusConfirmed, SourceIDs: []string{srcWhiteHouse},
		OccurredAt: tm(at(2025, 3, 19, 0, 0, zKyiv), kg.PrecisionDay, "")}
	_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{inCall})
	noErr(t, err, "UpsertRelations")

	// The time each entry must carry: a relation's occurredAt, else validFrom; an event's
	// occurredAt.
	times := map[string]*kg.Time{}
	for _, r := range normRelations(t, append(allFixtureRelations(), inCall)) {
		if r.OccurredAt != nil {
			times[r.ID] = r.OccurredAt
		} else {
			times[r.ID] = r.ValidFrom
		}
	}
	for _, e := range normEntities(t, fixtureEntities()) {
		if e.OccurredAt != nil {
			times[e.ID] = e.OccurredAt
		}
	}
	timeline := func(t *testing.T, q kg.TimelineQuery) ([]string, bool) {
		t.Helper()
		es, truncated, err := kg.Timeline(ctx, s, q)
		noErr(t, err, fmt.Sprintf("Timeline(%+v)", q))
		out := make([]string, len(es))
		for i, e := range es {
			switch {
			case e.Relation != nil && e.Event == nil:
				out[i] = e.Relation.ID
			case e.Event != nil && e.Relation == nil:
				out[i] = e.Event.ID
				if e.Event.Kind != kg.KindEvent {
					t.Errorf("Timeline: entry %s is a %s, not an event", e.Event.ID, e.Event.Kind)
				}
			default:
				t.Fatalf("Timeline(%+v): entry %d has relation %v and event %v; want exactly one", q, i, e.Relation, e.Event)
			}
			if !e.Time.Equal(times[out[i]]) {
				t.Errorf("Timeline: entry %s has time %s, want %s", out[i], fmtTime(e.Time), fmtTime(times[out[i]]))
			}
		}
		return out, truncated
	}
	check := func(t *testing.T, what string, q kg.TimelineQuery, want []string, wantTruncated bool) {
		t.Helper()
		got, truncated := timeline(t, q)
		sameIDs(t, what, got, want)
		if truncated != wantTruncated {
			t.Errorf("%s: truncated = %v, want %v", what, truncated, wantTruncated)
		}
	}
	utc := func(y int, mo time.Month, d, h, mi int) *time.Time {
		v := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
		return &v
	}
	// Undated relations (the coverage, the location, the mediation) never appear. At 14:00Z
	// and at 22:00Z events and relations tie: ids decide ("event:" < "rel:").
	all := []string{
		rHoldsOffice,    // 2019
		rRussiaParty,    // 2025-03-17T21:00Z
		rPutinAgreed,    // 2025-03-18T13:30Z
		idCallPutin,     // 14:00Z
		rCallPutin,      // 14:00Z
		rUkraineParty,   // 21:00Z
		idCallZelenskyy, // 22:00Z
		rCallZelenskyy,  // 22:00Z
		rTrumpStated,    // 22:00Z
		rZelenskyyInCall,
		rAttackClaim, // 2025-03-20T21:00Z
		rAttackDenial,
	}

	t.Run("All", func(t *testing.T) {
		check(t, "whole timeline", kg.TimelineQuery{}, all, false)
	})
	t.Run("Window", func(t *testing.T) {
		check(t, "14:00Z to 22:00Z", kg.TimelineQuery{From: utc(2025, 3, 18, 14, 0), To: utc(2025, 3, 18, 22, 0)},
			[]string{idCallPutin, rCallPutin, rUkraineParty}, false)
		v := at(2025, 3, 19, 0, 0, zKyiv) // 22:00Z in Kyiv's offset
		check(t, "from 22:00Z", kg.TimelineQuery{From: &v},
			[]string{idCallZelenskyy, rCallZelenskyy, rTrumpStated, rZelenskyyInCall, rAttackClaim, rAttackDenial}, false)
		check(t, "until 2025", kg.TimelineQuery{To: utc(2025, 1, 1, 0, 0)}, []string{rHoldsOffice}, false)
		check(t, "empty window", kg.TimelineQuery{From: utc(2025, 3, 18, 14, 0), To: utc(2025, 3, 18, 14, 0)}, []string{}, false)
	})
	t.Run("EntityIDs", func(t *testing.T) {
		// Trump's relations; no event is among the ids or at an end of them.
		check(t, "Trump", kg.TimelineQuery{EntityIDs: []string{idTrump}}, []string{rCallPutin, rCallZelenskyy, rTrumpStated}, false)
		// An event among the ids comes in.
		check(t, "Trump and his call with Putin", kg.TimelineQuery{EntityIDs: []string{idTrump, idCallPutin}},
			[]string{idCallPutin, rCallPutin, rCallZelenskyy, rTrumpStated}, false)
		// An event at an end of a listed relation comes in.
		check(t, "Zelenskyy", kg.TimelineQuery{EntityIDs: []string{idZelenskyy}},
			[]string{rHoldsOffice, idCallZelenskyy, rCallZelenskyy, rZelenskyyInCall}, false)
		// ... but not when the window leaves that relation out.
		check(t, "Zelenskyy until 2025", kg.TimelineQuery{EntityIDs: []string{idZelenskyy}, To: utc(2025, 1, 1, 0, 0)},
			[]string{rHoldsOffice}, false)
		check(t, "an event alone", kg.TimelineQuery{EntityIDs: []string{idCallPutin}}, []string{idCallPutin}, false)
		check(t, "an entity with no dated relations", kg.TimelineQuery{EntityIDs: []string{idGrid, idMissing}}, []string{}, false)
	})
	t.Run("TypesAndStatusesLeaveEventsOut", func(t *testing.T) {
		check(t, "SPOKE_WITH", kg.TimelineQuery{Types: []kg.RelationType{kg.RelSpokeWith}}, []string{rCallPutin, rCallZelenskyy}, false)
		check(t, "CLAIMED", kg.TimelineQuery{Statuses: []kg.ClaimStatus{kg.StatusClaimed}}, []string{rPutinAgreed, rUkraineParty}, false)
		check(t, "PARTICIPATED_IN of Zelenskyy", kg.TimelineQuery{Types: []kg.RelationType{kg.RelParticipatedIn}, EntityIDs: []string{idZelenskyy}},
			[]string{rZelenskyyInCall}, false)
		check(t, "PARTY_TO of Ukraine in March", kg.TimelineQuery{Types: []kg.RelationType{kg.RelPartyTo}, EntityIDs: []string{idUkraine},
			From: utc(2025, 3, 1, 0, 0), To: utc(2025, 4, 1, 0, 0)}, []string{rUkraineParty}, false)
		check(t, "COVERS (undated)", kg.TimelineQuery{Types: []kg.RelationType{kg.RelCovers}}, []string{}, false)
	})
	t.Run("Limit", func(t *testing.T) {
		check(t, "limit 3", kg.TimelineQuery{Limit: 3}, all[:3], true)
		check(t, "limit 4 (an event at the cut)", kg.TimelineQuery{Limit: 4}, all[:4], true)
		check(t, "limit 5", kg.TimelineQuery{Limit: 5}, all[:5], true)
		check(t, "limit 11", kg.TimelineQuery{Limit: 11}, all[:11], true)
		check(t, "limit 12 (exactly all)", kg.TimelineQuery{Limit: 12}, all, false)
		check(t, "the largest limit", kg.TimelineQuery{Limit: kg.MaxPageSize}, all, false)
		check(t, "limit 1 of SPOKE_WITH", kg.TimelineQuery{Limit: 1, Types: []kg.RelationType{kg.RelSpokeWith}}, []string{rCallPutin}, true)
		check(t, "limit 2 of Zelenskyy", kg.TimelineQuery{Limit: 2, EntityIDs: []string{idZelenskyy}}, []string{rHoldsOffice, idCallZelenskyy}, true)
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct {
			q     kg.TimelineQuery
			field string
		}{
			{kg.TimelineQuery{Limit: kg.MaxPageSize + 1}, "limit"},
			{kg.TimelineQuery{Limit: -1}, "limit"},
			{kg.TimelineQuery{From: utc(2025, 3, 2, 0, 0), To: utc(2025, 3, 1, 0, 0)}, "to"},
			{kg.TimelineQuery{Types: []kg.RelationType{"LIKES"}}, "types[0]"},
			{kg.TimelineQuery{Statuses: []kg.ClaimStatus{"MAYBE"}}, "statuses[0]"},
		} {
			_, _, err := kg.Timeline(ctx, s, c.q)
			invalidQuery(t, err, fmt.Sprintf("Timeline(%+v)", c.q), c.field)
		}
	})
}
