package storetest

import (
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// testNoAliasing holds stores to value semantics: what a caller gets back, or handed in, is its
// own. An in-memory store that hands out its internal slices and pointers fails here.
func testNoAliasing(t *testing.T, open Opener) {
	s := openLoaded(t, open)
	ctx := t.Context()
	wantEnts := normEntities(t, fixtureEntities())
	wantRels := normRelations(t, allFixtureRelations())

	mutateEntity := func(e *kg.Entity) {
		if len(e.Aliases) > 0 {
			e.Aliases[0] = "MUTATED"
		}
		if len(e.SourceIDs) > 0 {
			e.SourceIDs[0] = "src:mutated"
		}
		e.Aliases = append(e.Aliases, "appended")
		if e.ValidFrom != nil {
			e.ValidFrom.Note = "mutated"
			e.ValidFrom.At = time.Unix(0, 0)
		}
		if e.OccurredAt != nil {
			e.OccurredAt.Precision = kg.PrecisionYear
		}
		if e.DurationMinutes != nil {
			*e.DurationMinutes = -1
		}
		e.Name = "mutated"
	}
	mutateRelation := func(r *kg.Relation) {
		if len(r.SourceIDs) > 0 {
			r.SourceIDs[0] = "src:mutated"
		}
		if len(r.DisputesIDs) > 0 {
			r.DisputesIDs[0] = "rel:mutated"
		}
		if r.Confidence != nil {
			*r.Confidence = 0.01
		}
		if r.OccurredAt != nil {
			r.OccurredAt.Note = "mutated"
		}
		if r.ValidTo != nil {
			r.ValidTo.At = time.Unix(0, 0)
		}
	}
	checkEntities := func(t *testing.T) {
		t.Helper()
		for _, want := range wantEnts {
			reportDiff(t, "entity "+want.ID+" after the caller mutated a copy", diffEntity(mustEntity(t, s, want.ID), want))
		}
	}
	checkRelations := func(t *testing.T) {
		t.Helper()
		for _, want := range wantRels {
			reportDiff(t, "relation "+want.ID+" after the caller mutated a copy", diffRelation(mustRelation(t, s, want.ID), want))
		}
	}

	t.Run("EntitiesByIDs", func(t *testing.T) {
		for _, e := range getEntities(t, s, idPutin, idCeasefire, idCallPutin, idUS) {
			mutateEntity(e)
		}
		checkEntities(t)
	})
	t.Run("EntitiesPageAndSearch", func(t *testing.T) {
		for _, e := range entityPage(t, s, kg.EntityQuery{OrderBy: byName(kg.Asc), First: 100}).Items {
			mutateEntity(e)
		}
		hits, err := s.Search(ctx, kg.SearchQuery{Text: "putin", Limit: 10})
		noErr(t, err, "Search")
		for _, h := range hits {
			mutateEntity(h.Entity)
		}
		checkEntities(t)
	})
	t.Run("RelationsByIDsPageAndNeighbors", func(t *testing.T) {
		for _, r := range getRelations(t, s, rPutinAgreed, rAttackDenial, rCallPutin) {
			mutateRelation(r)
		}
		for _, r := range relationPage(t, s, kg.RelationQuery{OrderBy: byTime(kg.Asc), First: 100}).Items {
			mutateRelation(r)
		}
		nb, err := s.Neighbors(ctx, kg.NeighborQuery{EntityIDs: []string{idCeasefire, idUkraine}, Direction: kg.DirectionBoth, First: 100})
		noErr(t, err, "Neighbors")
		for _, p := range nb {
			for _, r := range p.Items {
				mutateRelation(r)
			}
		}
		checkRelations(t)
	})
	t.Run("UpsertResults", func(t *testing.T) {
		ents, _, err := s.UpsertEntities(ctx, fixtureEntities())
		noErr(t, err, "UpsertEntities")
		for _, e := range ents {
			mutateEntity(e)
		}
		rels, _, err := s.UpsertRelations(ctx, allFixtureRelations())
		noErr(t, err, "UpsertRelations")
		for _, r := range rels {
			mutateRelation(r)
		}
		srcs, _, err := s.UpsertSources(ctx, fixtureSources())
		noErr(t, err, "UpsertSources")
		for _, src := range srcs {
			src.Title = "mutated"
			if src.PublishedAt != nil {
				src.PublishedAt.Note = "mutated"
			}
		}
		checkEntities(t)
		checkRelations(t)
		for _, want := range normSources(t, fixtureSources()) {
			reportDiff(t, "source "+want.ID, diffSource(getSources(t, s, want.ID)[0], want))
		}
	})
	t.Run("Inputs", func(t *testing.T) {
		// The store must not keep the caller's slices or pointers either.
		ents := fixtureEntities()
		rels := allFixtureRelations()
		_, _, err := s.UpsertEntities(ctx, ents)
		noErr(t, err, "UpsertEntities")
		_, _, err = s.UpsertRelations(ctx, rels)
		noErr(t, err, "UpsertRelations")
		for i := range ents {
			if len(ents[i].Aliases) > 0 {
				ents[i].Aliases[0] = "MUTATED"
			}
			if ents[i].DurationMinutes != nil {
				*ents[i].DurationMinutes = -1
			}
			if ents[i].ValidTo != nil {
				ents[i].ValidTo.Note = "mutated"
			}
		}
		for i := range rels {
			if rels[i].Confidence != nil {
				*rels[i].Confidence = 0.01
			}
			if rels[i].OccurredAt != nil {
				rels[i].OccurredAt.At = time.Unix(0, 0)
			}
			rels[i].SourceIDs[0] = "src:mutated"
		}
		checkEntities(t)
		checkRelations(t)
	})
}
