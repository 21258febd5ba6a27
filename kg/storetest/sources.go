package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

// walkSources follows the source pages to the end.
func walkSources(t *testing.T, s kg.Store, q kg.SourceQuery, wantTotal int) []string {
	t.Helper()
	var got []string
	for page := 1; ; page++ {
		if page > 100 {
			t.Fatalf("walk did not end after 100 pages; collected %q", got)
		}
		p, err := s.Sources(t.Context(), q)
		noErr(t, err, "Sources")
		if p.TotalCount != wantTotal {
			t.Errorf("page %d: TotalCount = %d, want %d", page, p.TotalCount, wantTotal)
		}
		if len(p.Items) > q.First {
			t.Errorf("page %d: %d items, more than First=%d", page, len(p.Items), q.First)
		}
		got = append(got, sourceIDs(p.Items)...)
		if !p.HasNextPage {
			return got
		}
		if len(p.Items) == 0 {
			t.Errorf("page %d: HasNextPage is true on an empty page", page)
			return got
		}
		q.After = kg.SourceCursor(p.Items[len(p.Items)-1])
	}
}

func testSources(t *testing.T, open Opener) {
	t.Run("UpsertAndRoundTrip", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		in := []kg.SourceInput{{
			ID: "src:cnbc-2025-03-19", Title: "Trump says Ukraine, Russia on track for ceasefire after call with Zelenskyy",
			URL: "https://www.cnbc.com/2025/03/19/trump-zelenskyy-call.html", Publisher: "CNBC",
			Author: "Natasha Turak", Category: "article",
			PublishedAt: tm(at(2025, 3, 19, 14, 5, zWashington), kg.PrecisionMinute, "updated later that day"),
		}, {
			ID: "src:minimal", Title: "Minimal",
		}}
		out, c, err := s.UpsertSources(ctx, in)
		noErr(t, err, "UpsertSources")
		counts(t, "first UpsertSources", c, 2, 0, 0)
		sameIDs(t, "UpsertSources result", sourceIDs(out), []string{"src:cnbc-2025-03-19", "src:minimal"})
		got := getSources(t, s, "src:cnbc-2025-03-19", "src:minimal")
		reportDiff(t, "source", diffSource(got[0], in[0]))
		reportDiff(t, "minimal source", diffSource(got[1], in[1]))
		checkOffset(t, "PublishedAt", got[0].PublishedAt, -4*3600, kg.PrecisionMinute, "updated later that day")
		if got[1].PublishedAt != nil {
			t.Errorf("PublishedAt of a source without one = %s, want nil", fmtTime(got[1].PublishedAt))
		}

		_, c, err = s.UpsertSources(ctx, in)
		noErr(t, err, "second UpsertSources")
		counts(t, "second UpsertSources", c, 0, 0, 2)
		in[1].Author = "Someone"
		_, c, err = s.UpsertSources(ctx, in)
		noErr(t, err, "third UpsertSources")
		counts(t, "UpsertSources with a change", c, 0, 1, 1)
		after := getSources(t, s, "src:minimal")[0]
		if after.Author != "Someone" || !after.CreatedAt.Equal(got[1].CreatedAt) || after.UpdatedAt.Before(after.CreatedAt) {
			t.Errorf("updated source = author %q, created %v (was %v), updated %v", after.Author, after.CreatedAt, got[1].CreatedAt, after.UpdatedAt)
		}
		if st := stats(t, s); st.Sources != 2 {
			t.Errorf("Stats.Sources = %d, want 2", st.Sources)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		s := openLoaded(t, open)
		var more []kg.SourceInput
		for i := 5; i >= 1; i-- {
			more = append(more, kg.SourceInput{ID: fmt.Sprintf("src:p-%d", i), Title: fmt.Sprintf("Page source %d", i)})
		}
		_, _, err := s.UpsertSources(t.Context(), more)
		noErr(t, err, "UpsertSources")
		want := []string{srcBBC, srcKremlin, "src:p-1", "src:p-2", "src:p-3", "src:p-4", "src:p-5", srcWhiteHouse}
		for _, first := range []int{1, 3, 8, 100} {
			got := walkSources(t, s, kg.SourceQuery{First: first}, 8)
			sameIDs(t, fmt.Sprintf("sources by %d", first), got, want)
		}
		p, err := s.Sources(t.Context(), kg.SourceQuery{First: 0})
		noErr(t, err, "Sources First=0")
		if len(p.Items) != 0 || p.TotalCount != 8 || !p.HasNextPage {
			t.Errorf("Sources First=0: %d items, total %d, next %v; want 0, 8, true", len(p.Items), p.TotalCount, p.HasNextPage)
		}

		// Keyset: rows inserted before the cursor are not seen, rows after it are.
		p, err = s.Sources(t.Context(), kg.SourceQuery{First: 3})
		noErr(t, err, "Sources")
		sameIDs(t, "first page", sourceIDs(p.Items), want[:3])
		after := kg.SourceCursor(p.Items[2])
		_, _, err = s.UpsertSources(t.Context(), []kg.SourceInput{{ID: "src:a", Title: "A"}, {ID: "src:p-0", Title: "P0"}, {ID: "src:zz", Title: "Z"}})
		noErr(t, err, "UpsertSources between pages")
		rest := walkSources(t, s, kg.SourceQuery{First: 3, After: after}, 11)
		sameIDs(t, "pages after the inserts", rest, append(slices.Clone(want[3:]), "src:zz"))
	})
}
