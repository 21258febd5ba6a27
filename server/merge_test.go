package server_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/factgraph/factgraph/server"
)

// TestUpsertMode checks that the API carries a client's intent into the store: a field left
// out is kept under the default MERGE, a field given as null (inline or in a variable) is
// cleared, and REPLACE writes the whole object.
func TestUpsertMode(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			srv := newServer(t, seeded(t, sc.open), server.Config{})
			const read = `{ entity(id: "country:saudi-arabia") { name sources { id } ... on Country { countryCode } } }`
			saudi := func() any { return get(mustData(t, post(t, srv.URL, read, nil)), "entity") }
			if get(saudi(), "countryCode") != "SA" || len(get(saudi(), "sources").([]any)) != 1 {
				t.Fatalf("seeded Saudi Arabia = %v", saudi())
			}

			// The README's example clears the code and keeps the sources.
			d := mustData(t, post(t, srv.URL, mutation(t, "clear-country-code.graphql"), nil))
			if e := get(d, "upsertEntities", "entities", 0); get(d, "upsertEntities", "updated") != 1.0 ||
				get(e, "countryCode") != nil || len(get(e, "sources").([]any)) != 1 {
				t.Errorf("README mutation ClearCountryCode = %v", d)
			}
			mustData(t, post(t, srv.URL, `mutation { upsertEntities(input: [{id: "country:saudi-arabia", kind: COUNTRY, name: "Saudi Arabia", countryCode: "SA"}]) { updated } }`, nil))

			// The stub of the issue: id, kind and name only, as a second seed file sends it.
			const upsert = `mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { created updated unchanged } }`
			stub := map[string]any{"id": "country:saudi-arabia", "kind": "COUNTRY", "name": "Saudi Arabia"}
			d = mustData(t, post(t, srv.URL, upsert, map[string]any{"in": []any{stub}}))
			if get(d, "upsertEntities", "unchanged") != 1.0 {
				t.Errorf("stub upsert = %v, want unchanged", d)
			}
			if got := saudi(); get(got, "countryCode") != "SA" || len(get(got, "sources").([]any)) != 1 {
				t.Errorf("after a stub upsert: %v; want countryCode and sources kept", got)
			}

			// An explicit null in a variable clears.
			d = mustData(t, post(t, srv.URL, upsert, map[string]any{"in": []any{map[string]any{
				"id": "country:saudi-arabia", "kind": "COUNTRY", "name": "Saudi Arabia", "countryCode": nil}}}))
			if get(d, "upsertEntities", "updated") != 1.0 || get(saudi(), "countryCode") != nil {
				t.Errorf("null countryCode in a variable: %v, entity %v; want it cleared", d, saudi())
			}
			if len(get(saudi(), "sources").([]any)) != 1 {
				t.Errorf("clearing countryCode also touched sources: %v", saudi())
			}

			// An inline null clears too, and a single object stands for a list of one.
			mustData(t, post(t, srv.URL, `mutation { upsertEntities(input: {id: "country:saudi-arabia", kind: COUNTRY, name: "Saudi Arabia", countryCode: "SA", sourceIds: null}) { updated } }`, nil))
			if got := saudi(); get(got, "countryCode") != "SA" || len(get(got, "sources").([]any)) != 0 {
				t.Errorf("inline sourceIds: null = %v; want sources cleared, countryCode set", got)
			}

			// REPLACE writes the whole object.
			mustData(t, post(t, srv.URL, `mutation { upsertEntities(input: [{id: "country:saudi-arabia", kind: COUNTRY, name: "Saudi Arabia", sourceIds: ["source:2025-03-19-energy-ceasefire-article"]}]) { updated } }`, nil))
			d = mustData(t, post(t, srv.URL, `mutation { upsertEntities(mode: REPLACE, input: [{id: "country:saudi-arabia", kind: COUNTRY, name: "Saudi Arabia"}]) { updated } }`, nil))
			if got := saudi(); get(d, "upsertEntities", "updated") != 1.0 || get(got, "countryCode") != nil || len(get(got, "sources").([]any)) != 0 {
				t.Errorf("REPLACE with id, kind and name = %v, entity %v; want the rest cleared", d, got)
			}

			// Clearing a required field is refused by GraphQL itself; an unknown mode too.
			r := post(t, srv.URL, `mutation { upsertEntities(mode: PATCH, input: [{id: "x:y", kind: COUNTRY, name: "Y"}]) { updated } }`, nil)
			if code(r) != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("mode: PATCH = %+v, want a validation error", r.Errors)
			}
		})
	}
}

// mutation reads a README mutation from testdata/mutations and checks that the README shows it.
func mutation(t *testing.T, name string) string {
	t.Helper()
	q, err := os.ReadFile(filepath.Join("testdata", "mutations", name))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, bytes.TrimSpace(q)) {
		t.Errorf("README.md does not show testdata/mutations/%s verbatim", name)
	}
	return string(q)
}
