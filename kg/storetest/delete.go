package storetest

import (
	"slices"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

func testDelete(t *testing.T, open Opener) {
	t.Run("EntityWithRelationsWithoutDetach", func(t *testing.T) {
		s := openLoaded(t, open)
		n, err := s.DeleteEntity(t.Context(), idCeasefire, false)
		isErr(t, err, kg.ErrConflict, "DeleteEntity with relations, no detach")
		if n != 0 {
			t.Errorf("DeleteEntity returned %d deleted relations on conflict, want 0", n)
		}
		mustEntity(t, s, idCeasefire)
		if st := stats(t, s); st.Entities != 14 || st.Relations != 12 {
			t.Errorf("after a refused delete: %d entities, %d relations; want 14, 12", st.Entities, st.Relations)
		}
	})
	t.Run("EntityWithDetach", func(t *testing.T) {
		s := openLoaded(t, open)
		n, err := s.DeleteEntity(t.Context(), idCeasefire, true)
		noErr(t, err, "DeleteEntity detach")
		if n != 6 {
			t.Errorf("DeleteEntity detach returned %d deleted relations, want 6", n)
		}
		sameIDs(t, "EntitiesByIDs after delete", entityIDs(getEntities(t, s, idCeasefire, idRussia)), []string{"<nil>", idRussia})
		_, err = kg.GetEntity(t.Context(), s, idCeasefire)
		isErr(t, err, kg.ErrNotFound, "GetEntity of a deleted entity")
		gone := []string{rRussiaParty, rPutinAgreed, rUkraineParty, rTrumpStated, rCovers, rMediated}
		sameIDs(t, "its relations", relationIDs(getRelations(t, s, gone...)), []string{"<nil>", "<nil>", "<nil>", "<nil>", "<nil>", "<nil>"})
		sameIDs(t, "remaining relations", allRelations(t, s, nil), without(relationsByTime, gone...))
		sameIDs(t, "remaining entities", allEntities(t, s, nil), without(entitiesByName, idCeasefire))
		sameIDs(t, "relations of Russia", allRelations(t, s, &kg.RelationFilter{EntityID: idRussia}), []string{})
		st := stats(t, s)
		if st.Entities != 13 || st.Relations != 6 || st.ByKind[kg.KindAgreement] != 0 || st.ByType[kg.RelPartyTo] != 0 {
			t.Errorf("Stats after detach delete = %+v; want 13 entities, 6 relations, no agreements, no PARTY_TO", st)
		}
		// The rest of the graph still answers searches and neighbours without the entity.
		nb, err := s.Neighbors(t.Context(), kg.NeighborQuery{EntityIDs: []string{idUS}, Direction: kg.DirectionBoth, First: 10})
		noErr(t, err, "Neighbors")
		if p := nb[idUS]; p == nil || len(p.Items) != 0 {
			t.Errorf("Neighbors of %s after its only relation went: %v", idUS, p)
		}
	})
	t.Run("EntityWithoutRelations", func(t *testing.T) {
		s := openLoaded(t, open)
		n, err := s.DeleteEntity(t.Context(), idBBCNews, false)
		noErr(t, err, "DeleteEntity without relations")
		if n != 0 {
			t.Errorf("DeleteEntity returned %d, want 0", n)
		}
		n, err = s.DeleteEntity(t.Context(), idKurskCity, true)
		noErr(t, err, "DeleteEntity detach without relations")
		if n != 0 {
			t.Errorf("DeleteEntity detach returned %d, want 0", n)
		}
		sameIDs(t, "remaining entities", allEntities(t, s, nil), without(entitiesByName, idBBCNews, idKurskCity))
		if st := stats(t, s); st.Entities != 12 || st.Relations != 12 || st.ByKind[kg.KindOrganization] != 0 || st.ByKind[kg.KindLocation] != 1 {
			t.Errorf("Stats after deletes = %+v", st)
		}
		// Deleting an entity does not delete the sources it cited.
		if st := stats(t, s); st.Sources != 3 {
			t.Errorf("Sources = %d, want 3", st.Sources)
		}
	})
	t.Run("MissingEntity", func(t *testing.T) {
		s := openLoaded(t, open)
		_, err := s.DeleteEntity(t.Context(), idMissing, false)
		isErr(t, err, kg.ErrNotFound, "DeleteEntity(missing)")
		_, err = s.DeleteEntity(t.Context(), idMissing, true)
		isErr(t, err, kg.ErrNotFound, "DeleteEntity(missing, detach)")
		_, err = s.DeleteEntity(t.Context(), rMediated, true)
		isErr(t, err, kg.ErrNotFound, "DeleteEntity(a relation id)")
		_, err = s.DeleteEntity(t.Context(), idBBCNews, false)
		noErr(t, err, "DeleteEntity")
		_, err = s.DeleteEntity(t.Context(), idBBCNews, false)
		isErr(t, err, kg.ErrNotFound, "DeleteEntity twice")
	})
	t.Run("IDsAreTrimmedAndChecked", func(t *testing.T) {
		s := openLoaded(t, open)
		_, err := s.DeleteEntity(t.Context(), "", false)
		isErr(t, err, kg.ErrInvalidInput, "DeleteEntity(\"\")")
		err = s.DeleteRelation(t.Context(), "not an id!")
		isErr(t, err, kg.ErrInvalidInput, "DeleteRelation(bad id)")
		_, err = s.DeleteEntity(t.Context(), " "+idBBCNews+" ", false)
		noErr(t, err, "DeleteEntity(padded id)")
		if es, _ := s.EntitiesByIDs(t.Context(), []string{idBBCNews}); es[0] != nil {
			t.Errorf("padded id did not delete %s", idBBCNews)
		}
	})
	t.Run("EntityCitedAsClaimedBy", func(t *testing.T) {
		s := openLoaded(t, open)
		// Zelenskyy is an end of two relations and the claimant of rUkraineParty.
		n, err := s.DeleteEntity(t.Context(), idZelenskyy, true)
		isErr(t, err, kg.ErrConflict, "DeleteEntity detach of a claimant")
		if n != 0 {
			t.Errorf("DeleteEntity returned %d deleted relations on conflict, want 0", n)
		}
		mustEntity(t, s, idZelenskyy)
		sameIDs(t, "relations of the claimant", relationIDs(getRelations(t, s, rHoldsOffice, rCallZelenskyy, rUkraineParty)),
			[]string{rHoldsOffice, rCallZelenskyy, rUkraineParty})
		// Russia is the claimant of two relations without being an end of them.
		_, err = s.DeleteEntity(t.Context(), idRussia, true)
		isErr(t, err, kg.ErrConflict, "DeleteEntity detach of a claimant of others' relations")
		if st := stats(t, s); st.Entities != 14 || st.Relations != 12 {
			t.Errorf("after refused deletes: %d entities, %d relations; want 14, 12", st.Entities, st.Relations)
		}
		// Once no relation cites it, it can go.
		noErr(t, s.DeleteRelation(t.Context(), rUkraineParty), "DeleteRelation")
		n, err = s.DeleteEntity(t.Context(), idZelenskyy, true)
		noErr(t, err, "DeleteEntity detach once uncited")
		if n != 2 {
			t.Errorf("DeleteEntity returned %d deleted relations, want 2", n)
		}
	})
	t.Run("ClaimantOfItsOwnRelationsWithDetach", func(t *testing.T) {
		// Ukraine claims rAttackDenial, of which it is also an end. Without detach that is a
		// conflict; with detach the claim goes with the entity, so no surviving relation loses
		// its claimant, and the delete succeeds.
		s := openLoaded(t, open)
		_, err := s.DeleteEntity(t.Context(), idUkraine, false)
		isErr(t, err, kg.ErrConflict, "DeleteEntity without detach")
		n, err := s.DeleteEntity(t.Context(), idUkraine, true)
		noErr(t, err, "DeleteEntity detach of the claimant of only its own relations")
		if n != 4 {
			t.Errorf("DeleteEntity returned %d deleted relations, want 4", n)
		}
		sameIDs(t, "remaining relations", allRelations(t, s, nil),
			without(relationsByTime, rHoldsOffice, rUkraineParty, rAttackClaim, rAttackDenial))
	})
	t.Run("Relation", func(t *testing.T) {
		s := openLoaded(t, open)
		noErr(t, s.DeleteRelation(t.Context(), rCallPutin), "DeleteRelation")
		sameIDs(t, "RelationsByIDs after delete", relationIDs(getRelations(t, s, rCallPutin, rMediated)), []string{"<nil>", rMediated})
		_, err := kg.GetRelation(t.Context(), s, rCallPutin)
		isErr(t, err, kg.ErrNotFound, "GetRelation of a deleted relation")
		sameIDs(t, "remaining relations", allRelations(t, s, nil), without(relationsByTime, rCallPutin))
		// Its ends stay.
		sameIDs(t, "ends", entityIDs(getEntities(t, s, idTrump, idPutin)), []string{idTrump, idPutin})
		st := stats(t, s)
		if st.Relations != 11 || st.ByType[kg.RelSpokeWith] != 1 || st.Entities != 14 {
			t.Errorf("Stats after DeleteRelation = %+v; want 11 relations, 1 SPOKE_WITH, 14 entities", st)
		}
		isErr(t, s.DeleteRelation(t.Context(), rCallPutin), kg.ErrNotFound, "DeleteRelation twice")
		isErr(t, s.DeleteRelation(t.Context(), rMissing), kg.ErrNotFound, "DeleteRelation(missing)")
		isErr(t, s.DeleteRelation(t.Context(), idUkraine), kg.ErrNotFound, "DeleteRelation(an entity id)")
	})
	t.Run("RelationDropsOutOfDisputes", func(t *testing.T) {
		s := openLoaded(t, open)
		noErr(t, s.DeleteRelation(t.Context(), rAttackClaim), "DeleteRelation of a disputed relation")
		d := mustRelation(t, s, rAttackDenial)
		if slices.Contains(d.DisputesIDs, rAttackClaim) {
			t.Errorf("DisputesIDs of %s = %q still names the deleted %s", rAttackDenial, d.DisputesIDs, rAttackClaim)
		}
		if len(d.DisputesIDs) != 0 {
			t.Errorf("DisputesIDs = %q, want none", d.DisputesIDs)
		}
		// The disputing relation can be written again as it now is.
		in := fixtureDisputes()
		in[0].DisputesIDs = nil
		_, c, err := s.UpsertRelations(t.Context(), in)
		noErr(t, err, "UpsertRelations")
		counts(t, "re-upsert of the disputing relation without its dispute", c, 0, 0, 1)
	})
	t.Run("DetachDropsOutOfDisputes", func(t *testing.T) {
		s := openLoaded(t, open)
		// Russia states the grid is not covered, disputing rCovers, which hangs off the grid.
		_, _, err := s.UpsertRelations(t.Context(), []kg.RelationInput{{
			ID: "rel:grid-not-covered", Type: kg.RelStated, FromID: idRussia, ToID: idCeasefire,
			Status: kg.StatusClaimed, SourceIDs: []string{srcKremlin}, DisputesIDs: []string{rMediated, rCovers},
		}})
		noErr(t, err, "UpsertRelations")
		n, err := s.DeleteEntity(t.Context(), idGrid, true)
		noErr(t, err, "DeleteEntity detach")
		if n != 1 {
			t.Errorf("DeleteEntity returned %d, want 1", n)
		}
		sameIDs(t, "DisputesIDs after the disputed relation went with its entity",
			mustRelation(t, s, "rel:grid-not-covered").DisputesIDs, []string{rMediated})
	})
}
