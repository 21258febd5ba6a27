package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

func testEmpty(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()

	t.Run("Ping", func(t *testing.T) {
		noErr(t, s.Ping(ctx), "Ping")
	})
	t.Run("StatsZero", func(t *testing.T) {
		st := stats(t, s)
		if st.Entities != 0 || st.Relations != 0 || st.Sources != 0 {
			t.Errorf("Stats of an empty store = %d entities, %d relations, %d sources, want 0",
				st.Entities, st.Relations, st.Sources)
		}
		sameCounts(t, "ByKind", st.ByKind, map[kg.EntityKind]int{})
		sameCounts(t, "ByType", st.ByType, map[kg.RelationType]int{})
		sameCounts(t, "ByStatus", st.ByStatus, map[kg.ClaimStatus]int{})
	})
	t.Run("EmptyPages", func(t *testing.T) {
		ep := entityPage(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 10})
		if len(ep.Items) != 0 || ep.TotalCount != 0 || ep.HasNextPage {
			t.Errorf("Entities on an empty store = %d items, total %d, next %v; want none", len(ep.Items), ep.TotalCount, ep.HasNextPage)
		}
		rp := relationPage(t, s, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 10})
		if len(rp.Items) != 0 || rp.TotalCount != 0 || rp.HasNextPage {
			t.Errorf("Relations on an empty store = %d items, total %d, next %v; want none", len(rp.Items), rp.TotalCount, rp.HasNextPage)
		}
		sp, err := s.Sources(ctx, kg.SourceQuery{First: 10})
		noErr(t, err, "Sources")
		if len(sp.Items) != 0 || sp.TotalCount != 0 || sp.HasNextPage {
			t.Errorf("Sources on an empty store = %d items, total %d, next %v; want none", len(sp.Items), sp.TotalCount, sp.HasNextPage)
		}
	})
	t.Run("ByIDs", func(t *testing.T) {
		if es := getEntities(t, s); len(es) != 0 {
			t.Errorf("EntitiesByIDs() = %d entities, want 0", len(es))
		}
		sameIDs(t, "EntitiesByIDs(missing)", entityIDs(getEntities(t, s, idMissing)), []string{"<nil>"})
		sameIDs(t, "RelationsByIDs(missing)", relationIDs(getRelations(t, s, rMissing)), []string{"<nil>"})
		sameIDs(t, "SourcesByIDs(missing)", sourceIDs(getSources(t, s, srcBBC)), []string{"<nil>"})
	})
	t.Run("GetMissingIsNotFound", func(t *testing.T) {
		_, err := kg.GetEntity(ctx, s, idMissing)
		isErr(t, err, kg.ErrNotFound, "GetEntity(missing)")
		_, err = kg.GetRelation(ctx, s, rMissing)
		isErr(t, err, kg.ErrNotFound, "GetRelation(missing)")
		_, err = kg.GetSource(ctx, s, srcBBC)
		isErr(t, err, kg.ErrNotFound, "GetSource(missing)")
	})
	t.Run("SearchFindsNothing", func(t *testing.T) {
		hits, err := s.Search(ctx, kg.SearchQuery{Text: "zelensky", Limit: 10})
		noErr(t, err, "Search")
		if len(hits) != 0 {
			t.Errorf("Search on an empty store = %q, want no hits", hitIDs(hits))
		}
	})
}

func testUpsert(t *testing.T, open Opener) {
	t.Run("TwiceIsTheSameGraph", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		src, sc, err := s.UpsertSources(ctx, fixtureSources())
		noErr(t, err, "UpsertSources")
		counts(t, "first UpsertSources", sc, 3, 0, 0)
		ents, ec, err := s.UpsertEntities(ctx, fixtureEntities())
		noErr(t, err, "UpsertEntities")
		counts(t, "first UpsertEntities", ec, 14, 0, 0)
		rels, rc, err := s.UpsertRelations(ctx, fixtureRelations())
		noErr(t, err, "UpsertRelations")
		counts(t, "first UpsertRelations", rc, 11, 0, 0)
		_, dc, err := s.UpsertRelations(ctx, fixtureDisputes())
		noErr(t, err, "UpsertRelations (disputes)")
		counts(t, "first UpsertRelations (disputes)", dc, 1, 0, 0)
		before := stats(t, s)

		// The upserts return the written items, in input order.
		sameIDs(t, "UpsertSources result", sourceIDs(src), []string{srcBBC, srcKremlin, srcWhiteHouse})
		wantEnts := normEntities(t, fixtureEntities())
		if len(ents) == len(wantEnts) {
			for i, e := range ents {
				reportDiff(t, fmt.Sprintf("UpsertEntities result[%d]", i), diffEntity(e, wantEnts[i]))
			}
		} else {
			t.Errorf("UpsertEntities returned %d entities, want %d", len(ents), len(wantEnts))
		}
		var wantRelIDs []string
		for _, r := range fixtureRelations() {
			wantRelIDs = append(wantRelIDs, r.ID)
		}
		sameIDs(t, "UpsertRelations result", relationIDs(rels), wantRelIDs)

		_, sc, err = s.UpsertSources(ctx, fixtureSources())
		noErr(t, err, "second UpsertSources")
		counts(t, "second UpsertSources", sc, 0, 0, 3)
		ents2, ec, err := s.UpsertEntities(ctx, fixtureEntities())
		noErr(t, err, "second UpsertEntities")
		counts(t, "second UpsertEntities", ec, 0, 0, 14)
		_, rc, err = s.UpsertRelations(ctx, allFixtureRelations())
		noErr(t, err, "second UpsertRelations")
		counts(t, "second UpsertRelations", rc, 0, 0, 12)

		after := stats(t, s)
		if before.Entities != after.Entities || before.Relations != after.Relations || before.Sources != after.Sources {
			t.Errorf("Stats changed on a repeated upsert: before %+v, after %+v", before, after)
		}
		if after.Entities != 14 || after.Relations != 12 || after.Sources != 3 {
			t.Errorf("Stats = %d entities, %d relations, %d sources; want 14, 12, 3", after.Entities, after.Relations, after.Sources)
		}
		// An unchanged item keeps both timestamps.
		if len(ents) == len(ents2) {
			for i := range ents {
				if !ents2[i].CreatedAt.Equal(ents[i].CreatedAt) || !ents2[i].UpdatedAt.Equal(ents[i].UpdatedAt) {
					t.Errorf("unchanged entity %s: timestamps moved from %v/%v to %v/%v", ents[i].ID,
						ents[i].CreatedAt, ents[i].UpdatedAt, ents2[i].CreatedAt, ents2[i].UpdatedAt)
				}
			}
		}
		stored := mustEntity(t, s, idPutin)
		if !stored.CreatedAt.Equal(ents[4].CreatedAt) || !stored.UpdatedAt.Equal(ents[4].UpdatedAt) {
			t.Errorf("stored timestamps of %s = %v/%v, want those the upsert returned %v/%v", idPutin,
				stored.CreatedAt, stored.UpdatedAt, ents[4].CreatedAt, ents[4].UpdatedAt)
		}
	})

	t.Run("ChangedItemCountsAsUpdated", func(t *testing.T) {
		s := openLoaded(t, open)
		ctx := t.Context()
		orig := mustEntity(t, s, idPutin)
		origRel := mustRelation(t, s, rCallPutin)
		time.Sleep(2 * time.Millisecond) // let a wall clock move on

		in := fixtureEntities()
		in[4].Description = "President of the Russian Federation"
		out, c, err := s.UpsertEntities(ctx, in)
		noErr(t, err, "UpsertEntities")
		counts(t, "UpsertEntities with one change", c, 0, 1, 13)
		got := mustEntity(t, s, idPutin)
		if got.Description != "President of the Russian Federation" {
			t.Errorf("Description = %q, want the updated one", got.Description)
		}
		checkUpdatedStamps(t, idPutin, orig.CreatedAt, orig.UpdatedAt, got.CreatedAt, got.UpdatedAt)
		if len(out) == len(in) && !out[4].UpdatedAt.Equal(got.UpdatedAt) {
			t.Errorf("UpsertEntities returned UpdatedAt %v, but the store holds %v", out[4].UpdatedAt, got.UpdatedAt)
		}

		rin := allFixtureRelations()
		rin[3].Confidence = ptr(0.99)
		_, c, err = s.UpsertRelations(ctx, rin)
		noErr(t, err, "UpsertRelations")
		counts(t, "UpsertRelations with one change", c, 0, 1, 11)
		gotRel := mustRelation(t, s, rCallPutin)
		if gotRel.Confidence == nil || *gotRel.Confidence != 0.99 {
			t.Errorf("Confidence = %s, want 0.99", fmtPtr(gotRel.Confidence))
		}
		checkUpdatedStamps(t, rCallPutin, origRel.CreatedAt, origRel.UpdatedAt, gotRel.CreatedAt, gotRel.UpdatedAt)

		// Changing only a time's offset (same instant) or precision is a change too.
		rin[3].OccurredAt = tm(at(2025, 3, 18, 14, 0, time.UTC), kg.PrecisionHour, "lasted more than two hours")
		_, c, err = s.UpsertRelations(ctx, rin)
		noErr(t, err, "UpsertRelations with a new offset")
		counts(t, "UpsertRelations with only the offset changed", c, 0, 1, 11)
		rin[3].OccurredAt.Precision = kg.PrecisionMinute
		_, c, err = s.UpsertRelations(ctx, rin)
		noErr(t, err, "UpsertRelations with a new precision")
		counts(t, "UpsertRelations with only the precision changed", c, 0, 1, 11)

		sin := fixtureSources()
		sin[2].Title = "Readout of President Donald J. Trump’s Call with President Vladimir Putin"
		_, c, err = s.UpsertSources(ctx, sin)
		noErr(t, err, "UpsertSources")
		counts(t, "UpsertSources with one change", c, 0, 1, 2)
		src, err := kg.GetSource(ctx, s, srcWhiteHouse)
		noErr(t, err, "GetSource")
		if src.Title != sin[2].Title {
			t.Errorf("source Title = %q, want %q", src.Title, sin[2].Title)
		}
		if src.UpdatedAt.Before(src.CreatedAt) {
			t.Errorf("source UpdatedAt %v is before CreatedAt %v", src.UpdatedAt, src.CreatedAt)
		}
	})

	t.Run("ReplacesWhole", func(t *testing.T) {
		// Under ModeReplace an upsert replaces every field: what the input leaves out is
		// cleared, not kept.
		s := openLoaded(t, open)
		ctx := t.Context()
		_, c, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idPutin, Kind: kg.KindPerson, Name: "Vladimir Putin", Mode: kg.ModeReplace}})
		noErr(t, err, "UpsertEntities")
		counts(t, "UpsertEntities", c, 0, 1, 0)
		reportDiff(t, "entity after a sparse upsert", diffEntity(mustEntity(t, s, idPutin),
			kg.EntityInput{ID: idPutin, Kind: kg.KindPerson, Name: "Vladimir Putin"}))

		sparse := kg.RelationInput{ID: rPutinAgreed, Type: kg.RelAgreed, FromID: idPutin, ToID: idCeasefire,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC}, Mode: kg.ModeReplace}
		_, c, err = s.UpsertRelations(ctx, []kg.RelationInput{sparse})
		noErr(t, err, "UpsertRelations")
		counts(t, "UpsertRelations", c, 0, 1, 0)
		sparse.Mode = ""
		reportDiff(t, "relation after a sparse upsert", diffRelation(mustRelation(t, s, rPutinAgreed), sparse))
		// It no longer counts as claimed by Russia.
		sameIDs(t, "relations claimed by Russia", allRelations(t, s, &kg.RelationFilter{ClaimedByID: idRussia}),
			[]string{rAttackClaim})

		// A relation may move to other ends.
		moved := fixtureRelations()[8] // rCovers
		moved.ToID = idSudzha
		_, _, err = s.UpsertRelations(ctx, []kg.RelationInput{moved})
		noErr(t, err, "UpsertRelations (moved)")
		sameIDs(t, "relations to the grid", allRelations(t, s, &kg.RelationFilter{ToID: idGrid}), []string{})
		sameIDs(t, "relations to Sudzha", allRelations(t, s, &kg.RelationFilter{ToID: idSudzha}),
			[]string{rAttackClaim, rAttackDenial, rCovers})
		if st := stats(t, s); st.Entities != 14 || st.Relations != 12 {
			t.Errorf("Stats = %d entities, %d relations after replacing; want 14, 12", st.Entities, st.Relations)
		}
	})

	t.Run("DisputeWithinOneBatch", func(t *testing.T) {
		// Competing claims usually arrive together: a relation may dispute one written in the
		// same call, wherever it stands in the batch.
		s := openLoaded(t, open)
		denial := kg.RelationInput{ID: "rel:kursk-denial", Type: kg.RelAttacked, FromID: idRussia, ToID: idGrid,
			Status: kg.StatusDenied, ClaimedByID: idRussia, SourceIDs: []string{srcKremlin},
			DisputesIDs: []string{"rel:kursk-claim"}}
		claim := kg.RelationInput{ID: "rel:kursk-claim", Type: kg.RelAttacked, FromID: idRussia, ToID: idGrid,
			Status: kg.StatusAlleged, ClaimedByID: idUkraine, SourceIDs: []string{srcBBC}}
		_, c, err := s.UpsertRelations(t.Context(), []kg.RelationInput{denial, claim})
		noErr(t, err, "UpsertRelations with a dispute inside the batch")
		counts(t, "UpsertRelations", c, 2, 0, 0)
		sameIDs(t, "DisputesIDs", mustRelation(t, s, "rel:kursk-denial").DisputesIDs, []string{"rel:kursk-claim"})
	})

	t.Run("ByIDsKeepOrder", func(t *testing.T) {
		s := openLoaded(t, open)
		sameIDs(t, "EntitiesByIDs", entityIDs(getEntities(t, s, idZelenskyy, idMissing, idUkraine, idZelenskyy, idCeasefire)),
			[]string{idZelenskyy, "<nil>", idUkraine, idZelenskyy, idCeasefire})
		sameIDs(t, "RelationsByIDs", relationIDs(getRelations(t, s, rMediated, rHoldsOffice, rMissing, rAttackDenial)),
			[]string{rMediated, rHoldsOffice, "<nil>", rAttackDenial})
		sameIDs(t, "SourcesByIDs", sourceIDs(getSources(t, s, srcWhiteHouse, "src:nowhere", srcBBC)),
			[]string{srcWhiteHouse, "<nil>", srcBBC})
		if es := getEntities(t, s); len(es) != 0 {
			t.Errorf("EntitiesByIDs() = %d entities, want 0", len(es))
		}
		// Entity and relation ids are separate name spaces for these lookups.
		sameIDs(t, "EntitiesByIDs(a relation id)", entityIDs(getEntities(t, s, rMediated)), []string{"<nil>"})
		sameIDs(t, "RelationsByIDs(an entity id)", relationIDs(getRelations(t, s, idUkraine)), []string{"<nil>"})
	})

	t.Run("GetMissingIsNotFound", func(t *testing.T) {
		s := openLoaded(t, open)
		ctx := t.Context()
		_, err := kg.GetEntity(ctx, s, idMissing)
		isErr(t, err, kg.ErrNotFound, "GetEntity(missing)")
		_, err = kg.GetRelation(ctx, s, rMissing)
		isErr(t, err, kg.ErrNotFound, "GetRelation(missing)")
		_, err = kg.GetSource(ctx, s, "src:nowhere")
		isErr(t, err, kg.ErrNotFound, "GetSource(missing)")
		e, err := kg.GetEntity(ctx, s, idUkraine)
		noErr(t, err, "GetEntity(existing)")
		if e.ID != idUkraine || e.Name != "Ukraine" {
			t.Errorf("GetEntity(%s) = %s %q", idUkraine, e.ID, e.Name)
		}
	})
}

func checkUpdatedStamps(t *testing.T, id string, origCreated, origUpdated, created, updated time.Time) {
	t.Helper()
	if !created.Equal(origCreated) {
		t.Errorf("%s: CreatedAt changed on update from %v to %v", id, origCreated, created)
	}
	if updated.Before(created) {
		t.Errorf("%s: UpdatedAt %v is before CreatedAt %v", id, updated, created)
	}
	if updated.Before(origUpdated) {
		t.Errorf("%s: UpdatedAt went back from %v to %v", id, origUpdated, updated)
	}
}

func testRoundTrip(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	wantEnts := normEntities(t, fixtureEntities())
	wantRels := normRelations(t, allFixtureRelations())
	wantSrcs := normSources(t, fixtureSources())
	wantEnt := make(map[string]kg.EntityInput)
	for _, e := range wantEnts {
		wantEnt[e.ID] = e
	}
	wantRel := make(map[string]kg.RelationInput)
	for _, r := range wantRels {
		wantRel[r.ID] = r
	}

	t.Run("Entities", func(t *testing.T) {
		for _, want := range wantEnts {
			reportDiff(t, "entity "+want.ID, diffEntity(getEntities(t, s, want.ID)[0], want))
		}
	})
	t.Run("Relations", func(t *testing.T) {
		for _, want := range wantRels {
			reportDiff(t, "relation "+want.ID, diffRelation(getRelations(t, s, want.ID)[0], want))
		}
	})
	t.Run("Sources", func(t *testing.T) {
		for _, want := range wantSrcs {
			reportDiff(t, "source "+want.ID, diffSource(getSources(t, s, want.ID)[0], want))
		}
	})

	t.Run("Provenance", func(t *testing.T) {
		// Spelled out for the richest relation, so that a failure reads plainly.
		r := mustRelation(t, s, rPutinAgreed)
		if r.Status != kg.StatusClaimed {
			t.Errorf("Status = %s, want CLAIMED", r.Status)
		}
		if r.ClaimedByID != idRussia {
			t.Errorf("ClaimedByID = %q, want %q", r.ClaimedByID, idRussia)
		}
		sameIDs(t, "SourceIDs (in the order given)", r.SourceIDs, []string{srcKremlin, srcBBC})
		if want := "Putin “responded positively” to the idea of a 30-day pause on strikes against energy infrastructure"; r.Quote != want {
			t.Errorf("Quote = %q, want %q", r.Quote, want)
		}
		if r.Confidence == nil || *r.Confidence != 0.85 {
			t.Errorf("Confidence = %s, want exactly 0.85", fmtPtr(r.Confidence))
		}
		if r.Role != "party" || r.Description != "Putin agreed to a mutual halt of strikes on energy infrastructure" {
			t.Errorf("Role, Description = %q, %q", r.Role, r.Description)
		}
		checkOffset(t, "OccurredAt", r.OccurredAt, 3*3600, kg.PrecisionMinute, "during the call")
		checkOffset(t, "ValidFrom", r.ValidFrom, 3*3600, kg.PrecisionDay, "")
		checkOffset(t, "ValidTo", r.ValidTo, 3*3600, kg.PrecisionDay, "30 days")
		if r.OccurredAt != nil && !r.OccurredAt.At.Equal(time.Date(2025, 3, 18, 13, 30, 0, 0, time.UTC)) {
			t.Errorf("OccurredAt instant = %v, want 2025-03-18T13:30Z", r.OccurredAt.At.UTC())
		}
		w := mustRelation(t, s, rCallPutin)
		checkOffset(t, "rel:call-trump-putin OccurredAt", w.OccurredAt, -4*3600, kg.PrecisionHour, "lasted more than two hours")
		sameIDs(t, "rel:call-trump-putin SourceIDs", w.SourceIDs, []string{srcWhiteHouse, srcKremlin, srcBBC})
		d := mustRelation(t, s, rAttackDenial)
		sameIDs(t, "DisputesIDs", d.DisputesIDs, []string{rAttackClaim})
		if d.Status != kg.StatusDenied || d.ClaimedByID != idUkraine {
			t.Errorf("denial Status, ClaimedByID = %s, %q", d.Status, d.ClaimedByID)
		}
		if u := mustRelation(t, s, rMediated); u.Confidence != nil || u.OccurredAt != nil || u.ValidFrom != nil || u.ValidTo != nil || u.ClaimedByID != "" {
			t.Errorf("unset fields of %s came back set: confidence %s, times %s %s %s, claimedBy %q", rMediated,
				fmtPtr(u.Confidence), fmtTime(u.OccurredAt), fmtTime(u.ValidFrom), fmtTime(u.ValidTo), u.ClaimedByID)
		}
	})

	t.Run("EntityKindFields", func(t *testing.T) {
		a := mustEntity(t, s, idCeasefire)
		if a.Kind != kg.KindAgreement || a.AgreementStatus != kg.AgreementAgreed || a.Scope != "Attacks on energy infrastructure" || a.Category != "partial ceasefire" {
			t.Errorf("agreement = kind %s, status %s, scope %q, category %q", a.Kind, a.AgreementStatus, a.Scope, a.Category)
		}
		checkOffset(t, "agreement ValidFrom", a.ValidFrom, 3*3600, kg.PrecisionDay, "")
		checkOffset(t, "agreement ValidTo", a.ValidTo, 3*3600, kg.PrecisionDay, "30 days after the call")
		sameIDs(t, "agreement SourceIDs (in the order given)", a.SourceIDs, []string{srcKremlin, srcWhiteHouse, srcBBC})
		ev := mustEntity(t, s, idCallPutin)
		checkOffset(t, "event OccurredAt", ev.OccurredAt, -4*3600, kg.PrecisionHour, "about 10 a.m. Washington time")
		if ev.DurationMinutes == nil || *ev.DurationMinutes != 150 {
			t.Errorf("event DurationMinutes = %s, want 150", fmtPtr(ev.DurationMinutes))
		}
		us := mustEntity(t, s, idUS)
		if us.CountryCode != "US" {
			t.Errorf("CountryCode = %q, want US", us.CountryCode)
		}
		sameIDs(t, "Aliases (in the order given)", us.Aliases, []string{"United States of America", "USA", "America"})
		sameIDs(t, "Aliases (non-Latin)", mustEntity(t, s, idPutin).Aliases, []string{"Vladimir Vladimirovich Putin", "Путин"})
		if o := mustEntity(t, s, idBBCNews); len(o.Aliases) != 0 || o.DurationMinutes != nil || o.ValidFrom != nil {
			t.Errorf("unset fields of %s came back set: %+v", idBBCNews, o)
		}
	})

	t.Run("EveryReadPathIsComplete", func(t *testing.T) {
		// Lists, neighbours and search map stored records too; each must give whole values.
		ep := entityPage(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 100})
		for _, e := range ep.Items {
			reportDiff(t, "Entities item "+e.ID, diffEntity(e, wantEnt[e.ID]))
		}
		rp := relationPage(t, s, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 100})
		for _, r := range rp.Items {
			reportDiff(t, "Relations item "+r.ID, diffRelation(r, wantRel[r.ID]))
		}
		nb, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{idCeasefire}, Direction: kg.DirectionBoth, First: 100})
		noErr(t, err, "Neighbors")
		if p := nb[idCeasefire]; p != nil {
			for _, r := range p.Items {
				reportDiff(t, "Neighbors item "+r.ID, diffRelation(r, wantRel[r.ID]))
			}
		} else {
			t.Errorf("Neighbors: no page for %s", idCeasefire)
		}
		hits, err := s.Search(ctx, kg.SearchQuery{Text: "ceasefire", Limit: 10})
		noErr(t, err, "Search")
		for _, h := range hits {
			if h.Entity != nil {
				reportDiff(t, "Search hit "+h.Entity.ID, diffEntity(h.Entity, wantEnt[h.Entity.ID]))
			}
		}
		sp, err := s.Sources(ctx, kg.SourceQuery{First: 100})
		noErr(t, err, "Sources")
		for i, src := range sp.Items {
			if i < len(wantSrcs) {
				reportDiff(t, "Sources item "+src.ID, diffSource(src, wantSrcs[i]))
			}
		}
	})

	t.Run("InputIsNormalized", func(t *testing.T) {
		// Both stores write what kg.Normalize* makes of the input: trimmed, deduplicated, with a
		// default precision.
		_, _, err := s.UpsertEntities(ctx, []kg.EntityInput{{
			ID: "  person:jane-doe ", Kind: kg.KindPerson, Name: "  Jane Doe ",
			Aliases: []string{"J. Doe", " J. Doe ", "", "Jane"}, SourceIDs: []string{srcBBC, " " + srcBBC},
		}, {
			ID: "country:finland", Kind: kg.KindCountry, Name: "Finland", CountryCode: " fi ",
		}})
		noErr(t, err, "UpsertEntities")
		reportDiff(t, "normalized entity", diffEntity(mustEntity(t, s, "person:jane-doe"), kg.EntityInput{
			ID: "person:jane-doe", Kind: kg.KindPerson, Name: "Jane Doe", Aliases: []string{"J. Doe", "Jane"},
			SourceIDs: []string{srcBBC},
		}))
		// Zero is a value, not absence.
		zero := []kg.EntityInput{{ID: "event:instant", Kind: kg.KindEvent, Name: "Instant", DurationMinutes: ptr(0)}}
		_, _, err = s.UpsertEntities(ctx, zero)
		noErr(t, err, "UpsertEntities (zero duration)")
		reportDiff(t, "entity with a zero duration", diffEntity(mustEntity(t, s, "event:instant"), zero[0]))
		if fi := mustEntity(t, s, "country:finland"); fi.CountryCode != "FI" {
			t.Errorf("CountryCode = %q, want FI", fi.CountryCode)
		}
		_, _, err = s.UpsertRelations(ctx, []kg.RelationInput{{
			ID: "rel:jane-member", Type: kg.RelMemberOf, FromID: " person:jane-doe", ToID: idBBCNews,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC, srcBBC}, Quote: "  “quoted”  ",
			OccurredAt: &kg.Time{At: time.Date(2025, 3, 18, 9, 15, 42, 123456789, zKyiv)},
			Confidence: ptr(0.0),
			ValidFrom:  tm(time.Date(1900, 1, 1, 0, 0, 0, 0, zKyivLMT), kg.PrecisionYear, "Kyiv mean time"),
		}})
		noErr(t, err, "UpsertRelations")
		reportDiff(t, "normalized relation", diffRelation(mustRelation(t, s, "rel:jane-member"), kg.RelationInput{
			ID: "rel:jane-member", Type: kg.RelMemberOf, FromID: "person:jane-doe", ToID: idBBCNews,
			Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC}, Quote: "“quoted”",
			OccurredAt: tm(time.Date(2025, 3, 18, 9, 15, 42, 123456789, zKyiv), kg.PrecisionSecond, ""),     // nanoseconds kept
			Confidence: ptr(0.0),                                                                            // zero, not nil
			ValidFrom:  tm(time.Date(1900, 1, 1, 0, 0, 0, 0, zKyivLMT), kg.PrecisionYear, "Kyiv mean time"), // offset with seconds
		}))
	})
}

// checkOffset checks a time's offset, precision and note one by one, so that a store that
// normalises to UTC or drops the precision gets a plain message.
func checkOffset(t *testing.T, what string, got *kg.Time, offset int, p kg.TimePrecision, note string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s is nil", what)
		return
	}
	if _, off := got.At.Zone(); off != offset {
		t.Errorf("%s offset = %+d s, want %+d s (the offset the source gave must be kept)", what, off, offset)
	}
	if got.Precision != p {
		t.Errorf("%s precision = %q, want %q", what, got.Precision, p)
	}
	if got.Note != note {
		t.Errorf("%s note = %q, want %q", what, got.Note, note)
	}
}
