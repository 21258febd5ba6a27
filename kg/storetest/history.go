package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// testHistory holds the stores to one history: every write appends a revision per object it
// creates, changes or deletes, numbered 1, 2, 3, ... in commit order, with its time, writer,
// state after and changed fields; asOf answers from it; the changes feed pages it.
func testHistory(t *testing.T, open Opener) {
	s := open(t)
	alice := kg.WithWriter(t.Context(), "alice")
	ctx := t.Context()

	all := func(t *testing.T) []*kg.Revision {
		t.Helper()
		return changes(t, s, kg.ChangesQuery{First: kg.MaxChangesPage})
	}

	t.Run("WritesAppendRevisions", func(t *testing.T) {
		_, _, err := s.UpsertSources(alice, fixtureSources())
		noErr(t, err, "UpsertSources")
		revs := all(t)
		sameSeqs(t, "revisions after the first write", revs, 1, 2, 3)
		for i, r := range revs {
			want := fixtureSources()[i]
			if r.Op != kg.OpCreate || r.Object != kg.ObjectSource || r.ID != want.ID || r.Writer != "alice" {
				t.Errorf("revision %d = %s %s %s by %q, want CREATE SOURCE %s by alice", r.Seq, r.Op, r.Object, r.ID, r.Writer, want.ID)
			}
			if r.Source == nil {
				t.Fatalf("revision %d has no state", r.Seq)
			}
			reportDiff(t, fmt.Sprintf("revision %d state", r.Seq), diffSource(sourceOf(r), normSources(t, []kg.SourceInput{want})[0]))
			if r.At.IsZero() {
				t.Errorf("revision %d has no time", r.Seq)
			}
		}
		if revs[0].Changed == nil || !slices.Contains(revs[0].Changed, "title") || slices.Contains(revs[0].Changed, "id") {
			t.Errorf("a create's changed fields = %q, want every field it set but id", revs[0].Changed)
		}
		// The rest of the fixture, anonymously: the writer is empty.
		_, _, err = s.UpsertEntities(ctx, fixtureEntities())
		noErr(t, err, "UpsertEntities")
		_, _, err = s.UpsertRelations(ctx, fixtureRelations())
		noErr(t, err, "UpsertRelations")
		_, _, err = s.UpsertRelations(ctx, fixtureDisputes())
		noErr(t, err, "UpsertRelations (disputes)")
		revs = all(t)
		if n := 3 + 14 + 11 + 1; len(revs) != n || revs[len(revs)-1].Seq != int64(n) {
			t.Fatalf("after loading the fixture: %d revisions, last %d; want %d numbered 1..%d", len(revs), lastSeq(revs), n, n)
		}
		if revs[3].Writer != "" || revs[3].Object != kg.ObjectEntity || revs[3].ID != idUkraine || revs[3].Kind != kg.KindCountry {
			t.Errorf("revision 4 = %+v, want the anonymous creation of %s", revs[3], idUkraine)
		}
		last := revs[len(revs)-1]
		if last.Object != kg.ObjectRelation || last.ID != rAttackDenial || last.Type != kg.RelAttacked ||
			last.From != idUkraine || last.To != idSudzha || last.Relation == nil || last.Relation.DisputesIDs[0] != rAttackClaim {
			t.Errorf("last revision = %+v, want the creation of %s", last, rAttackDenial)
		}
	})

	var created, updated *kg.Revision
	t.Run("UpdatesAndNoOps", func(t *testing.T) {
		before := lastSeq(all(t))
		// Unchanged items and refused writes add nothing.
		_, _, err := s.UpsertEntities(alice, fixtureEntities())
		noErr(t, err, "UpsertEntities (unchanged)")
		_, _, err = s.UpsertEntities(alice, []kg.EntityInput{{ID: idPutin, Kind: kg.KindPerson, Name: "Vladimir Putin", SourceIDs: []string{"src:nowhere"}}})
		isErr(t, err, kg.ErrInvalidInput, "UpsertEntities (missing source)")
		if got := lastSeq(all(t)); got != before {
			t.Errorf("unchanged and refused writes moved the sequence from %d to %d", before, got)
		}
		time.Sleep(5 * time.Millisecond)
		_, _, err = s.UpsertEntities(alice, []kg.EntityInput{{ID: idPutin, Kind: kg.KindPerson, Name: "Vladimir Putin", Description: "President of the Russian Federation"}})
		noErr(t, err, "UpsertEntities (merge)")
		h := history(t, s, kg.HistoryQuery{Object: kg.ObjectEntity, ID: idPutin, First: 10})
		sameSeqs(t, "history of "+idPutin, h.Items, 8, before+1)
		if len(h.Items) != 2 {
			t.FailNow()
		}
		created, updated = h.Items[0], h.Items[1]
		if updated.Op != kg.OpUpdate || !slices.Equal(updated.Changed, []string{"description"}) || updated.Writer != "alice" {
			t.Errorf("update revision: %s changed %q by %q; want UPDATE of description by alice", updated.Op, updated.Changed, updated.Writer)
		}
		if updated.Entity == nil || updated.Entity.Description != "President of the Russian Federation" || updated.Entity.SourceIDs[0] != srcKremlin {
			t.Errorf("update revision state = %+v, want the merged entity", updated.Entity)
		}
		if e := mustEntity(t, s, idPutin); !e.UpdatedAt.Equal(updated.At) {
			t.Errorf("revision time %v differs from the entity's updatedAt %v", updated.At, e.UpdatedAt)
		}
		// Keyset paging of one object's history.
		p1 := history(t, s, kg.HistoryQuery{Object: kg.ObjectEntity, ID: idPutin, First: 1})
		p2 := history(t, s, kg.HistoryQuery{Object: kg.ObjectEntity, ID: idPutin, First: 1, After: p1.Items[0].Seq})
		if !p1.HasNextPage || p2.HasNextPage || len(p2.Items) != 1 || p2.Items[0].Seq != updated.Seq {
			t.Errorf("history pages: %v/%v then %v/%v", seqs(p1.Items), p1.HasNextPage, seqs(p2.Items), p2.HasNextPage)
		}
		// An entity's history is not a relation's with the same id, nor a missing one's.
		if h := history(t, s, kg.HistoryQuery{Object: kg.ObjectRelation, ID: idPutin, First: 10}); len(h.Items) != 0 {
			t.Errorf("relation history of an entity id = %v", seqs(h.Items))
		}
	})

	t.Run("AsOf", func(t *testing.T) {
		if created == nil {
			t.Skip("needs UpdatesAndNoOps")
		}
		got := asOf(t, s, kg.ObjectEntity, idPutin, created.At)
		if got == nil || got.Seq != created.Seq || got.Entity.Description != "President of Russia" {
			t.Errorf("asOf(the creation) = %+v, want revision %d with the first description", got, created.Seq)
		}
		if got := asOf(t, s, kg.ObjectEntity, idPutin, updated.At.Add(-time.Nanosecond)); got == nil || got.Seq != created.Seq {
			t.Errorf("asOf(just before the update) = %v, want revision %d", got, created.Seq)
		}
		if got := asOf(t, s, kg.ObjectEntity, idPutin, time.Now().Add(time.Hour)); got == nil || got.Seq != updated.Seq {
			t.Errorf("asOf(later) = %v, want revision %d", got, updated.Seq)
		}
		if got := asOf(t, s, kg.ObjectEntity, idPutin, created.At.Add(-time.Second)); got != nil {
			t.Errorf("asOf(before it existed) = %+v, want nil", got)
		}
		_, err := s.AsOf(ctx, "PLANET", idPutin, time.Now())
		invalidQuery(t, err, "AsOf with a bad object type", "object")
	})

	t.Run("DeletesLeaveTombstones", func(t *testing.T) {
		before := lastSeq(all(t))
		noErr(t, s.DeleteRelation(alice, rAttackClaim), "DeleteRelation")
		revs := changes(t, s, kg.ChangesQuery{After: before, First: 100})
		sameSeqs(t, "revisions of a delete", revs, before+1, before+2)
		if len(revs) != 2 {
			t.FailNow()
		}
		// The relation that disputed it lost the id: an update, then the tombstone.
		if r := revs[0]; r.ID != rAttackDenial || r.Op != kg.OpUpdate || !slices.Equal(r.Changed, []string{"disputes"}) {
			t.Errorf("first revision of the delete = %s %s changed %q; want UPDATE %s of disputes", r.Op, r.ID, r.Changed, rAttackDenial)
		}
		tomb := revs[1]
		if tomb.ID != rAttackClaim || tomb.Op != kg.OpDelete || tomb.Relation != nil || tomb.Type != kg.RelAttacked ||
			tomb.From != idUkraine || tomb.To != idSudzha || tomb.Writer != "alice" || len(tomb.Changed) != 0 {
			t.Errorf("tombstone = %+v; want DELETE of %s keeping type and ends, no state", tomb, rAttackClaim)
		}
		if got := asOf(t, s, kg.ObjectRelation, rAttackClaim, time.Now().Add(time.Hour)); got == nil || got.Op != kg.OpDelete {
			t.Errorf("asOf(after the delete) = %+v, want the tombstone", got)
		}
		if got := asOf(t, s, kg.ObjectRelation, rAttackClaim, tomb.At.Add(-time.Nanosecond)); got == nil || got.Op != kg.OpCreate || got.Relation == nil {
			t.Errorf("asOf(before the delete) = %+v, want the relation as created", got)
		}

		// A detach delete: the disputers' updates, the relations' tombstones by id, the entity's.
		before = tomb.Seq
		n, err := s.DeleteEntity(ctx, idSudzha, true)
		noErr(t, err, "DeleteEntity (detach)")
		revs = changes(t, s, kg.ChangesQuery{After: before, First: 100})
		var got []string
		for _, r := range revs {
			got = append(got, fmt.Sprintf("%s %s %s", r.Op, r.Object, r.ID))
		}
		rels := []string{rAttackDenial, rLocatedIn}
		slices.Sort(rels)
		want := []string{"DELETE RELATION " + rels[0], "DELETE RELATION " + rels[1], "DELETE ENTITY " + idSudzha}
		if n != 2 || !slices.Equal(got, want) {
			t.Errorf("revisions of deleting %s with %d relations:\n got  %q\n want %q", idSudzha, n, got, want)
		}
	})

	t.Run("ChangesFeed", func(t *testing.T) {
		full := all(t)
		for i, r := range full {
			if r.Seq != int64(i+1) {
				t.Fatalf("the sequence has a gap or disorder at %d: %d", i, r.Seq)
			}
		}
		// Paging with Through visits every revision once.
		var paged []*kg.Revision
		var after int64
		for range 100 {
			p, err := s.Changes(ctx, kg.ChangesQuery{After: after, First: 7})
			noErr(t, err, "Changes")
			paged = append(paged, p.Items...)
			after = p.Through
			if !p.HasNextPage {
				break
			}
		}
		if !slices.Equal(seqs(paged), seqs(full)) || after != lastSeq(full) {
			t.Errorf("paged feed = %v ending at %d, want %v", seqs(paged), after, seqs(full))
		}
		// Filters.
		check := func(what string, f *kg.ChangeFilter, keep func(r *kg.Revision) bool) {
			t.Helper()
			var want []int64
			for _, r := range full {
				if keep(r) {
					want = append(want, r.Seq)
				}
			}
			got := changes(t, s, kg.ChangesQuery{First: kg.MaxChangesPage, Filter: f})
			if !slices.Equal(seqs(got), want) || len(want) == 0 {
				t.Errorf("changes filtered by %s = %v, want %v", what, seqs(got), want)
			}
			// A filtered page moves Through past what it skipped.
			p, err := s.Changes(ctx, kg.ChangesQuery{First: 1, Filter: f})
			noErr(t, err, "Changes (first 1)")
			if len(want) > 1 && (!p.HasNextPage || p.Through != want[0]) {
				t.Errorf("first page filtered by %s: next %v through %d, want through %d", what, p.HasNextPage, p.Through, want[0])
			}
		}
		check("entity id", &kg.ChangeFilter{EntityID: idUkraine}, func(r *kg.Revision) bool { return r.Touches(idUkraine) })
		check("relation type", &kg.ChangeFilter{Types: []kg.RelationType{kg.RelAttacked}}, func(r *kg.Revision) bool {
			return r.Object == kg.ObjectRelation && r.Type == kg.RelAttacked
		})
		check("entity kind", &kg.ChangeFilter{Kinds: []kg.EntityKind{kg.KindPerson}}, func(r *kg.Revision) bool {
			return r.Object == kg.ObjectEntity && r.Kind == kg.KindPerson
		})
		check("object type", &kg.ChangeFilter{Objects: []kg.ObjectType{kg.ObjectSource}}, func(r *kg.Revision) bool { return r.Object == kg.ObjectSource })
		// The end of the feed: nothing after the last, Through stays.
		p, err := s.Changes(ctx, kg.ChangesQuery{After: lastSeq(full), First: 10})
		noErr(t, err, "Changes at the end")
		if len(p.Items) != 0 || p.HasNextPage || p.Through != lastSeq(full) || p.Last != lastSeq(full) {
			t.Errorf("Changes after the last = %v, next %v, through %d", seqs(p.Items), p.HasNextPage, p.Through)
		}
		_, err = s.Changes(ctx, kg.ChangesQuery{First: 0})
		invalidQuery(t, err, "Changes with first 0", "first")
		_, err = s.Changes(ctx, kg.ChangesQuery{First: 1, Filter: &kg.ChangeFilter{Types: []kg.RelationType{"LIKES"}}})
		invalidQuery(t, err, "Changes with a bad type", "types[0]")
	})

	t.Run("Retention", func(t *testing.T) {
		full := all(t)
		horizon := time.Now().Add(time.Hour)
		n, err := s.PruneHistory(ctx, horizon)
		noErr(t, err, "PruneHistory")
		// Kept: the newest revision of every object that still exists. Gone: the rest.
		newest := map[string]*kg.Revision{}
		for _, r := range full {
			newest[string(r.Object)+" "+r.ID] = r
		}
		var want []int64
		for _, r := range full {
			if newest[string(r.Object)+" "+r.ID] == r && r.Op != kg.OpDelete {
				want = append(want, r.Seq)
			}
		}
		if n != len(full)-len(want) {
			t.Errorf("PruneHistory removed %d revisions, want %d", n, len(full)-len(want))
		}
		_, err = s.Changes(ctx, kg.ChangesQuery{First: 10})
		invalidQuery(t, err, "Changes from before what pruning removed", "after")
		var after int64
		for _, r := range full {
			if !slices.Contains(want, r.Seq) {
				after = max(after, r.Seq)
			}
		}
		got := changes(t, s, kg.ChangesQuery{After: after, First: kg.MaxChangesPage})
		var wantAfter []int64
		for _, q := range want {
			if q > after {
				wantAfter = append(wantAfter, q)
			}
		}
		if !slices.Equal(seqs(got), wantAfter) {
			t.Errorf("changes after pruning = %v, want %v", seqs(got), wantAfter)
		}
		if h := history(t, s, kg.HistoryQuery{Object: kg.ObjectEntity, ID: idPutin, First: 10}); len(h.Items) != 1 || h.Items[0].Seq != updated.Seq {
			t.Errorf("history of %s after pruning = %v, want only %d", idPutin, seqs(h.Items), updated.Seq)
		}
		_, err = s.AsOf(ctx, kg.ObjectEntity, idPutin, horizon.Add(-time.Minute))
		invalidQuery(t, err, "AsOf before the horizon", "at")
		if got := asOf(t, s, kg.ObjectEntity, idPutin, horizon); got == nil || got.Seq != updated.Seq {
			t.Errorf("asOf(the horizon) = %v, want %d", got, updated.Seq)
		}
		// Writing goes on numbering after the last sequence number.
		_, _, err = s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:after-pruning", Title: "After"}})
		noErr(t, err, "UpsertSources after pruning")
		if got := changes(t, s, kg.ChangesQuery{After: lastSeq(full), First: 10}); len(got) != 1 || got[0].Seq != lastSeq(full)+1 {
			t.Errorf("the write after pruning got %v, want %d", seqs(got), lastSeq(full)+1)
		}
	})
}

func changes(t *testing.T, s kg.Store, q kg.ChangesQuery) []*kg.Revision {
	t.Helper()
	p, err := s.Changes(t.Context(), q)
	noErr(t, err, "Changes")
	return p.Items
}

func history(t *testing.T, s kg.Store, q kg.HistoryQuery) *kg.RevisionPage {
	t.Helper()
	p, err := s.History(t.Context(), q)
	noErr(t, err, "History")
	return p
}

func asOf(t *testing.T, s kg.Store, o kg.ObjectType, id string, at time.Time) *kg.Revision {
	t.Helper()
	r, err := s.AsOf(context.WithoutCancel(t.Context()), o, id, at)
	noErr(t, err, "AsOf")
	return r
}

func seqs(revs []*kg.Revision) []int64 {
	out := make([]int64, len(revs))
	for i, r := range revs {
		out[i] = r.Seq
	}
	return out
}

func lastSeq(revs []*kg.Revision) int64 {
	if len(revs) == 0 {
		return 0
	}
	return revs[len(revs)-1].Seq
}

func sameSeqs(t *testing.T, what string, revs []*kg.Revision, want ...int64) {
	t.Helper()
	if got := seqs(revs); !slices.Equal(got, want) {
		t.Errorf("%s: sequence numbers %v, want %v", what, got, want)
	}
}

// sourceOf turns a revision's state back into a source, to compare with diffSource.
func sourceOf(r *kg.Revision) *kg.Source { return r.Source.Source(r.At, r.At) }
