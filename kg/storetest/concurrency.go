package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

func testConcurrency(t *testing.T, open Opener) {
	const workers, n = 8, 20
	s := open(t)
	ctx := t.Context()
	_, _, err := s.UpsertSources(ctx, fixtureSources())
	noErr(t, err, "UpsertSources")

	var ents []kg.EntityInput
	for i := range n {
		ents = append(ents, kg.EntityInput{ID: fmt.Sprintf("location:c-%02d", i), Kind: kg.KindLocation,
			Name: fmt.Sprintf("Place %d", i), Aliases: []string{fmt.Sprintf("P%d", i)}, SourceIDs: []string{srcBBC}})
	}
	var rels []kg.RelationInput
	for i := range n {
		rels = append(rels, kg.RelationInput{ID: fmt.Sprintf("rel:c-%02d", i), Type: kg.RelLocatedIn,
			FromID: ents[i].ID, ToID: ents[(i+1)%n].ID, Status: kg.StatusConfirmed, SourceIDs: []string{srcBBC, srcKremlin},
			Confidence: ptr(0.5), OccurredAt: tm(at(2025, 3, 18, i%24, 0, zKyiv), kg.PrecisionHour, "")})
	}

	// run starts every worker at once; half of them write the batch in reverse order, which
	// is how lock-ordering deadlocks in a database show up. Every call must succeed: retrying
	// transient errors is the store's job, not the caller's.
	run := func(t *testing.T, write func(reverse bool) (kg.WriteCounts, error)) kg.WriteCounts {
		t.Helper()
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			total kg.WriteCounts
			start = make(chan struct{})
		)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				c, err := write(w%2 == 1)
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
				}
				mu.Lock()
				total.Created += c.Created
				total.Updated += c.Updated
				total.Unchanged += c.Unchanged
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		return total
	}
	maybeReverse := func(in []kg.EntityInput, reverse bool) []kg.EntityInput {
		out := slices.Clone(in)
		if reverse {
			slices.Reverse(out)
		}
		return out
	}

	t.Run("SameEntities", func(t *testing.T) {
		total := run(t, func(reverse bool) (kg.WriteCounts, error) {
			_, c, err := s.UpsertEntities(ctx, maybeReverse(ents, reverse))
			return c, err
		})
		// Each entity is created by exactly one call; the others see it as it is.
		if total.Created != n || total.Updated != 0 || total.Unchanged != n*(workers-1) {
			t.Errorf("summed counts = %+v, want %d created, 0 updated, %d unchanged", total, n, n*(workers-1))
		}
		if st := stats(t, s); st.Entities != n || st.ByKind[kg.KindLocation] != n {
			t.Errorf("Stats after concurrent upserts = %d entities (%d locations), want %d", st.Entities, st.ByKind[kg.KindLocation], n)
		}
		p := entityPage(t, s, kg.EntityQuery{OrderBy: byEntityID(kg.Asc), First: 100})
		if p.TotalCount != n || len(p.Items) != n {
			t.Errorf("Entities after concurrent upserts: %d items, total %d; want %d", len(p.Items), p.TotalCount, n)
		}
		want := normEntities(t, ents)
		for i, e := range p.Items {
			if i < len(want) {
				reportDiff(t, "entity "+e.ID, diffEntity(e, want[i]))
			}
		}
	})
	t.Run("SameRelations", func(t *testing.T) {
		total := run(t, func(reverse bool) (kg.WriteCounts, error) {
			in := slices.Clone(rels)
			if reverse {
				slices.Reverse(in)
			}
			_, c, err := s.UpsertRelations(ctx, in)
			return c, err
		})
		if total.Created != n || total.Updated != 0 || total.Unchanged != n*(workers-1) {
			t.Errorf("summed counts = %+v, want %d created, 0 updated, %d unchanged", total, n, n*(workers-1))
		}
		if st := stats(t, s); st.Relations != n || st.Entities != n {
			t.Errorf("Stats after concurrent upserts = %d relations, %d entities; want %d, %d", st.Relations, st.Entities, n, n)
		}
		got := walkRelations(t, s, kg.RelationQuery{OrderBy: byRelationID(kg.Asc), First: 7}, n)
		var want []string
		for _, r := range rels {
			want = append(want, r.ID)
		}
		sameIDs(t, "relations after concurrent upserts", got, want)
	})
	t.Run("ReadersDuringWrites", func(t *testing.T) {
		// Readers running alongside a writer get whole values and no errors (under -race this
		// also finds unguarded shared state). The suite does not demand snapshot reads: Neo4j
		// reads at read-committed.
		var wg sync.WaitGroup
		extra := make([]kg.EntityInput, n)
		for i := range extra {
			extra[i] = kg.EntityInput{ID: fmt.Sprintf("location:d-%02d", i), Kind: kg.KindLocation,
				Name: fmt.Sprintf("D %d", i), Aliases: []string{"dee"}}
		}
		done := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			for i := range 5 {
				in := slices.Clone(extra)
				for j := range in {
					in[j].Description = fmt.Sprintf("round %d", i)
				}
				if _, _, err := s.UpsertEntities(ctx, in); err != nil {
					t.Errorf("writer: %v", err)
				}
			}
		}()
		for r := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					p, err := s.Entities(ctx, kg.EntityQuery{Filter: &kg.EntityFilter{NameContains: "dee"}, OrderBy: byName(kg.Asc), First: 100})
					if err != nil {
						t.Errorf("reader %d: %v", r, err)
						return
					}
					for _, e := range p.Items {
						if e.Kind != kg.KindLocation || e.Name == "" || len(e.Aliases) != 1 || e.Description == "" {
							t.Errorf("reader %d saw a partial entity: %+v", r, e)
							return
						}
					}
					if _, err := s.Search(ctx, kg.SearchQuery{Text: "dee", Limit: 5}); err != nil {
						t.Errorf("reader %d: Search: %v", r, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if st := stats(t, s); st.Entities != 2*n {
			t.Errorf("Entities = %d after the writer, want %d", st.Entities, 2*n)
		}
	})
}
