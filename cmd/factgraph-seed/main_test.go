package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/kg/neo4j/neo4jtest"
	"github.com/factgraph/factgraph/seed"
	"github.com/factgraph/factgraph/server"
)

// The loader is tested end to end: a real server over each store, the loader talking to it
// over HTTP.

func serve(t *testing.T, s kg.Store, token string) string {
	var cfg server.Config
	if token != "" {
		cfg.WriteTokens = []server.WriteToken{{Name: "seed", Token: token}}
	}
	srv := httptest.NewServer(server.New(s, cfg, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv.URL + "/graphql"
}

func load(t *testing.T, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestSeedTwiceSameGraph(t *testing.T) {
	stores := map[string]func(*testing.T) kg.Store{
		"embedded": func(t *testing.T) kg.Store {
			s, err := embedded.Open(t.Context(), "")
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"neo4j": func(t *testing.T) kg.Store { return neo4jtest.OpenEmpty(t) },
	}
	b, err := seed.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ns, ne, nr := len(b.Sources), len(b.Entities), len(b.Relations)
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			url := serve(t, s, "tok")
			out, err := load(t, "-endpoint", url, "-token", "tok", "-batch", "10")
			if err != nil {
				t.Fatalf("first run: %v\n%s", err, out)
			}
			for _, want := range []string{
				fmt.Sprintf("sources   created %d, updated 0, unchanged 0", ns),
				fmt.Sprintf("entities  created %d, updated 0, unchanged 0", ne),
				fmt.Sprintf("relations created %d, updated 0, unchanged 0", nr),
				fmt.Sprintf("relations %d/%d", nr, nr),
			} {
				if !strings.Contains(out, want) {
					t.Errorf("first run output lacks %q:\n%s", want, out)
				}
			}
			first, _ := s.Stats(t.Context(), kg.StatsQuery{})
			out, err = load(t, "-endpoint", url, "-token", "tok")
			if err != nil {
				t.Fatalf("second run: %v\n%s", err, out)
			}
			if !strings.Contains(out, fmt.Sprintf("relations created 0, updated 0, unchanged %d", nr)) {
				t.Errorf("second run output:\n%s", out)
			}
			second, _ := s.Stats(t.Context(), kg.StatsQuery{})
			if first.Entities != second.Entities || first.Relations != second.Relations || first.Sources != second.Sources ||
				second.Entities != ne || second.Relations != nr || second.Sources != ns {
				t.Errorf("stats after first %+v, after second %+v", first, second)
			}
			if _, err := load(t, "-endpoint", url); err == nil || !strings.Contains(err.Error(), "UNAUTHENTICATED") {
				t.Errorf("without the token: %v", err)
			}
		})
	}
}

func TestBrokenFileWritesNothing(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	url := serve(t, s, "")
	file := filepath.Join(t.TempDir(), "broken.yaml")
	err := os.WriteFile(file, []byte(`sources:
  - id: source:a
    title: A
entities:
  - id: person:a
    kind: PERSON
    name: A
    sourceIds: [source:a]
relations:
  - id: rel:a
    type: ATTACKED
    from: person:a
    to: person:nobody
    status: CLAIMED
    claimedBy: person:a
    sourceIds: [source:a]
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_, err = load(t, "-endpoint", url, file)
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:13") || !strings.Contains(err.Error(), "person:nobody") {
		t.Fatalf("error %v should name broken.yaml:13 and the missing id", err)
	}
	st, _ := s.Stats(t.Context(), kg.StatsQuery{})
	if st.Entities+st.Relations+st.Sources != 0 {
		t.Errorf("a broken file wrote %+v", st)
	}
	if out, err := load(t, "-check", file); err == nil {
		t.Errorf("-check passed a broken file: %s", out)
	}
	if _, err := load(t, "-batch", "0"); err == nil {
		t.Error("-batch 0 accepted")
	}
}

// A relation listed before the relation it disputes still loads, even one per batch.
func TestDisputeOrderAcrossBatches(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	url := serve(t, s, "")
	file := filepath.Join(t.TempDir(), "order.yaml")
	err := os.WriteFile(file, []byte(`sources:
  - id: source:a
    title: A
entities:
  - id: country:a
    kind: COUNTRY
    name: A
  - id: country:b
    kind: COUNTRY
    name: B
relations:
  - id: rel:denial
    type: STATED
    from: country:b
    to: country:a
    status: CONFIRMED
    sourceIds: [source:a]
    disputes: [rel:claim]
  - id: rel:claim
    type: ATTACKED
    from: country:a
    to: country:b
    status: CLAIMED
    claimedBy: country:b
    sourceIds: [source:a]
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := load(t, "-endpoint", url, "-batch", "1", file); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if st, _ := s.Stats(t.Context(), kg.StatsQuery{}); st.Relations != 2 {
		t.Errorf("relations = %d", st.Relations)
	}
}
