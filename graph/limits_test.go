package graph_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/graph"
	"github.com/factgraph/factgraph/kg/embedded"
)

// A hostile document is refused, or admitted, for a cost that does not grow with its square:
// each shape below is the worst of its kind that fits in the body limit, and the test measures
// the memory parse + validation take (allocations, not time: a timed assertion fails on a
// busy machine and proves nothing on an idle one). Durations are logged for the report.

type result struct {
	code     string
	errors   int
	status   int
	allocs   uint64 // bytes allocated while answering
	duration time.Duration
}

func newHandler(t testing.TB, limits graph.Limits) http.Handler {
	t.Helper()
	s, err := embedded.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return graph.NewHandler(s, graph.Options{Logger: slog.New(slog.DiscardHandler), Limits: limits})
}

func send(t testing.TB, h http.Handler, query string, vars map[string]any) result {
	t.Helper()
	return sendParams(t, h, map[string]any{"query": query, "variables": vars})
}

// sendParams posts params (query, variables, extensions) as the request body.
func sendParams(t testing.TB, h http.Handler, params map[string]any) result {
	t.Helper()
	body, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	var resp struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("answer is not JSON: %v: %.200s", err, rec.Body.String())
	}
	r := result{status: rec.Code, errors: len(resp.Errors), allocs: after.TotalAlloc - before.TotalAlloc, duration: d}
	if len(resp.Errors) > 0 {
		r.code, _ = resp.Errors[0].Extensions["code"].(string)
	}
	return r
}

func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// hostileShapes are the documents of the issue and their worst relatives. Each is built to be
// under the 4 MiB body limit.
func hostileShapes() []struct {
	name, query string
	code        string // the refusal expected with default limits; "" means admitted
} {
	distinctFragments := func(n int) string {
		return "{ stats { " + repeat(n, func(i int) string { return fmt.Sprintf("...F%d", i) }) + "entities } }\n" +
			repeat(n, func(i int) string { return fmt.Sprintf("fragment F%d on Stats { e%d: entities }", i, i) })
	}
	nested := func(levels int) string {
		// Each fragment spreads the next twice: 2^levels fields once expanded.
		return "{ stats { ...N0 } }\n" + repeat(levels, func(i int) string {
			return fmt.Sprintf("fragment N%d on Stats { entities ...N%d ...N%d }", i, i+1, i+1)
		}) + fmt.Sprintf("fragment N%d on Stats { relations }", levels)
	}
	return []struct{ name, query, code string }{
		{"150 distinct fragments", distinctFragments(150), graph.CodeTooManyFragments},
		{"2000 distinct fragments", distinctFragments(2000), graph.CodeTooManyTokens},
		{"5000 distinct fragments", distinctFragments(5000), graph.CodeTooManyTokens},
		{"fragments doubling 40 levels", nested(40), graph.CodeTooManyFields},
		{"10000 duplicate fields", "{ stats { " + strings.Repeat("entities ", 10000) + "} }", graph.CodeTooManyFields},
		{"1000 duplicate fields (admitted)", "{ stats { " + strings.Repeat("entities ", 999) + "} }", ""},
		{"100 fragments of 9 fields (admitted)", "{ stats { " + repeat(100, func(i int) string { return fmt.Sprintf("...G%d", i) }) + "} }\n" +
			repeat(100, func(i int) string {
				return fmt.Sprintf("fragment G%d on Stats { entities relations sources entities relations sources entities relations sources }", i)
			}), ""},
		{"200 aliases", "{ " + repeat(200, func(i int) string { return fmt.Sprintf("a%d: stats { entities }", i) }) + "}", graph.CodeTooManyRootFields},
		{"200 nested aliases", "{ stats { " + repeat(200, func(i int) string { return fmt.Sprintf("a%d: entities", i) }) + "} }", graph.CodeTooManyAliases},
		{"introspection as client tools send it (admitted)", introspectionQuery, ""},
		{"deep nesting", "{ " + strings.Repeat("entity(id: \"x\") { ... on Person { relations { edges { node { from { ", 30) + "id" + strings.Repeat(" } } } } } }", 30) + " }", graph.CodeTooDeep},
		{"2000 directives", "{ stats { " + strings.Repeat("entities @include(if: true) ", 2000) + "} }", graph.CodeTooManyTokens},
		{"500 directives", "{ stats { " + strings.Repeat("entities @include(if: true) ", 500) + "} }", graph.CodeTooManyDirectives},
		{"100 directives on one field", "{ stats { entities " + strings.Repeat("@include(if: true) ", 100) + "} }", graph.CodeTooManyDirectives},
		{"fragment cycle", "{ stats { ...A } } fragment A on Stats { entities ...B } fragment B on Stats { relations ...A }", "GRAPHQL_VALIDATION_FAILED"},
		{"30000 tokens of list values", "{ entities(filter: {ids: [" + strings.Repeat("\"x\",", 30000) + "]}) { totalCount } }", graph.CodeTooManyTokens},
		{"deep list value", "{ entities(filter: {ids: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}) { totalCount } }", "GRAPHQL_PARSE_FAILED"}, // gqlparser's own nesting limit
		{"10 mutation root fields", "mutation { " + repeat(10, func(i int) string { return fmt.Sprintf("d%d: deleteRelation(id: \"rel:x%d\") { id }", i, i) }) + "}", graph.CodeTooManyRootFields},
	}
}

func TestHostileDocuments(t *testing.T) {
	// With defaults, a shape longer than the query size limit is refused for that before it is
	// parsed; with the size limit off, the token and shape limits must still bound it.
	defaults, unsized := newHandler(t, graph.Limits{}), newHandler(t, graph.Limits{MaxQueryBytes: -1})
	for _, c := range hostileShapes() {
		t.Run(c.name, func(t *testing.T) {
			r := send(t, unsized, c.query, nil)
			t.Logf("%d bytes: status %d code %q, %.1f MB allocated, %v", len(c.query), r.status, r.code, float64(r.allocs)/1e6, r.duration.Round(time.Millisecond))
			if r.code != c.code {
				t.Errorf("code = %q, want %q", r.code, c.code)
			}
			// The bound: a few times the document's size plus a fixed amount. The 88 KB
			// document allocated ~300 MB; unbounded validation of these shapes allocates GBs.
			if bound := uint64(40*len(c.query)) + 64<<20; r.allocs > bound {
				t.Errorf("allocated %d bytes answering a %d-byte document; bound %d", r.allocs, len(c.query), bound)
			}
			want := c.code
			if len(c.query) > graph.DefaultMaxQueryBytes {
				want = graph.CodeQueryTooLarge
			}
			if r := send(t, defaults, c.query, nil); r.code != want {
				t.Errorf("default limits: code = %q, want %q", r.code, want)
			}
		})
	}
}

// Comments, commas and string literals cost memory and time but no tokens: only the size
// limit bounds them, before anything is parsed or cached.
func TestQuerySizeLimit(t *testing.T) {
	h := newHandler(t, graph.Limits{})
	const field = "{ stats { entities } }"
	pad := func(n int, c string) string { return strings.Repeat(c, n) }
	cases := []struct{ name, query, code string }{
		{"4 MiB comment", field + "\n#" + pad(4<<20-100, "x"), graph.CodeQueryTooLarge},
		{"4 MiB of commas", "{ stats " + pad(4<<20-100, ",") + "{ entities } }", graph.CodeQueryTooLarge},
		{"100 KiB string literal", `{ entity(id: "` + pad(100<<10, "x") + `") { id } }`, graph.CodeQueryTooLarge},
		{"comment up to the limit (admitted)", field + "\n#" + pad(graph.DefaultMaxQueryBytes-len(field)-2, "x"), ""},
		{"one byte over", field + "\n#" + pad(graph.DefaultMaxQueryBytes-len(field)-1, "x"), graph.CodeQueryTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := send(t, h, c.query, nil)
			t.Logf("%d bytes: code %q, %.1f MB allocated, %v", len(c.query), r.code, float64(r.allocs)/1e6, r.duration.Round(time.Millisecond))
			if r.code != c.code {
				t.Errorf("code = %q, want %q", r.code, c.code)
			}
		})
	}
	if r := send(t, newHandler(t, graph.Limits{MaxQueryBytes: 10}), field, nil); r.code != graph.CodeQueryTooLarge {
		t.Errorf("MaxQueryBytes 10: code = %q, want %s", r.code, graph.CodeQueryTooLarge)
	}
	if r := send(t, newHandler(t, graph.Limits{MaxQueryBytes: -1}), field+"\n#"+pad(1<<20, "x"), nil); r.code != "" {
		t.Errorf("MaxQueryBytes -1: code = %q, want none", r.code)
	}
}

// The parsed-query cache keeps 1000 documents: distinct queries padded with comments must not
// pile up in it. Before the size limit, 100 such 1 MiB queries kept ~100 MiB on the heap.
func TestQueryCacheRetention(t *testing.T) {
	h := newHandler(t, graph.Limits{})
	pad := strings.Repeat("x", 1<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 100 {
		send(t, h, fmt.Sprintf("# %d %s\n{ stats { entities } }", i, pad), nil)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(h) // the caches live as long as the handler
	grew := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("heap in use grew %.1f MiB after 100 distinct 1 MiB queries", float64(grew)/(1<<20))
	if grew > 32<<20 {
		t.Errorf("heap in use grew %d MiB after 100 distinct 1 MiB queries; the query cache keeps them", grew>>20)
	}
}

// APQ persists a query only once it passed the document limits: a refused one must not be
// found again by its hash.
func TestPersistedQueriesOnlyAfterLimits(t *testing.T) {
	h := newHandler(t, graph.Limits{})
	apq := func(query string, withText bool) result {
		sum := sha256.Sum256([]byte(query))
		params := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{
			"version": 1, "sha256Hash": hex.EncodeToString(sum[:]),
		}}}
		if withText {
			params["query"] = query
		}
		return sendParams(t, h, params)
	}
	for _, c := range []struct{ name, query, code string }{
		{"too large", "{ stats { entities } }\n#" + strings.Repeat("x", 1<<20), graph.CodeQueryTooLarge},
		{"too many fields", "{ stats { " + strings.Repeat("entities ", 1001) + "} }", graph.CodeTooManyFields},
	} {
		if r := apq(c.query, true); r.code != c.code {
			t.Errorf("%s, with its text: code = %q, want %q", c.name, r.code, c.code)
		}
		if r := apq(c.query, false); r.code != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("%s, by its hash afterwards: code = %q, want PERSISTED_QUERY_NOT_FOUND", c.name, r.code)
		}
	}
	ok := "query Ok { stats { entities } }"
	if r := apq(ok, true); r.errors != 0 {
		t.Fatalf("a valid query with its hash: code %q", r.code)
	}
	if r := apq(ok, false); r.errors != 0 {
		t.Errorf("a persisted valid query by its hash: code %q", r.code)
	}
}

func TestEachLimitIsConfigurable(t *testing.T) {
	tight := graph.Limits{MaxTokens: 40, MaxFragments: 1, MaxFields: 5, MaxAliases: 1, MaxDirectives: 1, MaxDepth: 2,
		MaxRootFields: 2, MaxMutationRootFields: 1, MaxWriteItems: 2}
	h := newHandler(t, tight)
	cases := []struct{ name, query, code string }{
		{"tokens", "{ stats { " + strings.Repeat("entities ", 40) + "} }", graph.CodeTooManyTokens},
		{"fragments", "{ stats { ...A ...B } } fragment A on Stats { entities } fragment B on Stats { sources }", graph.CodeTooManyFragments},
		{"fields", "{ stats { entities relations sources entities relations sources } }", graph.CodeTooManyFields},
		{"fields through a fragment spread twice", "{ stats { ...A } s2: stats { ...A } } fragment A on Stats { entities relations }", graph.CodeTooManyFields},
		{"aliases", "{ stats { a: entities b: relations } }", graph.CodeTooManyAliases},
		{"directives", "{ stats { entities @skip(if: false) relations @skip(if: false) } }", graph.CodeTooManyDirectives},
		{"depth", "{ stats { byKind { kind } } }", graph.CodeTooDeep},
		{"root fields", "{ a: stats { entities } b: stats { entities } c: stats { entities } }", graph.CodeTooManyRootFields},
		{"mutation root fields", `mutation { a: deleteRelation(id: "rel:a") { id } b: deleteRelation(id: "rel:b") { id } }`, graph.CodeTooManyRootFields},
		{"write items", `mutation { upsertSources(input: [{id: "source:a", title: "a"}, {id: "source:b", title: "b"}, {id: "source:c", title: "c"}]) { created } }`, graph.CodeTooManyWriteItems},
		{"within every limit", "{ stats { entities } }", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if r := send(t, h, c.query, nil); r.code != c.code {
				t.Errorf("code = %q, want %q", r.code, c.code)
			}
		})
	}
	// Write items counted in variables too, across root fields.
	items := []any{map[string]any{"id": "source:a", "title": "a"}, map[string]any{"id": "source:b", "title": "b"}}
	r := send(t, newHandler(t, graph.Limits{MaxWriteItems: 3}), `mutation($in: [SourceInput!]!) { a: upsertSources(input: $in) { created } b: upsertSources(input: $in) { created } }`, map[string]any{"in": items})
	if r.code != graph.CodeTooManyWriteItems {
		t.Errorf("4 items through a variable used twice: code = %q, want %s", r.code, graph.CodeTooManyWriteItems)
	}
	// A negative limit turns the check off.
	r = send(t, newHandler(t, graph.Limits{MaxAliases: -1}), "{ stats { "+repeat(60, func(i int) string { return fmt.Sprintf("a%d: entities", i) })+"} }", nil)
	if r.errors != 0 {
		t.Errorf("aliases unlimited: got error %q", r.code)
	}
}

// introspectionQuery has the shape of graphql-js's getIntrospectionQuery, which graphql-codegen,
// GraphiQL and Apollo's tools send: six levels of fields and a type reference nested nine
// deep through ofType.
var introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}`
