package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/server"
)

// BenchmarkHeavyClientBesideCheapReads is the load test of the heavy-field budget: on a store of
// 20,000 entities and 100,000 relations, cheap clients read entities by id, alone, then beside
// one client looping the most expensive query the limits admit (20 root stats fields, each two
// full scans), with the budget and without it. It reports figures, it asserts nothing:
//
//	go test -run '^$' -bench HeavyClient -benchtime 1x ./server/
func BenchmarkHeavyClientBesideCheapReads(b *testing.B) {
	const entities, relations, phase, cheapClients = 20000, 100000, 5 * time.Second, 4
	ctx := context.Background()
	store, err := embedded.Open(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close(ctx)
	if _, _, err := store.UpsertSources(ctx, []kg.SourceInput{{ID: "source:load", Title: "load"}}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < entities; i += kg.MaxBatch {
		var in []kg.EntityInput
		for j := i; j < min(i+kg.MaxBatch, entities); j++ {
			in = append(in, kg.EntityInput{ID: fmt.Sprintf("person:p%d", j), Kind: kg.KindPerson, Name: fmt.Sprintf("Person %d", j)})
		}
		if _, _, err := store.UpsertEntities(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < relations; i += kg.MaxBatch {
		var in []kg.RelationInput
		for j := i; j < min(i+kg.MaxBatch, relations); j++ {
			in = append(in, kg.RelationInput{ID: fmt.Sprintf("rel:r%d", j), Type: kg.RelSpokeWith, Status: kg.StatusConfirmed,
				FromID: fmt.Sprintf("person:p%d", rng.IntN(entities)), ToID: fmt.Sprintf("person:p%d", rng.IntN(entities)),
				SourceIDs: []string{"source:load"}})
		}
		if _, _, err := store.UpsertRelations(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	heavy := "{ "
	for i := range 20 {
		heavy += fmt.Sprintf("s%d: stats { entities relations } ", i)
	}
	heavy += "}"

	type figures struct {
		n              int
		errs           int
		p50, p99, max  time.Duration
		heavyDone      int
		heavyErrs      int
		heavyP50       time.Duration
		cheapPerSecond float64
	}
	run := func(cfg server.Config, withHeavy bool) figures {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := server.HTTPServer(server.New(store, cfg, slog.New(slog.DiscardHandler)), cfg)
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		url := "http://" + ln.Addr().String() + "/graphql"
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		post := func(q string) (time.Duration, bool) {
			start := time.Now()
			resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(`{"query":"`+q+`"}`)))
			if err != nil {
				return time.Since(start), false
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return time.Since(start), resp.StatusCode == 200 && !bytes.Contains(body, []byte(`"errors"`))
		}
		stop := time.Now().Add(phase)
		var mu sync.Mutex
		var f figures
		var lat, heavyLat []time.Duration
		var wg sync.WaitGroup
		if withHeavy {
			wg.Go(func() {
				for time.Now().Before(stop) {
					d, ok := post(heavy)
					mu.Lock()
					heavyLat = append(heavyLat, d)
					if !ok {
						f.heavyErrs++
					}
					mu.Unlock()
				}
			})
			time.Sleep(100 * time.Millisecond) // the heavy client is busy before cheap ones start
		}
		for c := range cheapClients {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(c), 9))
				for time.Now().Before(stop) {
					d, ok := post(fmt.Sprintf(`{ entity(id: \"person:p%d\") { id name } }`, r.IntN(entities)))
					mu.Lock()
					lat = append(lat, d)
					if !ok {
						f.errs++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(lat)
		slices.Sort(heavyLat)
		q := func(l []time.Duration, p float64) time.Duration {
			if len(l) == 0 {
				return 0
			}
			return l[min(len(l)-1, int(p*float64(len(l))))]
		}
		f.n, f.p50, f.p99, f.max = len(lat), q(lat, 0.5), q(lat, 0.99), q(lat, 1)
		f.heavyDone, f.heavyP50 = len(heavyLat), q(heavyLat, 0.5)
		f.cheapPerSecond = float64(len(lat)) / phase.Seconds()
		return f
	}
	for range b.N {
		report := func(name string, f figures) {
			b.Logf("%-28s cheap: %6.0f req/s p50 %8v p99 %8v max %8v errors %d | heavy: %d done, p50 %v, errors %d",
				name, f.cheapPerSecond, f.p50.Round(10*time.Microsecond), f.p99.Round(10*time.Microsecond), f.max.Round(time.Millisecond), f.errs,
				f.heavyDone, f.heavyP50.Round(time.Millisecond), f.heavyErrs)
		}
		alone := run(server.Config{}, false)
		report("cheap alone", alone)
		budget := run(server.Config{}, true)
		report("beside heavy, budget", budget)
		none := run(server.Config{HeavyConcurrency: -1}, true)
		report("beside heavy, no budget", none)
		b.ReportMetric(float64(alone.p99.Microseconds()), "alone-p99-µs")
		b.ReportMetric(float64(budget.p99.Microseconds()), "budget-p99-µs")
		b.ReportMetric(float64(none.p99.Microseconds()), "nobudget-p99-µs")
	}
}
