package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/factgraph/factgraph/bench/client"
)

// Load writes d into the factgraph server at endpoint through its API (upsertSources, then
// upsertEntities, then upsertRelations, in batches of batch items, one request at a time), showing a
// progress bar on progress. Upserts are idempotent, so loading twice changes nothing.
func Load(ctx context.Context, c *client.Client, endpoint string, d *Data, batch int, progress io.Writer, label string) (LoadStats, error) {
	var st LoadStats
	total := len(d.Sources) + len(d.Entities) + len(d.Relations)
	bar := newBar(progress, label, total)
	step := func(mutation string, items any, n int) error {
		q := client.GraphQL{
			Query:     "mutation Load($in: " + mutation + "(input: $in) { created updated unchanged } }",
			Variables: map[string]any{"in": items},
		}
		// A batch that failed (a timeout on a loaded machine, a deadlock) is sent again: upserts
		// are idempotent, so one that did commit is then reported unchanged.
		var data json.RawMessage
		var err error
		for attempt := range loadAttempts {
			if data, err = c.Query(ctx, endpoint, q); err == nil || ctx.Err() != nil {
				break
			}
			st.Retries++
			time.Sleep(time.Duration(attempt+1) * time.Second)
		}
		if err != nil {
			return err
		}
		var out struct {
			Op struct{ Created, Updated, Unchanged int }
		}
		if err := json.Unmarshal(data, &out); err != nil {
			return err
		}
		st.Created += out.Op.Created
		st.Unchanged += out.Op.Unchanged + out.Op.Updated
		bar.add(n)
		return nil
	}
	t0 := time.Now()
	for b := range slices.Chunk(d.Sources, batch) {
		if err := step("[SourceInput!]!) { op: upsertSources", b, len(b)); err != nil {
			return st, fmt.Errorf("upsertSources: %w", err)
		}
	}
	t1 := time.Now()
	for b := range slices.Chunk(d.Entities, batch) {
		if err := step("[EntityInput!]!) { op: upsertEntities", b, len(b)); err != nil {
			return st, fmt.Errorf("upsertEntities: %w", err)
		}
	}
	t2 := time.Now()
	for b := range slices.Chunk(d.Relations, batch) {
		if err := step("[RelationInput!]!) { op: upsertRelations", b, len(b)); err != nil {
			return st, fmt.Errorf("upsertRelations: %w", err)
		}
	}
	t3 := time.Now()
	bar.done()
	st.Entities, st.EntityTime = len(d.Entities), t2.Sub(t1)
	st.Relations, st.RelationTime = len(d.Relations), t3.Sub(t2)
	st.Sources, st.SourceTime = len(d.Sources), t1.Sub(t0)
	return st, nil
}

// loadAttempts is how often a batch is sent before the load gives up.
const loadAttempts = 5

// LoadStats says what a load wrote and how fast.
type LoadStats struct {
	Sources, Entities, Relations         int
	Created, Unchanged, Retries          int
	SourceTime, EntityTime, RelationTime time.Duration
}

func (s LoadStats) String() string {
	rate := func(n int, d time.Duration) float64 { return float64(n) / max(d.Seconds(), 1e-9) }
	return fmt.Sprintf("%d created, %d already there, %d batches retried; %.0f entities/s, %.0f relations/s",
		s.Created, s.Unchanged, s.Retries, rate(s.Entities, s.EntityTime), rate(s.Relations, s.RelationTime))
}

// bar is a one-line progress bar redrawn with a carriage return.
type bar struct {
	w            io.Writer
	label        string
	total, done_ int
	start, last  time.Time
}

func newBar(w io.Writer, label string, total int) *bar {
	return &bar{w: w, label: label, total: total, start: time.Now()}
}

func (b *bar) add(n int) {
	b.done_ += n
	if time.Since(b.last) < 200*time.Millisecond && b.done_ < b.total {
		return
	}
	b.last = time.Now()
	const width = 30
	filled := width * b.done_ / max(b.total, 1)
	rate := float64(b.done_) / max(time.Since(b.start).Seconds(), 1e-9)
	fmt.Fprintf(b.w, "\r%-22s [%s%s] %3d%% %d/%d items, %.0f/s ", b.label,
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled), 100*b.done_/max(b.total, 1), b.done_, b.total, rate)
}

func (b *bar) done() {
	b.last = time.Time{}
	b.add(0)
	fmt.Fprintf(b.w, "in %s\n", time.Since(b.start).Round(100*time.Millisecond))
}
