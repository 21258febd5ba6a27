package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

// newRelation is a valid relation between fixture entities, for tests to break.
func newRelation(id string) kg.RelationInput {
	return kg.RelationInput{ID: id, Type: kg.RelStated, FromID: idPutin, ToID: idCeasefire,
		Status: kg.StatusClaimed, SourceIDs: []string{srcKremlin}}
}

// unchangedCounts checks that a failed write left the store's counts as they were.
func unchangedCounts(t *testing.T, s kg.Store, before *kg.Stats, what string) {
	t.Helper()
	after := stats(t, s)
	if after.Entities != before.Entities || after.Relations != before.Relations || after.Sources != before.Sources {
		t.Errorf("%s: a rejected write changed the store: %d/%d/%d entities/relations/sources before, %d/%d/%d after",
			what, before.Entities, before.Relations, before.Sources, after.Entities, after.Relations, after.Sources)
	}
}

func testValidation(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	base := stats(t, s)

	t.Run("RelationToMissingEntity", func(t *testing.T) {
		bad := newRelation("rel:to-nowhere")
		bad.ToID = idMissing
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{newRelation("rel:fine"), bad})
		invalid(t, err, "relation to a missing entity", "input[1].to")
		unchangedCounts(t, s, base, "relation to a missing entity")
		sameIDs(t, "the valid relation of the rejected batch", relationIDs(getRelations(t, s, "rel:fine", "rel:to-nowhere")),
			[]string{"<nil>", "<nil>"})
	})
	t.Run("RelationFromMissingEntity", func(t *testing.T) {
		bad := newRelation("rel:from-nowhere")
		bad.FromID = idMissing
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{bad})
		invalid(t, err, "relation from a missing entity", "input[0].from")
		unchangedCounts(t, s, base, "relation from a missing entity")
	})
	t.Run("RelationMissingSource", func(t *testing.T) {
		bad := newRelation("rel:unsourced")
		bad.SourceIDs = []string{srcKremlin, "src:nowhere"}
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{newRelation("rel:fine"), newRelation("rel:fine2"), bad})
		invalid(t, err, "relation citing a missing source", "input[2].sourceIds")
		unchangedCounts(t, s, base, "relation citing a missing source")
	})
	t.Run("RelationMissingClaimedBy", func(t *testing.T) {
		bad := newRelation("rel:claimed-by-nobody")
		bad.ClaimedByID = idMissing
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{bad})
		invalid(t, err, "relation claimed by a missing entity", "input[0].claimedBy")
		unchangedCounts(t, s, base, "relation claimed by a missing entity")
	})
	t.Run("RelationDisputesMissingRelation", func(t *testing.T) {
		bad := newRelation("rel:disputes-nothing")
		bad.DisputesIDs = []string{rAttackClaim, rMissing}
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{bad})
		invalid(t, err, "relation disputing a missing relation", "input[0].disputes")
		unchangedCounts(t, s, base, "relation disputing a missing relation")
	})
	t.Run("RelationEndIsNotARelationOrSource", func(t *testing.T) {
		// Ids live in separate name spaces: a relation or source id is not an entity.
		bad := newRelation("rel:to-a-source")
		bad.ToID = srcBBC
		bad2 := newRelation("rel:from-a-relation")
		bad2.FromID = rMediated
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{bad, bad2})
		invalid(t, err, "relation ends that are not entities", "input[0].to", "input[1].from")
		unchangedCounts(t, s, base, "relation ends that are not entities")
	})
	t.Run("EntityMissingSource", func(t *testing.T) {
		in := []kg.EntityInput{
			{ID: "person:a", Kind: kg.KindPerson, Name: "A"},
			{ID: "person:b", Kind: kg.KindPerson, Name: "B", SourceIDs: []string{srcBBC}},
			{ID: "person:c", Kind: kg.KindPerson, Name: "C", SourceIDs: []string{"src:nowhere"}},
		}
		_, _, err := s.UpsertEntities(ctx, in)
		invalid(t, err, "entity citing a missing source", "input[2].sourceIds")
		unchangedCounts(t, s, base, "entity citing a missing source")
		sameIDs(t, "entities of the rejected batch", entityIDs(getEntities(t, s, "person:a", "person:b", "person:c")),
			[]string{"<nil>", "<nil>", "<nil>"})
	})
	t.Run("EveryBadReferenceNamed", func(t *testing.T) {
		a := newRelation("rel:bad-a")
		a.ToID = idMissing
		b := newRelation("rel:bad-b")
		b.FromID = "person:nobody-else"
		b.SourceIDs = []string{"src:nowhere"}
		_, _, err := s.UpsertRelations(ctx, []kg.RelationInput{a, newRelation("rel:fine"), b})
		invalid(t, err, "batch with three bad references", "input[0].to", "input[2].from", "input[2].sourceIds")
		unchangedCounts(t, s, base, "batch with three bad references")
	})

	t.Run("BadBatchWritesNothing", func(t *testing.T) {
		var rels []kg.RelationInput
		var ids []string
		for i := range 50 {
			id := fmt.Sprintf("rel:bulk-%02d", i)
			rels = append(rels, newRelation(id))
			ids = append(ids, id)
		}
		bad := newRelation("rel:bulk-bad")
		bad.ToID = idMissing
		rels = append(rels[:37], append([]kg.RelationInput{bad}, rels[37:]...)...)
		_, _, err := s.UpsertRelations(ctx, rels)
		invalid(t, err, "51 relations, one bad", "input[37].to")
		unchangedCounts(t, s, base, "51 relations, one bad")
		for i, r := range getRelations(t, s, ids...) {
			if r != nil {
				t.Errorf("relation %s of the rejected batch was written", ids[i])
			}
		}

		var ents []kg.EntityInput
		ids = nil
		for i := range 50 {
			id := fmt.Sprintf("location:bulk-%02d", i)
			ents = append(ents, kg.EntityInput{ID: id, Kind: kg.KindLocation, Name: id, SourceIDs: []string{srcBBC}})
			ids = append(ids, id)
		}
		ents = append(ents, kg.EntityInput{ID: "location:bulk-bad", Kind: kg.KindLocation, Name: "bad", SourceIDs: []string{"src:nowhere"}})
		_, _, err = s.UpsertEntities(ctx, ents)
		invalid(t, err, "51 entities, one bad", "input[50].sourceIds")
		unchangedCounts(t, s, base, "51 entities, one bad")
		for i, e := range getEntities(t, s, ids...) {
			if e != nil {
				t.Errorf("entity %s of the rejected batch was written", ids[i])
			}
		}

		var srcs []kg.SourceInput
		for i := range 50 {
			srcs = append(srcs, kg.SourceInput{ID: fmt.Sprintf("src:bulk-%02d", i), Title: "t"})
		}
		srcs[10].URL = "ftp://example.org/x"
		_, _, err = s.UpsertSources(ctx, srcs)
		invalid(t, err, "50 sources, one bad", "input[10].url")
		unchangedCounts(t, s, base, "50 sources, one bad")
	})

	t.Run("FailedBatchLeavesExistingItems", func(t *testing.T) {
		ents := fixtureEntities()
		ents[4].Description = "changed by a batch that fails"
		ents = append(ents, kg.EntityInput{ID: "person:x", Kind: "SPACESHIP", Name: "X"})
		_, _, err := s.UpsertEntities(ctx, ents)
		invalid(t, err, "update batch with a bad kind", "input[14].kind")
		if e := mustEntity(t, s, idPutin); e.Description != "President of Russia" {
			t.Errorf("a rejected batch changed %s: Description = %q", idPutin, e.Description)
		}

		rels := allFixtureRelations()
		rels[2].Quote = "changed by a batch that fails"
		rels[2].SourceIDs = []string{srcBBC}
		bad := newRelation("rel:bad")
		bad.ClaimedByID = idMissing
		rels = append(rels, bad)
		_, _, err = s.UpsertRelations(ctx, rels)
		invalid(t, err, "update batch with a bad reference", "input[12].claimedBy")
		r := mustRelation(t, s, rPutinAgreed)
		reportDiff(t, "relation after a rejected update", diffRelation(r, normRelations(t, fixtureRelations())[2]))
		unchangedCounts(t, s, base, "rejected update batches")
	})

	t.Run("InvalidValues", func(t *testing.T) {
		agreement := func(mod func(*kg.EntityInput)) kg.EntityInput {
			e := fixtureEntities()[6]
			e.ID = "agreement:other"
			mod(&e)
			return e
		}
		entityCases := []struct {
			name  string
			in    []kg.EntityInput
			field string
		}{
			{"BadKind", []kg.EntityInput{{ID: "thing:x", Kind: "SPACESHIP", Name: "X"}}, "input[0].kind"},
			{"NoName", []kg.EntityInput{{ID: "person:x", Kind: kg.KindPerson, Name: "  "}}, "input[0].name"},
			{"BadID", []kg.EntityInput{{ID: "person x", Kind: kg.KindPerson, Name: "X"}}, "input[0].id"},
			{"DuplicateID", []kg.EntityInput{{ID: "person:x", Kind: kg.KindPerson, Name: "X"},
				{ID: "person:x", Kind: kg.KindPerson, Name: "Y"}}, "input[1].id"},
			{"FieldOfOtherKind", []kg.EntityInput{{ID: "person:x", Kind: kg.KindPerson, Name: "X", CountryCode: "UA"}}, "input[0].countryCode"},
			{"BadCountryCode", []kg.EntityInput{{ID: "country:x", Kind: kg.KindCountry, Name: "X", CountryCode: "UKR"}}, "input[0].countryCode"},
			{"BadAgreementStatus", []kg.EntityInput{agreement(func(e *kg.EntityInput) { e.AgreementStatus = "MAYBE" })}, "input[0].agreementStatus"},
			{"ValidToBeforeValidFrom", []kg.EntityInput{agreement(func(e *kg.EntityInput) {
				e.ValidFrom, e.ValidTo = e.ValidTo, e.ValidFrom
			})}, "input[0].validTo"},
			{"NegativeDuration", []kg.EntityInput{{ID: "event:x", Kind: kg.KindEvent, Name: "X", DurationMinutes: ptr(-5)}}, "input[0].durationMinutes"},
		}
		for _, c := range entityCases {
			t.Run("Entity"+c.name, func(t *testing.T) {
				_, _, err := s.UpsertEntities(ctx, c.in)
				invalid(t, err, c.name, c.field)
				unchangedCounts(t, s, base, c.name)
			})
		}

		rel := func(mod func(*kg.RelationInput)) []kg.RelationInput {
			r := newRelation("rel:x")
			mod(&r)
			return []kg.RelationInput{r}
		}
		relationCases := []struct {
			name  string
			in    []kg.RelationInput
			field string
		}{
			{"ConfidenceAboveOne", rel(func(r *kg.RelationInput) { r.Confidence = ptr(1.5) }), "input[0].confidence"},
			{"NegativeConfidence", rel(func(r *kg.RelationInput) { r.Confidence = ptr(-0.1) }), "input[0].confidence"},
			{"NoSources", rel(func(r *kg.RelationInput) { r.SourceIDs = nil }), "input[0].sourceIds"},
			{"BlankSources", rel(func(r *kg.RelationInput) { r.SourceIDs = []string{" ", ""} }), "input[0].sourceIds"},
			{"ValidToBeforeValidFrom", rel(func(r *kg.RelationInput) {
				r.ValidFrom = tm(at(2025, 4, 17, 0, 0, zMoscow), kg.PrecisionDay, "")
				r.ValidTo = tm(at(2025, 3, 18, 0, 0, zMoscow), kg.PrecisionDay, "")
			}), "input[0].validTo"},
			{"BadType", rel(func(r *kg.RelationInput) { r.Type = "LIKES" }), "input[0].type"},
			{"BadStatus", rel(func(r *kg.RelationInput) { r.Status = "RUMOURED" }), "input[0].status"},
			{"NoStatus", rel(func(r *kg.RelationInput) { r.Status = "" }), "input[0].status"},
			{"DisputesItself", rel(func(r *kg.RelationInput) { r.DisputesIDs = []string{"rel:x"} }), "input[0].disputes"},
			{"BadPrecision", rel(func(r *kg.RelationInput) {
				r.OccurredAt = tm(at(2025, 3, 18, 0, 0, zMoscow), "FORTNIGHT", "")
			}), "input[0].occurredAt.precision"},
			{"ZeroTime", rel(func(r *kg.RelationInput) { r.OccurredAt = &kg.Time{Precision: kg.PrecisionDay} }), "input[0].occurredAt.at"},
			{"SecondItemBad", append(rel(func(*kg.RelationInput) {}), rel(func(r *kg.RelationInput) {
				r.ID = "rel:y"
				r.Confidence = ptr(1.5)
			})...), "input[1].confidence"},
		}
		for _, c := range relationCases {
			t.Run("Relation"+c.name, func(t *testing.T) {
				_, _, err := s.UpsertRelations(ctx, c.in)
				invalid(t, err, c.name, c.field)
				unchangedCounts(t, s, base, c.name)
			})
		}
		t.Run("EveryBadValueNamed", func(t *testing.T) {
			in := rel(func(r *kg.RelationInput) {
				r.Confidence = ptr(1.5)
				r.SourceIDs = nil
			})
			in = append(in, kg.RelationInput{ID: "rel:y", Type: "LIKES", FromID: idPutin, ToID: idCeasefire,
				Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC}})
			_, _, err := s.UpsertRelations(ctx, in)
			invalid(t, err, "batch with three bad values", "input[0].confidence", "input[0].sourceIds", "input[1].type")
			unchangedCounts(t, s, base, "batch with three bad values")
		})

		t.Run("SourceNoTitle", func(t *testing.T) {
			_, _, err := s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:x"}})
			invalid(t, err, "source without a title", "input[0].title")
		})
		t.Run("SourceBadURL", func(t *testing.T) {
			_, _, err := s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:x", Title: "X", URL: "javascript:alert(1)"}})
			invalid(t, err, "source with a non-http URL", "input[0].url")
		})
		t.Run("TooLargeBatch", func(t *testing.T) {
			in := make([]kg.EntityInput, kg.MaxBatch+1)
			for i := range in {
				in[i] = kg.EntityInput{ID: fmt.Sprintf("location:l%d", i), Kind: kg.KindLocation, Name: "L"}
			}
			_, _, err := s.UpsertEntities(ctx, in)
			invalid(t, err, "a batch over kg.MaxBatch")
			if !slices.Contains(fieldNames(err), "input") {
				t.Errorf("a batch over kg.MaxBatch: error names %q, want \"input\"", fieldNames(err))
			}
			unchangedCounts(t, s, base, "a batch over kg.MaxBatch")
		})
		unchangedCounts(t, s, base, "all invalid values")
	})
}
