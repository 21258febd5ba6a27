package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/factgraph/factgraph/bench/harness"
)

// Scaling writes one table of the id lookup (q1) and the two-level shape (q4) over runs at
// different data sizes: p50 / p99 at c=1 and req/s, per server, and the growth of each
// server's p50 from the smallest to the largest run.
func Scaling(w io.Writer, files []string) error {
	var runs []*harness.Result
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r harness.Result
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		runs = append(runs, &r)
	}
	if len(runs) == 0 {
		return fmt.Errorf("no results given")
	}
	slices.SortFunc(runs, func(a, b *harness.Result) int { return a.Data.Entities - b.Data.Entities })
	servers := runs[0].Servers
	fmt.Fprintf(w, "| shape | entities (relations) | load avg |")
	for _, s := range servers {
		fmt.Fprintf(w, " %s p50 / p99 ms, req/s |", Names[s])
	}
	fmt.Fprintf(w, "\n|---|---|---|")
	for range servers {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintln(w)
	for _, shape := range []string{"q1", "q4"} {
		for _, r := range runs {
			fmt.Fprintf(w, "| %s | %d (%d) | %.1f |", shape, r.Data.Entities, r.Data.Relations, r.Machine.LoadMean)
			for _, s := range servers {
				if x := row(r, shape, s); x != nil {
					fmt.Fprintf(w, " %.1f / %.1f, %s |", x.P50, x.P99, num(x.RPS))
				} else {
					fmt.Fprintf(w, " – |")
				}
			}
			fmt.Fprintln(w)
		}
		first, last := runs[0], runs[len(runs)-1]
		fmt.Fprintf(w, "| %s p50 growth | %d → %d | |", shape, first.Data.Entities, last.Data.Entities)
		for _, s := range servers {
			a, b := row(first, shape, s), row(last, shape, s)
			if a != nil && b != nil && a.P50 > 0 {
				fmt.Fprintf(w, " %.2f× |", b.P50/a.P50)
			} else {
				fmt.Fprintf(w, " – |")
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}
