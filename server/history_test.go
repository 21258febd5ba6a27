package server_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/factgraph/factgraph/server"
)

// TestHistoryAPI runs the README's history examples on both stores: the seed's revisions,
// an update through the API, asOf before and after it, and the changes feed.
func TestHistoryAPI(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			srv := newServer(t, seeded(t, sc.open), server.Config{})
			hist := historyExample(t, "pause-history.graphql")
			d := mustData(t, post(t, srv.URL, hist, nil))
			edges := get(d, "entity", "history", "edges").([]any)
			if len(edges) != 1 || get(edges[0], "node", "operation") != "CREATE" || get(edges[0], "node", "writer") != "factgraph-seed" ||
				get(edges[0], "node", "state", "agreementStatus") != "AGREED" {
				t.Fatalf("history of the seeded pause = %v; want one CREATE by factgraph-seed", edges)
			}
			created := get(edges[0], "node", "at").(string)
			time.Sleep(5 * time.Millisecond)

			mustData(t, post(t, srv.URL, `mutation { upsertEntities(input: [{id: "agreement:2025-03-energy-infrastructure-strike-pause", kind: AGREEMENT, name: "30-day pause on strikes on energy infrastructure", agreementStatus: VIOLATED}]) { updated } }`, nil))
			d = mustData(t, post(t, srv.URL, hist, nil))
			edges = get(d, "entity", "history", "edges").([]any)
			if len(edges) != 2 || get(edges[1], "node", "operation") != "UPDATE" || get(edges[1], "node", "writer") != nil {
				t.Fatalf("history after an anonymous update = %v", edges)
			}
			if ch := get(edges[1], "node", "changed").([]any); len(ch) != 1 || ch[0] != "agreementStatus" {
				t.Errorf("changed = %v, want [agreementStatus]", ch)
			}
			// The merge kept the validity window in the new state.
			if get(edges[1], "node", "state", "validFrom", "precision") != "DAY" {
				t.Errorf("state after the update = %v", get(edges[1], "node", "state"))
			}

			const asOf = `query($at: DateTime!) { asOf(objectType: ENTITY, id: "agreement:2025-03-energy-infrastructure-strike-pause", at: $at) { seq operation state } }`
			d = mustData(t, post(t, srv.URL, asOf, map[string]any{"at": created}))
			if get(d, "asOf", "state", "agreementStatus") != "AGREED" {
				t.Errorf("asOf(the seed's write) = %v, want the agreed pause", d)
			}
			d = mustData(t, post(t, srv.URL, asOf, map[string]any{"at": "2000-01-01T00:00:00Z"}))
			if get(d, "asOf") != nil {
				t.Errorf("asOf(2000) = %v, want null", d)
			}

			// The feed: the update is the last revision, right after the seed's.
			last := get(edges[1], "node", "seq").(float64)
			d = mustData(t, post(t, srv.URL, `query($after: Int) { changes(after: $after, first: 10) { revisions { seq id operation } hasMore cursor } }`,
				map[string]any{"after": last - 1}))
			if revs := get(d, "changes", "revisions").([]any); len(revs) != 1 || get(revs[0], "seq") != last || get(d, "changes", "cursor") != last {
				t.Errorf("changes after %v = %v, want revision %v and cursor %v", last-1, d, last, last)
			}
			d = mustData(t, post(t, srv.URL, historyExample(t, "changes-feed.graphql"), nil))
			revs := get(d, "changes", "revisions").([]any)
			if len(revs) < 10 || get(d, "changes", "cursor") != last {
				t.Errorf("README changes feed = %v", d)
			}
			for _, r := range revs {
				if get(r, "from") != "agreement:2025-03-energy-infrastructure-strike-pause" && get(r, "to") != "agreement:2025-03-energy-infrastructure-strike-pause" {
					t.Errorf("filtered feed has %v", r)
				}
			}
			r := post(t, srv.URL, `{ changes(first: 5000) { cursor } }`, nil)
			if code(r) != "BAD_USER_INPUT" {
				t.Errorf("changes(first: 5000) = %+v, want BAD_USER_INPUT", r.Errors)
			}
			r = post(t, srv.URL, `{ history(objectType: SOURCE, id: "x", after: "nope") { pageInfo { hasNextPage } } }`, nil)
			if code(r) != "BAD_USER_INPUT" {
				t.Errorf("history with a bad cursor = %+v, want BAD_USER_INPUT", r.Errors)
			}
		})
	}
}

// historyExample reads a README history example from testdata/history and checks that the
// README shows it.
func historyExample(t *testing.T, name string) string {
	t.Helper()
	q, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, bytes.TrimSpace(q)) {
		t.Errorf("README.md does not show testdata/history/%s verbatim", name)
	}
	return string(q)
}
