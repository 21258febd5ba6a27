// Package load drives the servers under test: sequential requests for latency and a fixed
// number of concurrent workers for throughput, in rounds that alternate between the servers
// so that every server sees the same machine load.
package load

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/factgraph/factgraph/bench/client"
)

// Target is one server and how to ask it one shape.
type Target struct {
	Server  string
	BaseURL string
	// Request returns the path and body of the i-th request.
	Request func(i int) (path string, body []byte)
	// Check reports whether a response answers the request (for reads, that it has data and
	// no errors); it runs on every response, so it must be cheap.
	Check func(resp []byte) bool
}

// Latency is the outcome of sequential requests to one target.
type Latency struct {
	Samples []time.Duration
	Errors  int
	// FirstError is the first failure's message.
	FirstError string
}

// Quantile returns the q-quantile (0..1) of the samples by the nearest-rank method.
func (l *Latency) Quantile(q float64) time.Duration {
	if len(l.Samples) == 0 {
		return 0
	}
	s := slices.Clone(l.Samples)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Throughput is the outcome of concurrent requests to one target.
type Throughput struct {
	Requests, Errors int64
	Elapsed          time.Duration
	FirstError       string
}

// PerSecond is successful requests per second.
func (t *Throughput) PerSecond() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Requests) / t.Elapsed.Seconds()
}

// Runner sends requests with one HTTP client.
type Runner struct {
	C *client.Client
	// seq numbers requests per server, so parameters cycle and write ids stay fresh.
	mu  sync.Mutex
	seq map[string]*atomic.Int64
}

// NewRunner makes a runner.
func NewRunner(c *client.Client) *Runner {
	return &Runner{C: c, seq: map[string]*atomic.Int64{}}
}

func (r *Runner) next(server string) int {
	r.mu.Lock()
	s := r.seq[server]
	if s == nil {
		s = &atomic.Int64{}
		r.seq[server] = s
	}
	r.mu.Unlock()
	return int(s.Add(1) - 1)
}

// Do sends one request and returns the response and how long it took.
func (r *Runner) Do(ctx context.Context, t Target) ([]byte, time.Duration, error) {
	path, body := t.Request(r.next(t.Server))
	start := time.Now()
	resp, err := r.C.Post(ctx, t.BaseURL+path, body)
	return resp, time.Since(start), err
}

func (r *Runner) one(ctx context.Context, t Target) (time.Duration, string) {
	resp, d, err := r.Do(ctx, t)
	if err != nil {
		return d, err.Error()
	}
	if !t.Check(resp) {
		return d, string(resp[:min(len(resp), 300)])
	}
	return d, ""
}

// Sequential measures latency at concurrency 1: warmup requests per target first, then rounds
// of perRound requests to each target in turn (the order rotating each round), until every
// target had n timed requests.
func (r *Runner) Sequential(ctx context.Context, targets []Target, warmup, n, perRound int) []*Latency {
	out := make([]*Latency, len(targets))
	for i, t := range targets {
		out[i] = &Latency{}
		for range warmup {
			r.one(ctx, t)
		}
	}
	for round := 0; ; round++ {
		done := true
		for k := range targets {
			i := (k + round) % len(targets)
			l := out[i]
			for j := 0; j < perRound && len(l.Samples)+l.Errors < n; j++ {
				d, msg := r.one(ctx, targets[i])
				if msg != "" {
					l.Errors++
					if l.FirstError == "" {
						l.FirstError = msg
					}
					continue
				}
				l.Samples = append(l.Samples, d)
			}
			done = done && len(l.Samples)+l.Errors >= n
		}
		if done || ctx.Err() != nil {
			return out
		}
	}
}

// Concurrent measures throughput at concurrency c: slices of length slice, alternating between
// the targets (the order rotating each round), until every target ran for total.
func (r *Runner) Concurrent(ctx context.Context, targets []Target, c int, total, slice time.Duration) []*Throughput {
	out := make([]*Throughput, len(targets))
	for i := range out {
		out[i] = &Throughput{}
	}
	rounds := max(1, int((total+slice/2)/slice))
	for round := range rounds {
		for k := range targets {
			i := (k + round) % len(targets)
			r.slice(ctx, targets[i], c, slice, out[i])
			if ctx.Err() != nil {
				return out
			}
		}
	}
	return out
}

func (r *Runner) slice(ctx context.Context, t Target, c int, d time.Duration, acc *Throughput) {
	deadline := time.Now().Add(d)
	var ok, bad atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if _, msg := r.one(ctx, t); msg != "" {
					bad.Add(1)
					first.CompareAndSwap(nil, msg)
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// Elapsed runs to the last response, so requests in flight at the deadline count fully.
	acc.Elapsed += time.Since(start)
	acc.Requests += ok.Load()
	acc.Errors += bad.Load()
	if msg, _ := first.Load().(string); msg != "" && acc.FirstError == "" {
		acc.FirstError = msg
	}
}

// CheckData is the cheap check of a GraphQL or raw JSON response: it has a data member and no
// errors member.
func CheckData(resp []byte) bool {
	return bytes.Contains(resp, []byte(`"data"`)) && !bytes.Contains(resp, []byte(`"errors"`))
}
