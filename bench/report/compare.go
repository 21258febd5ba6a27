package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/factgraph/factgraph/bench/harness"
	"github.com/factgraph/factgraph/bench/shapes"
)

// Compare writes one table of factgraph's figures in two runs (before and after a change):
// per shape, req/s at c=N, the ratios to the anchor and to the raw driver measured within each
// run, p50 at c=1 and round trips.
func Compare(w io.Writer, beforeFile, afterFile string) error {
	load := func(f string) (*harness.Result, error) {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r harness.Result
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		return &r, nil
	}
	before, err := load(beforeFile)
	if err != nil {
		return err
	}
	after, err := load(afterFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "factgraph on Neo4j, %s (load avg %.1f) → %s (load avg %.1f); ratios are within each run.\n\n",
		before.Label, before.Machine.LoadMean, after.Label, after.Machine.LoadMean)
	fmt.Fprintf(w, "| shape | req/s at c=%d | ÷ anchor req/s (goal ≥ 2) | cost ÷ raw cost (goal ≤ 1.5) | p50 ms at c=1 | p99 ms at c=1 | RUN / tx per request | embedded p50 ms |\n",
		after.Config.Concurrency)
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|\n")
	arrow := func(a, b string) string { return a + " → " + b }
	for _, sh := range after.Shapes {
		fb, fa := row(before, sh.Name, shapes.Factgraph), row(after, sh.Name, shapes.Factgraph)
		if fb == nil || fa == nil {
			continue
		}
		eb, ea := row(before, sh.Name, shapes.Embedded), row(after, sh.Name, shapes.Embedded)
		emb := "–"
		if eb != nil && ea != nil {
			emb = arrow(fmt.Sprintf("%.1f", eb.P50), fmt.Sprintf("%.1f", ea.P50))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", sh.Name,
			arrow(num(fb.RPS), num(fa.RPS)),
			arrow(ratio(fb, row(before, sh.Name, shapes.Anchor)), ratio(fa, row(after, sh.Name, shapes.Anchor))),
			arrow(ratio(row(before, sh.Name, shapes.Raw), fb), ratio(row(after, sh.Name, shapes.Raw), fa)),
			arrow(fmt.Sprintf("%.1f", fb.P50), fmt.Sprintf("%.1f", fa.P50)),
			arrow(fmt.Sprintf("%.1f", fb.P99), fmt.Sprintf("%.1f", fa.P99)),
			arrow(fmt.Sprintf("%.1f / %.1f", fb.RunsPerReq, fb.TxPerReq), fmt.Sprintf("%.1f / %.1f", fa.RunsPerReq, fa.TxPerReq)),
			emb)
	}
	return nil
}
