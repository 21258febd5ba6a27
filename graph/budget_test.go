package graph_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/factgraph/factgraph/graph"
	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
)

// gatedStore holds every Stats call until released, counting how many run at once.
type gatedStore struct {
	kg.Store
	running, peak atomic.Int32
	release       chan struct{}
}

func (g *gatedStore) Stats(ctx context.Context, q kg.StatsQuery) (*kg.Stats, error) {
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Store.Stats(ctx, q)
}

// The heavy-field budget: however many stats fields arrive, in one request or many, at most
// HeavyConcurrency run at once, and a cheap read is answered while they wait.
func TestHeavyFieldsShareABudget(t *testing.T) {
	base, err := embedded.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close(context.Background())
	store := &gatedStore{Store: base, release: make(chan struct{})}
	h := graph.NewHandler(store, graph.Options{Logger: slog.New(slog.DiscardHandler), HeavyConcurrency: 1})
	do := func(q string) int {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"`+q+`"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { do("{ a: stats { entities } b: stats { relations } c: stats { sources } }") })
	}
	deadline := time.Now().Add(10 * time.Second)
	for store.running.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// Nine stats fields are waiting or running; the cheap read does not queue behind them.
	if code := do(`{ entity(id: \"person:x\") { id } }`); code != http.StatusOK {
		t.Errorf("cheap read while heavy fields wait: %d", code)
	}
	if n := store.running.Load(); n != 1 {
		t.Errorf("%d stats running at once with a budget of 1", n)
	}
	close(store.release)
	wg.Wait()
	if p := store.peak.Load(); p != 1 {
		t.Errorf("peak of %d stats at once with a budget of 1", p)
	}
}
