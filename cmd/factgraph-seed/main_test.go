package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
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

// stores opens an empty store of each kind.
var stores = map[string]func(*testing.T) kg.Store{
	"embedded": func(t *testing.T) kg.Store {
		s, err := embedded.Open(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"neo4j": func(t *testing.T) kg.Store { return neo4jtest.OpenEmpty(t) },
}

func TestSeedTwiceSameGraph(t *testing.T) {
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
	if out, err := load(t, "-endpoint", url, "-check", file); err == nil {
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

// An add-on file that mentions an entity of the built-in seed by id, kind and name only (to
// relate something to it) keeps the entity's other fields: the loader merges by default.
// null in a file clears a field; -mode replace writes each item whole.
func TestAddOnFileMerges(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	url := serve(t, s, "")
	if out, err := load(t, "-endpoint", url); err != nil {
		t.Fatalf("built-in seed: %v\n%s", err, out)
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	saudi := func() *kg.Entity {
		e, err := kg.GetEntity(t.Context(), s, "country:saudi-arabia")
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	addOn := write("addon.yaml", `sources:
  - id: source:addon
    title: An add-on article
entities:
  - id: country:saudi-arabia
    kind: COUNTRY
    name: Saudi Arabia
  - id: location:jeddah
    kind: LOCATION
    name: Jeddah
relations:
  - id: rel:jeddah-in-saudi-arabia
    type: LOCATED_IN
    from: location:jeddah
    to: country:saudi-arabia
    status: CONFIRMED
    sourceIds: [source:addon]
`)
	if out, err := load(t, "-endpoint", url, addOn); err != nil {
		t.Fatalf("add-on file: %v\n%s", err, out)
	}
	if e := saudi(); e.CountryCode != "SA" || len(e.SourceIDs) != 1 {
		t.Errorf("after the add-on file Saudi Arabia has countryCode %q, sources %q; want both kept", e.CountryCode, e.SourceIDs)
	}
	clear := write("clear.yaml", `entities:
  - id: country:saudi-arabia
    kind: COUNTRY
    name: Saudi Arabia
    countryCode: null
`)
	if out, err := load(t, "-endpoint", url, clear); err != nil {
		t.Fatalf("clearing file: %v\n%s", err, out)
	}
	if e := saudi(); e.CountryCode != "" || len(e.SourceIDs) != 1 {
		t.Errorf("countryCode: null left countryCode %q, sources %q; want it cleared, sources kept", e.CountryCode, e.SourceIDs)
	}
	if out, err := load(t, "-endpoint", url, "-mode", "replace", addOn); err != nil {
		t.Fatalf("add-on file with -mode replace: %v\n%s", err, out)
	}
	if e := saudi(); len(e.SourceIDs) != 0 {
		t.Errorf("-mode replace kept sources %q", e.SourceIDs)
	}
	if _, err := load(t, "-mode", "patch", "-check"); err == nil {
		t.Error("-mode patch accepted")
	}
}

// TestAddOnReferencesManyServerIDs loads an add-on whose references are mostly ids only the
// server has, more than a default server lets one query ask as aliased root fields: the
// loader's check must still pass, through the nodes query.
func TestAddOnReferencesManyServerIDs(t *testing.T) {
	b, err := seed.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	const n = 70
	var file strings.Builder
	file.WriteString("relations:\n")
	refs := map[string]bool{}
	var ids []string
	for i := range n {
		from, to := b.Entities[i%len(b.Entities)].ID, b.Entities[(i+1)%len(b.Entities)].ID
		src, disputed := b.Sources[i%len(b.Sources)].ID, b.Relations[i%len(b.Relations)].ID
		id := fmt.Sprintf("rel:addon-many-%d", i)
		ids = append(ids, id)
		refs[from], refs[to], refs[src], refs[disputed] = true, true, true, true
		fmt.Fprintf(&file, "  - id: %s\n    type: STATED\n    from: %s\n    to: %s\n    status: CONFIRMED\n    sourceIds:\n      - %s\n    disputes:\n      - %s\n",
			id, from, to, src, disputed)
	}
	if len(refs) < 60 {
		t.Fatalf("the add-on references %d server ids; the test needs 60 or more", len(refs))
	}
	path := filepath.Join(t.TempDir(), "many.yaml")
	if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			url := serve(t, s, "") // default limits
			if out, err := load(t, "-endpoint", url); err != nil {
				t.Fatalf("built-in seed: %v\n%s", err, out)
			}
			if out, err := load(t, "-endpoint", url, "-check", path); err != nil || !strings.Contains(out, fmt.Sprintf("ok: 0 sources, 0 entities, %d relations", n)) {
				t.Fatalf("-check of an add-on referencing %d server ids: %v\n%s", len(refs), err, out)
			}
			if out, err := load(t, "-endpoint", url, path); err != nil {
				t.Fatalf("add-on referencing %d server ids: %v\n%s", len(refs), err, out)
			}
			rels, err := s.RelationsByIDs(t.Context(), ids)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rels {
				if r == nil {
					t.Errorf("%s not written", ids[i])
				}
			}
		})
	}
}

// An add-on file loads on its own over what the server holds: its references to the built-in
// seed's country, source and relation are looked up on the server. A broken add-on gets every
// problem at once, those the server settles included, and -check never says "written".
func TestAddOnFileBuildsOnServer(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "addon.yaml")
	if err := os.WriteFile(good, []byte(`entities:
  - id: country:saudi-arabia-host
    kind: LOCATION
    name: Jeddah talks venue
relations:
  - id: rel:addon-russia-stated
    type: STATED
    from: country:russia
    to: country:saudi-arabia-host
    status: CLAIMED
    claimedBy: country:ukraine
    sourceIds: [source:2025-03-19-energy-ceasefire-article]
    disputes: [rel:russia-agreed-energy-pause]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(`relations:
  - id: rel:addon-bad
    type: STATED
    from: country:russia
    to: country:atlantis
    status: CLAIMED
    claimedBy: rel:russia-agreed-energy-pause
    sourceIds: [source:2025-03-19-energy-ceasefire-article, source:nowhere]
    disputes: [country:ukraine]
  - {id: rel:addon-flow, type: STATED, from: country:russia, to: country:ukraine status: CONFIRMED, sourceIds: ['source:2025-03-19-energy-ceasefire-article']}
  - id: rel:addon-typo
    type: STATED
    from: country:russia
    to: country:ukraine
    status: CONFIRMED
    sourceId: [source:2025-03-19-energy-ceasefire-article]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			url := serve(t, s, "")
			// Before the built-in seed is there, the add-on's references are missing.
			out, err := load(t, "-endpoint", url, "-check", good)
			if err == nil || !strings.Contains(err.Error(), `entity "country:russia" is defined neither in the files nor on the server`) {
				t.Fatalf("add-on checked against an empty server: %v\n%s", err, out)
			}
			if strings.Contains(err.Error()+out, "written") {
				t.Errorf("-check talks about writing: %v\n%s", err, out)
			}
			if out, err := load(t, "-endpoint", url); err != nil {
				t.Fatalf("built-in seed: %v\n%s", err, out)
			}
			if out, err := load(t, "-endpoint", url, "-check", good); err != nil || strings.Contains(out, "written") || !strings.Contains(out, "ok: 0 sources, 1 entities, 1 relations") {
				t.Fatalf("-check of the add-on: %v\n%s", err, out)
			}
			if out, err := load(t, "-endpoint", url, good); err != nil {
				t.Fatalf("add-on alone: %v\n%s", err, out)
			}
			page, err := s.Relations(t.Context(), kg.RelationQuery{Filter: &kg.RelationFilter{DisputesIDs: []string{"rel:russia-agreed-energy-pause"}}, First: 50})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range page.Items {
				ids = append(ids, r.ID)
			}
			if !slices.Contains(ids, "rel:addon-russia-stated") {
				t.Errorf("disputers of rel:russia-agreed-energy-pause = %q, want the add-on's relation among them", ids)
			}

			before, _ := s.Stats(t.Context(), kg.StatsQuery{})
			_, err = load(t, "-endpoint", url, bad)
			if err == nil {
				t.Fatal("bad add-on loaded")
			}
			for _, want := range []string{
				"nothing written",
				bad + `:5: relations[0] (id rel:addon-bad).to: entity "country:atlantis" is defined neither in the files nor on the server`,
				bad + `:7: relations[0] (id rel:addon-bad).claimedBy: "rel:russia-agreed-energy-pause" is a relation on the server, not an entity`,
				bad + `:8: relations[0] (id rel:addon-bad).sourceIds[1]: source "source:nowhere" is defined neither in the files nor on the server`,
				bad + `:9: relations[0] (id rel:addon-bad).disputes[0]: "country:ukraine" is an entity on the server, not a relation`,
				bad + `:10: "country:ukraine status: CONFIRMED" holds ": " inside {...} or [...]: a comma is missing, or quote the value`,
				bad + `:16: relations[2] (id rel:addon-typo): unknown field "sourceId"`,
			} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks\n  %s\ngot\n%v", want, err)
				}
			}
			_, checkErr := load(t, "-endpoint", url, "-check", bad)
			if checkErr == nil || strings.Contains(checkErr.Error(), "written") || !strings.Contains(checkErr.Error(), "check failed") {
				t.Errorf("-check of the bad add-on: %v", checkErr)
			}
			if after, _ := s.Stats(t.Context(), kg.StatsQuery{}); after.Relations != before.Relations || after.Entities != before.Entities {
				t.Errorf("a bad add-on wrote: before %+v, after %+v", before, after)
			}
		})
	}
}
