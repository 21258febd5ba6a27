package embedded

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

// endsAfter is a context whose Err turns to Canceled after n looks: it proves that a scan
// looks at its context while it runs, not only before it starts.
type endsAfter struct {
	context.Context
	left atomic.Int64
}

func (c *endsAfter) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestScansStopWhenTheRequestEnds(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	const n = 5000
	in := make([]kg.EntityInput, 0, kg.MaxBatch)
	for i := range n {
		in = append(in, kg.EntityInput{ID: fmt.Sprintf("person:p%05d", i), Kind: kg.KindPerson, Name: fmt.Sprintf("Person %d", i)})
		if len(in) == kg.MaxBatch {
			if _, _, err := s.UpsertEntities(ctx, in); err != nil {
				t.Fatal(err)
			}
			in = in[:0]
		}
	}
	calls := map[string]func(context.Context) error{
		"Entities with a filter": func(ctx context.Context) error {
			_, err := s.Entities(ctx, kg.EntityQuery{Filter: &kg.EntityFilter{NameContains: "nobody"}, First: 10})
			return err
		},
		"Stats": func(ctx context.Context) error { _, err := s.Stats(ctx, kg.StatsQuery{}); return err },
		"Search": func(ctx context.Context) error {
			_, err := s.Search(ctx, kg.SearchQuery{Text: "persn", Limit: 10})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(ctx); err != nil {
				t.Fatalf("uncancelled: %v", err)
			}
			c := &endsAfter{Context: ctx}
			c.left.Store(2) // the look before taking the lock, and one more
			if err := call(c); !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled from inside the scan", err)
			}
		})
	}
}
