// Package report turns a run's results into a markdown report and an SVG chart.
package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/factgraph/factgraph/bench/harness"
	"github.com/factgraph/factgraph/bench/shapes"
)

// Names are the servers as the report calls them.
var Names = map[string]string{
	shapes.Factgraph: "factgraph on Neo4j",
	shapes.Anchor:    "@neo4j/graphql",
	shapes.Raw:       "raw driver (HTTP)",
	shapes.Embedded:  "factgraph embedded",
}

func row(res *harness.Result, shape, server string) *harness.Row {
	for i := range res.Rows {
		if res.Rows[i].Shape == shape && res.Rows[i].Server == server {
			return &res.Rows[i]
		}
	}
	return nil
}

func has(res *harness.Result, server string) bool { return slices.Contains(res.Servers, server) }

// Markdown writes the report: machine and method, the summary table with ratios, the detailed
// table, round trips and equivalence.
func Markdown(w io.Writer, res *harness.Result, chart string) {
	m := res.Machine
	fmt.Fprintf(w, "# factgraph benchmark: %s\n\n", res.Label)
	fmt.Fprintf(w, "Run %s to %s UTC on factgraph `%s` (%s).\n\n", res.Started.Format("2006-01-02 15:04"), res.Finished.Format("15:04"), m.Commit, m.CommitLine)
	fmt.Fprintf(w, "**Machine:** %d CPUs, %d MB memory, %s; load average (1 min) %.2f at start, %.2f at end, mean %.2f, max %.2f while running",
		m.CPUs, m.MemoryMB, m.Kernel, m.LoadStart, m.LoadEnd, m.LoadMean, m.LoadMax)
	fmt.Fprintf(w, " (other work shared the machine: absolute figures are inflated, ratios within a row measured side by side are what count).\n")
	var vs []string
	for _, k := range sortedKeys(m.Versions) {
		vs = append(vs, fmt.Sprintf("%s %s", k, m.Versions[k]))
	}
	fmt.Fprintf(w, "**Versions:** %s.\n\n", strings.Join(vs, ", "))
	d := res.Data
	var kinds []string
	for _, k := range sortedKeys(d.ByKind) {
		kinds = append(kinds, fmt.Sprintf("%d %s", d.ByKind[k], strings.ToLower(k)))
	}
	fmt.Fprintf(w, "**Data** (seed %d): %d entities (%s), %d relations (%d of them disputing another), %d sources; hubs %s with %d relations each. %s.\n\n",
		res.Config.Seed, d.Entities, strings.Join(kinds, ", "), d.Relations, d.Disputes, d.Sources, strings.Join(d.Hubs, ", "), d.HubDegree, d.Loaded)
	fmt.Fprintf(w, "**Method:** every server behind its own Bolt-counting proxy to one Neo4j; c=1: %d warm-up + %d timed requests per server and shape, in rounds of alternating servers; c=%d: %s per server and shape in %s turns alternating between servers; requests cycle through the same parameters on every server.\n\n",
		res.Config.Warmup, res.Config.Requests, res.Config.Concurrency, res.Config.Duration, res.Config.Slice)
	for _, n := range res.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
	if len(res.Notes) > 0 {
		fmt.Fprintln(w)
	}

	// Summary: req/s per server and the ratios the goals are stated in.
	fmt.Fprintf(w, "## Throughput at c=%d (req/s) and ratios\n\n", res.Config.Concurrency)
	fmt.Fprintf(w, "| shape |")
	for _, s := range res.Servers {
		fmt.Fprintf(w, " %s |", Names[s])
	}
	fmt.Fprintf(w, " factgraph ÷ anchor (req/s) | factgraph cost ÷ raw cost | embedded ÷ anchor |\n|---|")
	for range res.Servers {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintf(w, "---|---|---|\n")
	for _, sh := range res.Shapes {
		fmt.Fprintf(w, "| %s |", sh.Title)
		for _, s := range res.Servers {
			if r := row(res, sh.Name, s); r != nil {
				fmt.Fprintf(w, " %s%s |", num(r.RPS), errMark(r))
			} else {
				fmt.Fprintf(w, " – |")
			}
		}
		fg, an, raw, emb := row(res, sh.Name, shapes.Factgraph), row(res, sh.Name, shapes.Anchor), row(res, sh.Name, shapes.Raw), row(res, sh.Name, shapes.Embedded)
		fmt.Fprintf(w, " %s | %s | %s |\n", ratio(fg, an), ratio(raw, fg), ratio(emb, an))
	}
	fmt.Fprintf(w, "\n\"cost\" is time per request at c=%d, 1/(req/s); the goal is factgraph ÷ anchor ≥ 2 and factgraph cost ÷ raw cost ≤ 1.5. A `*` marks a cell with errors (see below).\n\n", res.Config.Concurrency)

	fmt.Fprintf(w, "## Latency at c=1 (ms: p50 / p90 / p99) and Neo4j round trips per request\n\n")
	fmt.Fprintf(w, "| shape |")
	for _, s := range res.Servers {
		fmt.Fprintf(w, " %s |", Names[s])
	}
	fmt.Fprintf(w, " factgraph p50 ÷ anchor p50 | factgraph p50 ÷ raw p50 |\n|---|")
	for range res.Servers {
		fmt.Fprintf(w, "---|")
	}
	fmt.Fprintf(w, "---|---|\n")
	for _, sh := range res.Shapes {
		fmt.Fprintf(w, "| %s |", sh.Name)
		for _, s := range res.Servers {
			r := row(res, sh.Name, s)
			if r == nil {
				fmt.Fprintf(w, " – |")
				continue
			}
			rt := ""
			if r.RunsPerReq >= 0 {
				rt = fmt.Sprintf("; %.1f RUN, %.1f tx", r.RunsPerReq, r.TxPerReq)
			}
			fmt.Fprintf(w, " %.1f / %.1f / %.1f%s |", r.P50, r.P90, r.P99, rt)
		}
		fg, an, raw := row(res, sh.Name, shapes.Factgraph), row(res, sh.Name, shapes.Anchor), row(res, sh.Name, shapes.Raw)
		fmt.Fprintf(w, " %s | %s |\n", latRatio(fg, an), latRatio(fg, raw))
	}
	fmt.Fprintf(w, "\nRUN = Bolt statements per request, tx = transactions per request (BEGIN, or a RUN outside one), counted by the proxy; the embedded store has none.\n\n")

	var errs []string
	for _, r := range res.Rows {
		if r.C1Errors > 0 || r.C8Errors > 0 {
			errs = append(errs, fmt.Sprintf("- %s on %s: %d of %d at c=1, %d at c=%d; first: `%s`", Names[r.Server], r.Shape,
				r.C1Errors, r.C1Requests+r.C1Errors, r.C8Errors, res.Config.Concurrency, oneLine(r.FirstError)))
		}
	}
	fmt.Fprintf(w, "## Errors\n\n")
	if len(errs) == 0 {
		fmt.Fprintf(w, "None.\n\n")
	} else {
		fmt.Fprintf(w, "%s\n\n", strings.Join(errs, "\n"))
	}

	fmt.Fprintf(w, "## Equivalence of answers\n\n")
	var eq []string
	for _, e := range res.Equivalence {
		if e.Different > 0 {
			eq = append(eq, fmt.Sprintf("- %s, %s vs %s: %d of %d requests differ; %s", e.Shape, Names[e.Server], Names[e.Reference], e.Different, e.Checked, oneLine(e.Example)))
		}
	}
	if len(res.Equivalence) == 0 {
		fmt.Fprintf(w, "Not checked in this run.\n\n")
	} else if len(eq) == 0 {
		fmt.Fprintf(w, "Every server gave the same answers as factgraph on Neo4j for every shape checked.\n\n")
	} else {
		fmt.Fprintf(w, "Compared on each shape's first requests (8 parameters; 1 for the write), canonicalised (ids, names, order, counts; scores to 4 decimals):\n\n%s\n\n", strings.Join(eq, "\n"))
	}
	if chart != "" {
		fmt.Fprintf(w, "![throughput and latency](%s)\n", chart)
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

func errMark(r *harness.Row) string {
	if r.C1Errors > 0 || r.C8Errors > 0 {
		return "*"
	}
	return ""
}

func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// ratio is a's req/s over b's.
func ratio(a, b *harness.Row) string {
	if a == nil || b == nil || b.RPS == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a.RPS/b.RPS)
}

func latRatio(a, b *harness.Row) string {
	if a == nil || b == nil || b.P50 == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a.P50/b.P50)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// colors per server, in report order.
var colors = map[string]string{
	shapes.Factgraph: "#1f77b4",
	shapes.Anchor:    "#d62728",
	shapes.Raw:       "#7f7f7f",
	shapes.Embedded:  "#2ca02c",
}

// SVG draws two panels of grouped horizontal bars on log scales: throughput at c=N (req/s)
// and p50 latency at c=1 (ms), one group per shape, one bar per server.
func SVG(w io.Writer, res *harness.Result) {
	const (
		panelW, labelW, barH, gap, top = 420.0, 150.0, 9.0, 10.0, 60.0
	)
	groupH := barH*float64(len(res.Servers)) + gap
	height := top + groupH*float64(len(res.Shapes)) + 45
	width := labelW + 2*panelW + 60
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(w, `<text x="10" y="18" font-size="14" font-weight="bold">factgraph benchmark: %s (%d entities, load avg %.1f)</text>`+"\n",
		esc(res.Label), res.Data.Entities, res.Machine.LoadMean)
	// Legend.
	x := 10.0
	for _, s := range res.Servers {
		fmt.Fprintf(w, `<rect x="%.0f" y="28" width="10" height="10" fill="%s"/><text x="%.0f" y="37">%s</text>`+"\n", x, colors[s], x+14, esc(Names[s]))
		x += 30 + 6*float64(len(Names[s]))
	}
	panel := func(x0 float64, title string, val func(*harness.Row) float64, unit string) {
		lo, hi := math.Inf(1), 0.0
		for _, r := range res.Rows {
			if v := val(&r); v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if hi == 0 {
			return
		}
		l0, l1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
		if l1 == l0 {
			l1++
		}
		scale := func(v float64) float64 { return (math.Log10(v) - l0) / (l1 - l0) * (panelW - 20) }
		fmt.Fprintf(w, `<text x="%.0f" y="%.0f" font-weight="bold">%s</text>`+"\n", x0, top-8, esc(title))
		for e := l0; e <= l1; e++ {
			gx := x0 + scale(math.Pow(10, e))
			fmt.Fprintf(w, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/><text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%s</text>`+"\n",
				gx, top, gx, height-40, gx, height-28, tick(math.Pow(10, e), unit))
		}
		for gi, sh := range res.Shapes {
			y := top + float64(gi)*groupH
			for si, s := range res.Servers {
				r := row(res, sh.Name, s)
				if r == nil || val(r) <= 0 {
					continue
				}
				bw := max(1, scale(val(r)))
				by := y + float64(si)*barH
				fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s %s</title></rect>`+"\n",
					x0, by, bw, barH-1, colors[s], esc(Names[s]), sh.Name, num(val(r)), unit)
				fmt.Fprintf(w, `<text x="%.1f" y="%.1f" font-size="8" fill="#333">%s</text>`+"\n", x0+bw+2, by+barH-2, num(val(r)))
			}
		}
	}
	for gi, sh := range res.Shapes {
		y := top + float64(gi)*groupH + groupH/2
		fmt.Fprintf(w, `<text x="10" y="%.1f">%s</text>`+"\n", y, esc(shortTitle(sh)))
	}
	panel(labelW, fmt.Sprintf("throughput at c=%d, req/s (log scale; longer is better)", res.Config.Concurrency),
		func(r *harness.Row) float64 { return r.RPS }, "")
	panel(labelW+panelW+30, "p50 latency at c=1, ms (log scale; shorter is better)",
		func(r *harness.Row) float64 { return r.P50 }, "ms")
	fmt.Fprintln(w, "</svg>")
}

func shortTitle(sh harness.ShapeInfo) string {
	t := map[string]string{"q1": "Q1 id + 20 relations", "q2": "Q2 name contains", "q3": "Q3 100 ATTACKED",
		"q4": "Q4 two levels", "q5": "Q5 count persons", "search": "full-text search", "write": "write 100 + 100"}[sh.Name]
	if t == "" {
		return sh.Name
	}
	return t
}

func tick(v float64, unit string) string {
	switch {
	case unit == "ms" && v >= 1000:
		return fmt.Sprintf("%gs", v/1000)
	case v >= 1000:
		return fmt.Sprintf("%gk%s", v/1000, unit)
	}
	return fmt.Sprintf("%g%s", v, unit)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
