package storetest

import (
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// testMerge holds the stores to kg.UpsertMode: merge (the default) keeps what an input leaves
// out and clears what it names in Clear; replace writes the whole object.
func testMerge(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()

	t.Run("StubKeepsFields", func(t *testing.T) {
		// The case that made merge the default: a stub that mentions an existing entity by
		// id, kind and name (to relate something to it) must not wipe its code and sources.
		before := mustEntity(t, s, idRussia)
		_, c, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idRussia, Kind: kg.KindCountry, Name: "Russia"}})
		noErr(t, err, "UpsertEntities (stub)")
		counts(t, "stub upsert of an existing entity", c, 0, 0, 1)
		after := mustEntity(t, s, idRussia)
		want := normEntities(t, fixtureEntities())[1]
		reportDiff(t, "entity after a stub upsert", diffEntity(after, want))
		if !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("a stub upsert moved updatedAt from %v to %v", before.UpdatedAt, after.UpdatedAt)
		}
		// The same for a source and a relation given only their required fields.
		_, c, err = s.UpsertSources(ctx, []kg.SourceInput{{ID: srcBBC, Title: fixtureSources()[0].Title}})
		noErr(t, err, "UpsertSources (stub)")
		counts(t, "stub upsert of an existing source", c, 0, 0, 1)
		rin := fixtureDisputes()[0] // rAttackDenial
		_, c, err = s.UpsertRelations(ctx, []kg.RelationInput{{ID: rin.ID, Type: rin.Type, FromID: rin.FromID,
			ToID: rin.ToID, Status: rin.Status, SourceIDs: rin.SourceIDs}})
		noErr(t, err, "UpsertRelations (stub)")
		counts(t, "stub upsert of an existing relation", c, 0, 0, 1)
		reportDiff(t, "relation after a stub upsert", diffRelation(mustRelation(t, s, rAttackDenial), normRelations(t, []kg.RelationInput{rin})[0]))
	})

	t.Run("GivenFieldsChange", func(t *testing.T) {
		_, c, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idRussia, Kind: kg.KindCountry, Name: "Russia",
			Description: "Transcontinental country"}})
		noErr(t, err, "UpsertEntities (one new field)")
		counts(t, "merge of one new field", c, 0, 1, 0)
		want := normEntities(t, fixtureEntities())[1]
		want.Description = "Transcontinental country"
		reportDiff(t, "entity after merging a description", diffEntity(mustEntity(t, s, idRussia), want))

		// A given list replaces the stored list; it is not appended to.
		_, c, err = s.UpsertEntities(ctx, []kg.EntityInput{{ID: idRussia, Kind: kg.KindCountry, Name: "Russia",
			SourceIDs: []string{srcWhiteHouse}}})
		noErr(t, err, "UpsertEntities (new sources)")
		counts(t, "merge of a new source list", c, 0, 1, 0)
		sameIDs(t, "SourceIDs after merging a list", mustEntity(t, s, idRussia).SourceIDs, []string{srcWhiteHouse})
	})

	t.Run("ExplicitNullClears", func(t *testing.T) {
		_, c, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idRussia, Kind: kg.KindCountry, Name: "Russia",
			Clear: []string{"countryCode", "description"}}})
		noErr(t, err, "UpsertEntities (clear)")
		counts(t, "merge that clears", c, 0, 1, 0)
		got := mustEntity(t, s, idRussia)
		if got.CountryCode != "" || got.Description != "" {
			t.Errorf("after clearing countryCode and description: %q, %q; want both empty", got.CountryCode, got.Description)
		}
		sameIDs(t, "Aliases (not cleared)", got.Aliases, []string{"Russian Federation", "Россия"})

		_, _, err = s.UpsertRelations(ctx, []kg.RelationInput{{ID: rAttackDenial, Type: kg.RelAttacked, FromID: idUkraine,
			ToID: idSudzha, Status: kg.StatusDenied, SourceIDs: []string{srcBBC}, Clear: []string{"disputes", "confidence"}}})
		noErr(t, err, "UpsertRelations (clear)")
		r := mustRelation(t, s, rAttackDenial)
		if len(r.DisputesIDs) != 0 || r.Confidence != nil {
			t.Errorf("after clearing disputes and confidence: %q, %s; want none", r.DisputesIDs, fmtPtr(r.Confidence))
		}
		if r.ClaimedByID != idUkraine || r.Quote == "" {
			t.Errorf("claimedBy %q, quote %q: fields not cleared must stay", r.ClaimedByID, r.Quote)
		}
		sameIDs(t, "relations disputing the claim", allRelations(t, s, &kg.RelationFilter{DisputesIDs: []string{rAttackClaim}}), []string{})

		_, _, err = s.UpsertSources(ctx, []kg.SourceInput{{ID: srcBBC, Title: fixtureSources()[0].Title, Clear: []string{"author"}}})
		noErr(t, err, "UpsertSources (clear)")
		src, err := kg.GetSource(ctx, s, srcBBC)
		noErr(t, err, "GetSource")
		if src.Author != "" || src.Publisher != "BBC News" {
			t.Errorf("source after clearing the author: author %q, publisher %q", src.Author, src.Publisher)
		}
	})

	t.Run("ReplaceReplaces", func(t *testing.T) {
		_, c, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idUkraine, Kind: kg.KindCountry, Name: "Ukraine", Mode: kg.ModeReplace}})
		noErr(t, err, "UpsertEntities (replace)")
		counts(t, "replace", c, 0, 1, 0)
		reportDiff(t, "entity after a replace", diffEntity(mustEntity(t, s, idUkraine),
			kg.EntityInput{ID: idUkraine, Kind: kg.KindCountry, Name: "Ukraine"}))
		// Replacing with the same whole object is unchanged.
		_, c, err = s.UpsertEntities(ctx, []kg.EntityInput{{ID: idUkraine, Kind: kg.KindCountry, Name: "Ukraine", Mode: kg.ModeReplace}})
		noErr(t, err, "UpsertEntities (replace again)")
		counts(t, "replace with the same object", c, 0, 0, 1)
	})

	t.Run("KindChangeDropsKindFields", func(t *testing.T) {
		// Kind-specific fields of the old kind cannot stay on the new one; the rest is kept.
		_, _, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idCallZelenskyy, Kind: kg.KindAgreement, Name: "Trump–Zelenskyy understanding"}})
		noErr(t, err, "UpsertEntities (new kind)")
		got := mustEntity(t, s, idCallZelenskyy)
		if got.OccurredAt != nil || got.DurationMinutes != nil || got.Category != "Phone call" {
			t.Errorf("after a kind change: occurredAt %v, duration %s, category %q; want nil, nil, kept", got.OccurredAt, fmtPtr(got.DurationMinutes), got.Category)
		}
	})

	t.Run("MergedResultIsChecked", func(t *testing.T) {
		// A kept validTo before a given validFrom is an invalid agreement.
		_, _, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idCeasefire, Kind: kg.KindAgreement, Name: "Energy infrastructure ceasefire",
			ValidFrom: tm(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), kg.PrecisionDay, "")}})
		invalid(t, err, "merge that puts validFrom after the kept validTo", "input[0].validTo")
		got := mustEntity(t, s, idCeasefire)
		if got.ValidFrom == nil || got.ValidFrom.At.Month() != time.March {
			t.Errorf("a refused merge changed validFrom to %v", got.ValidFrom)
		}
	})

	t.Run("BadClear", func(t *testing.T) {
		_, _, err := s.UpsertEntities(ctx, []kg.EntityInput{{ID: idRussia, Kind: kg.KindCountry, Name: "Russia",
			CountryCode: "RU", Clear: []string{"name", "countryCode"}}})
		invalid(t, err, "clearing a required field and a given one", "input[0].clear", "input[0].countryCode")
		_, _, err = s.UpsertSources(ctx, []kg.SourceInput{{ID: srcBBC, Title: "x", Mode: "PATCH"}})
		invalid(t, err, "an unknown mode", "input[0].mode")
	})
}
