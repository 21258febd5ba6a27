package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/kg/neo4j/neo4jtest"
	"github.com/factgraph/factgraph/seed"
	"github.com/factgraph/factgraph/server"
)

// The API is tested over HTTP, against both stores, with the built-in seed loaded.

type storeCase struct {
	name string
	open func(t *testing.T) kg.Store
}

var stores = []storeCase{
	{"embedded", func(t *testing.T) kg.Store {
		s, err := embedded.Open(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close(context.Background()) })
		return s
	}},
	{"neo4j", func(t *testing.T) kg.Store { return neo4jtest.OpenEmpty(t) }},
}

func builtinSeed(t *testing.T) *seed.Bundle {
	t.Helper()
	b, err := seed.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func seeded(t *testing.T, open func(*testing.T) kg.Store) kg.Store {
	t.Helper()
	s := open(t)
	b := builtinSeed(t)
	if _, err := seed.Apply(t.Context(), s, b, 100, nil); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return s
}

type response struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	status int
	header http.Header
}

func post(t *testing.T, url, query string, vars map[string]any, headers ...string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON (%s): %s", resp.Status, raw)
	}
	r.status, r.header = resp.StatusCode, resp.Header
	return r
}

func mustData(t *testing.T, r response) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	return r.Data
}

// get walks a decoded JSON value by keys and indexes: get(v, "relations", "edges", 0).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func edges(v any) []any { l, _ := get(v, "edges").([]any); return l }

func example(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newServer(t *testing.T, s kg.Store, cfg server.Config) *httptest.Server {
	srv := httptest.NewServer(server.New(s, cfg, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	return srv
}

func TestAPI(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			store := seeded(t, sc.open)
			srv := newServer(t, store, server.Config{})
			t.Run("readme examples", func(t *testing.T) { testExamples(t, srv.URL) })
			t.Run("errors", func(t *testing.T) { testErrors(t, srv.URL) })
			t.Run("paging", func(t *testing.T) { testPaging(t, srv.URL) })
			t.Run("node and stats", func(t *testing.T) { testNodeAndStats(t, srv.URL) })
			t.Run("nodes", func(t *testing.T) { testNodes(t, srv.URL) })
			t.Run("mutations", func(t *testing.T) { testMutations(t, srv.URL) })
		})
	}
}

func testExamples(t *testing.T, url string) {
	t.Run("who agreed to the energy ceasefire", func(t *testing.T) {
		d := mustData(t, post(t, url, example(t, "1-energy-ceasefire-agreed.graphql"), nil))
		a := get(d, "entity")
		if get(a, "agreementStatus") != "AGREED" || get(a, "validFrom", "at") != "2025-03-18T00:00:00Z" ||
			get(a, "validTo", "at") != "2025-04-17T00:00:00Z" || get(a, "validFrom", "precision") != "DAY" {
			t.Errorf("agreement = %v", a)
		}
		var who []string
		for _, e := range edges(get(a, "relations")) {
			n := get(e, "node")
			who = append(who, get(n, "from", "name").(string))
			if len(get(n, "sources").([]any)) == 0 {
				t.Errorf("relation without sources: %v", n)
			}
		}
		want := []string{"Russia", "Vladimir Putin", "Donald Trump", "Volodymyr Zelenskyy"}
		for _, w := range want {
			if !slices.Contains(who, w) {
				t.Errorf("agreed: %v, missing %s", who, w)
			}
		}
		if got := get(a, "parties"); len(got.([]any)) < 2 {
			t.Errorf("parties = %v", got)
		}
	})
	t.Run("what was attacked, by whom, who says so", func(t *testing.T) {
		d := mustData(t, post(t, url, example(t, "2-attacks.graphql"), nil))
		es := edges(get(d, "relations"))
		if len(es) != 2 {
			t.Fatalf("attacks = %d, want 2: %v", len(es), es)
		}
		byFrom := map[string]any{}
		for _, e := range es {
			byFrom[get(e, "node", "from", "name").(string)] = get(e, "node")
		}
		ru := byFrom["Russia"]
		if get(ru, "to", "name") != "Sloviansk energy infrastructure" || get(ru, "status") != "ALLEGED" ||
			get(ru, "claimedBy", "name") != "Inna Sovsun" || get(ru, "occurredAt", "note") != "less than an hour after the Trump–Putin call" ||
			!strings.Contains(get(ru, "quote").(string), "leaving half the city without power") {
			t.Errorf("Russia's attack = %v", ru)
		}
		ua := byFrom["Ukraine"]
		if get(ua, "status") != "CLAIMED" || get(ua, "claimedBy", "name") != "Russia" || get(ua, "quote") != nil {
			t.Errorf("Ukraine's attack = %v", ua)
		}
		var publishers []any
		for _, s := range get(ua, "sources").([]any) {
			publishers = append(publishers, get(s, "publisher"))
		}
		if !slices.Contains(publishers, any("BBC")) {
			t.Errorf("Ukraine's attack sources' publishers = %v, want the BBC", publishers)
		}
	})
	t.Run("what the US proposed to own", func(t *testing.T) {
		d := mustData(t, post(t, url, example(t, "3-us-proposed-ownership.graphql"), nil))
		es := edges(get(d, "relations"))
		if len(es) != 1 {
			t.Fatalf("got %v", es)
		}
		n := get(es[0], "node")
		if get(n, "to", "name") != "Ukrainian power plants" || get(n, "to", "category") != "power plant" ||
			!strings.HasPrefix(get(n, "quote").(string), "American ownership of those plants") || len(get(n, "sources").([]any)) < 2 {
			t.Errorf("proposed ownership = %v", n)
		}
	})
	t.Run("timeline of 18-19 March", func(t *testing.T) {
		d := mustData(t, post(t, url, example(t, "4-timeline.graphql"), nil))
		rel := get(d, "relations")
		es := edges(rel)
		if int(get(rel, "totalCount").(float64)) != len(es) || len(es) < 10 {
			t.Fatalf("totalCount %v, edges %d", get(rel, "totalCount"), len(es))
		}
		prev := ""
		var types []string
		for _, e := range es {
			n := get(e, "node")
			at, _ := get(n, "occurredAt", "at").(string)
			if at == "" {
				at, _ = get(n, "validFrom", "at").(string) // dated by validFrom: not selected here
			}
			if at != "" && at < prev {
				t.Errorf("out of order: %s after %s", at, prev)
			}
			if at != "" {
				prev = at
			}
			if at != "" && !strings.HasPrefix(at, "2025-03-18") && !strings.HasPrefix(at, "2025-03-19") {
				t.Errorf("outside the window: %v", n)
			}
			types = append(types, get(n, "type").(string))
		}
		for _, w := range []string{"SPOKE_WITH", "AGREED", "ATTACKED", "PROPOSED_OWNERSHIP"} {
			if !slices.Contains(types, w) {
				t.Errorf("timeline types %v lack %s", types, w)
			}
		}
	})
	t.Run("everything linked to Sloviansk", func(t *testing.T) {
		d := mustData(t, post(t, url, example(t, "5-sloviansk.graphql"), nil))
		hits := get(d, "search").([]any)
		ids := map[string]any{}
		for _, h := range hits {
			ids[get(h, "entity", "id").(string)] = get(h, "entity")
		}
		loc, infra := ids["location:sloviansk"], ids["infrastructure:sloviansk-energy-infrastructure"]
		if loc == nil || infra == nil {
			t.Fatalf("search hits %v", ids)
		}
		var linked []string
		for _, e := range edges(get(infra, "relations")) {
			linked = append(linked, get(e, "node", "type").(string)+" "+get(e, "node", "status").(string))
		}
		if !slices.Contains(linked, "ATTACKED ALLEGED") || !slices.Contains(linked, "LOCATED_IN CONFIRMED") {
			t.Errorf("Sloviansk infrastructure relations = %v", linked)
		}
	})
}

func code(r response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func testErrors(t *testing.T, url string) {
	cases := []struct {
		name, query, code, mention string
		vars                       map[string]any
	}{
		{"relation to a missing entity", `mutation { upsertRelations(input: [{id: "rel:x", type: ATTACKED, from: "country:russia", to: "location:atlantis", status: CLAIMED, sourceIds: ["source:2025-03-18-inna-sovsun-post"]}]) { created } }`, "BAD_USER_INPUT", "input[0].to", nil},
		{"confidence out of range", `mutation { upsertRelations(input: [{id: "rel:x", type: ATTACKED, from: "country:russia", to: "country:ukraine", status: CLAIMED, confidence: 1.5, sourceIds: ["source:2025-03-18-inna-sovsun-post"]}]) { created } }`, "BAD_USER_INPUT", "input[0].confidence", nil},
		{"no sources", `mutation { upsertRelations(input: [{id: "rel:x", type: ATTACKED, from: "country:russia", to: "country:ukraine", status: CLAIMED, sourceIds: []}]) { created } }`, "BAD_USER_INPUT", "input[0].sourceIds", nil},
		{"kind-specific field on the wrong kind", `mutation { upsertEntities(input: [{id: "person:x", kind: PERSON, name: "X", agreementStatus: AGREED}]) { created } }`, "BAD_USER_INPUT", "input[0].agreementStatus", nil},
		{"bad enum in a variable", `query($k: [EntityKind!]) { entities(filter: {kinds: $k}) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED", "EntityKind", map[string]any{"k": []string{"PLANET"}}},
		{"bad DateTime", `{ relations(filter: {occurredFrom: "yesterday"}) { totalCount } }`, "", "", nil},
		{"page too large", `{ entities(first: 100000) { totalCount } }`, "BAD_USER_INPUT", "first", nil},
		{"garbage cursor", `{ entities(after: "nope") { totalCount } }`, "BAD_USER_INPUT", "after", nil},
		{"delete with relations, no detach", `mutation { deleteEntity(id: "country:russia") { deletedId } }`, "CONFLICT", "relation", nil},
		{"delete missing", `mutation { deleteRelation(id: "rel:none") { deletedId } }`, "NOT_FOUND", "rel:none", nil},
		{"syntax error", `{ entities( }`, "GRAPHQL_PARSE_FAILED", "", nil},
		{"unknown field", `{ entities { nope } }`, "GRAPHQL_VALIDATION_FAILED", "nope", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, url, c.query, c.vars)
			if len(r.Errors) == 0 {
				t.Fatalf("no error; data %v", r.Data)
			}
			got := code(r)
			if got == "" || got == "INTERNAL_SERVER_ERROR" || (c.code != "" && got != c.code) {
				t.Errorf("code %q, want %q (%+v)", got, c.code, r.Errors)
			}
			if fields, ok := r.Errors[0].Extensions["fields"].([]any); c.code == "BAD_USER_INPUT" && (!ok || len(fields) == 0) {
				t.Errorf("BAD_USER_INPUT without fields: %+v", r.Errors[0])
			}
			if !strings.Contains(r.Errors[0].Message, c.mention) {
				t.Errorf("message %q does not mention %q", r.Errors[0].Message, c.mention)
			}
		})
	}
	// Nothing of the rejected writes landed.
	d := mustData(t, post(t, url, `{ relation(id: "rel:x") { id } entity(id: "person:x") { id } }`, nil))
	if d["relation"] != nil || d["entity"] != nil {
		t.Errorf("rejected writes landed: %v", d)
	}
}

func testPaging(t *testing.T, url string) {
	const q = `query($after: String) { entities(first: 7, after: $after, orderBy: {field: NAME}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }`
	var names []string
	seen := map[string]bool{}
	var after any
	total := -1
	for page := 0; page < 20; page++ {
		c := get(mustData(t, post(t, url, q, map[string]any{"after": after})), "entities")
		total = int(get(c, "totalCount").(float64))
		for _, e := range edges(c) {
			id := get(e, "node", "id").(string)
			if seen[id] {
				t.Fatalf("repeated %s", id)
			}
			seen[id] = true
			names = append(names, strings.ToLower(get(e, "node", "name").(string)))
		}
		if get(c, "pageInfo", "hasNextPage") != true {
			break
		}
		after = get(c, "pageInfo", "endCursor")
	}
	if want := len(builtinSeed(t).Entities); len(names) != total || total != want {
		t.Errorf("walked %d of totalCount %d, want %d", len(names), total, want)
	}
	if !slices.IsSorted(names) {
		t.Errorf("not in name order: %v", names)
	}
}

func testNodeAndStats(t *testing.T, url string) {
	d := mustData(t, post(t, url, `{
		a: node(id: "person:volodymyr-zelenskyy") { __typename id ... on Person { name offices { role to { name } } } }
		b: node(id: "rel:russia-agreed-energy-pause") { __typename ... on Relation { type from { id } } }
		c: node(id: "source:2025-03-18-inna-sovsun-post") { __typename ... on Source { title } }
		d: node(id: "nothing:here") { id }
		stats { entities relations sources byKind { kind count } byStatus { status count } }
		search(query: "zelensky", first: 3) { score entity { id } }
	}`, nil))
	if get(d, "a", "__typename") != "Person" || get(d, "a", "offices", 0, "to", "name") != "Ukraine" ||
		get(d, "b", "__typename") != "Relation" || get(d, "b", "from", "id") != "country:russia" ||
		get(d, "c", "__typename") != "Source" || d["d"] != nil {
		t.Errorf("node lookups = %v", d)
	}
	if b := builtinSeed(t); get(d, "stats", "entities") != float64(len(b.Entities)) || get(d, "stats", "relations") != float64(len(b.Relations)) ||
		get(d, "stats", "sources") != float64(len(b.Sources)) {
		t.Errorf("stats = %v", d["stats"])
	}
	if get(d, "search", 0, "entity", "id") != "person:volodymyr-zelenskyy" {
		t.Errorf("search zelensky = %v", d["search"])
	}
}

// testNodes checks the nodes query: answers in the order asked, null for a missing id, every
// kind of node, a full batch of kg.MaxNodeIDs in one request under the default limits, and a
// refusal naming ids with BAD_USER_INPUT past that.
func testNodes(t *testing.T, url string) {
	const q = `query NodesByID($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`
	ids := []string{"source:2025-03-18-inna-sovsun-post", "nothing:here", "rel:russia-agreed-energy-pause",
		"person:volodymyr-zelenskyy", "country:russia", "nothing:here"}
	d := mustData(t, post(t, url, q, map[string]any{"ids": ids}))
	want := []any{"Source", nil, "Relation", "Person", "Country", nil}
	got, _ := d["nodes"].([]any)
	if len(got) != len(ids) {
		t.Fatalf("nodes = %v, want %d answers", d["nodes"], len(ids))
	}
	for i, w := range want {
		if w == nil {
			if got[i] != nil {
				t.Errorf("nodes[%d] (%s) = %v, want null", i, ids[i], got[i])
			}
			continue
		}
		if get(got[i], "__typename") != w || get(got[i], "id") != ids[i] {
			t.Errorf("nodes[%d] = %v, want the %s %s", i, got[i], w, ids[i])
		}
	}

	// A full batch: every entity of the seed, then missing ids up to the bound.
	b := builtinSeed(t)
	full := make([]string, 0, kg.MaxNodeIDs)
	for _, e := range b.Entities {
		full = append(full, e.ID)
	}
	for i := len(full); i < kg.MaxNodeIDs; i++ {
		full = append(full, fmt.Sprintf("nothing:%d", i))
	}
	d = mustData(t, post(t, url, q, map[string]any{"ids": full}))
	got, _ = d["nodes"].([]any)
	if len(got) != kg.MaxNodeIDs {
		t.Fatalf("nodes of %d ids: %d answers", kg.MaxNodeIDs, len(got))
	}
	for i, id := range full {
		if found := got[i] != nil; found != (i < len(b.Entities)) || (found && get(got[i], "id") != id) {
			t.Errorf("nodes[%d] (%s) = %v", i, id, got[i])
		}
	}

	r := post(t, url, q, map[string]any{"ids": append(full, "one:more")})
	if code(r) != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "ids") || r.Data["nodes"] != nil {
		t.Errorf("nodes of %d ids = %+v, want BAD_USER_INPUT naming ids", kg.MaxNodeIDs+1, r)
	}
}

func testMutations(t *testing.T, url string) {
	const m = `mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { created updated unchanged entities { id name ... on Location { category } } } }`
	in := []map[string]any{{"id": "location:kyiv", "kind": "LOCATION", "name": "Kyiv", "category": "city", "aliases": []string{"Kiev"}}}
	d := mustData(t, post(t, url, m, map[string]any{"in": in}))
	if get(d, "upsertEntities", "created") != 1.0 || get(d, "upsertEntities", "entities", 0, "category") != "city" {
		t.Errorf("first upsert = %v", d)
	}
	d = mustData(t, post(t, url, m, map[string]any{"in": in}))
	if get(d, "upsertEntities", "unchanged") != 1.0 || get(d, "upsertEntities", "created") != 0.0 {
		t.Errorf("second upsert = %v", d)
	}
	d = mustData(t, post(t, url, `{ search(query: "kiev") { entity { id } } }`, nil))
	if get(d, "search", 0, "entity", "id") != "location:kyiv" {
		t.Errorf("alias search = %v", d)
	}
	d = mustData(t, post(t, url, `mutation { deleteEntity(id: "location:kyiv") { deletedId deletedRelations } }`, nil))
	if get(d, "deleteEntity", "deletedId") != "location:kyiv" {
		t.Errorf("delete = %v", d)
	}
}

func TestWriteToken(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	srv := newServer(t, s, server.Config{WriteTokens: []server.WriteToken{{Name: "tester", Token: "s3cret"}}})
	const m = `mutation { upsertSources(input: [{id: "source:x", title: "X"}]) { created } }`
	if r := post(t, srv.URL, m, nil); code(r) != "UNAUTHENTICATED" {
		t.Errorf("without token: %+v", r.Errors)
	}
	if r := post(t, srv.URL, m, nil, "Authorization", "Bearer wrong"); code(r) != "UNAUTHENTICATED" {
		t.Errorf("wrong token: %+v", r.Errors)
	}
	if d := mustData(t, post(t, srv.URL, m, nil, "Authorization", "Bearer s3cret")); get(d, "upsertSources", "created") != 1.0 {
		t.Errorf("with token: %v", d)
	}
	// Reads need no token.
	if d := mustData(t, post(t, srv.URL, `{ stats { sources } }`, nil)); get(d, "stats", "sources") != 1.0 {
		t.Errorf("read: %v", d)
	}
}

func TestHTTP(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	srv := newServer(t, s, server.Config{AllowedOrigins: []string{"https://app.example"}})

	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("preflight from allowed origin: %v", resp.Header)
	}
	req.Header.Set("Origin", "https://evil.example")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from other origin allowed: %v", resp.Header)
	}

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/nope": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
		if path == "/" && !strings.Contains(string(body), "assets/playground.js") {
			t.Errorf("/ is not the playground: %s", body)
		}
	}
	_ = s.Close(t.Context())
	if resp, _ := http.Get(srv.URL + "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz on a closed store = %d", resp.StatusCode)
	}

	r := post(t, srv.URL, `{ stats { entities } }`, nil, "X-Request-Id", "abc-123")
	if r.header.Get("X-Request-Id") != "abc-123" {
		t.Errorf("request id not echoed: %v", r.header)
	}
	if code(r) != "UNAVAILABLE" {
		t.Errorf("closed store: %+v", r.Errors)
	}

	big := strings.Repeat("x", server.DefaultMaxBodyBytes+1)
	r2, _ := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":"`+big+`"}`))
	if r2.StatusCode < 400 {
		t.Errorf("oversized body accepted: %d", r2.StatusCode)
	}
	r2.Body.Close()
}

// countingStore counts store calls, to show that nested fields are batched.
type countingStore struct {
	kg.Store
	entityCalls, neighborCalls, sourceCalls atomic.Int32
}

func (c *countingStore) EntitiesByIDs(ctx context.Context, ids []string) ([]*kg.Entity, error) {
	c.entityCalls.Add(1)
	return c.Store.EntitiesByIDs(ctx, ids)
}

func (c *countingStore) Neighbors(ctx context.Context, q kg.NeighborQuery) (map[string]*kg.RelationPage, error) {
	c.neighborCalls.Add(1)
	return c.Store.Neighbors(ctx, q)
}

func (c *countingStore) SourcesByIDs(ctx context.Context, ids []string) ([]*kg.Source, error) {
	c.sourceCalls.Add(1)
	return c.Store.SourcesByIDs(ctx, ids)
}

func TestNestedFieldsAreBatched(t *testing.T) {
	s := &countingStore{Store: seeded(t, stores[0].open)}
	srv := newServer(t, s, server.Config{})
	d := mustData(t, post(t, srv.URL, `{ entities(first: 30) { edges { node { name sources { title }
		relations(first: 50) { edges { node { from { name } to { name } claimedBy { name } sources { title } } } } } } } }`, nil))
	if n := len(edges(get(d, "entities"))); n != 30 {
		t.Fatalf("entities = %d", n)
	}
	// The response resolves 30 relation pages and, on 114 relation edges (each relation seen
	// from both ends), 342 endpoint and claimant lookups and some 250 source lists. Batched,
	// that is a Neighbors call or two and a few waves of lookups: a wave closes 2 ms after its first
	// key, so a slow scheduler (the race detector) may split one level into two or three.
	if n := s.neighborCalls.Load(); n > 3 {
		t.Errorf("Neighbors calls = %d for 30 entities, want at most 3", n)
	}
	if n := s.entityCalls.Load(); n > 8 {
		t.Errorf("EntitiesByIDs calls = %d, want at most 8", n)
	}
	if n := s.sourceCalls.Load(); n > 8 {
		t.Errorf("SourcesByIDs calls = %d, want at most 8", n)
	}
}

func TestReadmeShowsTheExamples(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/examples/*.graphql")
	if len(files) < 5 {
		t.Fatalf("examples: %v", files)
	}
	for _, f := range files {
		q, _ := os.ReadFile(f)
		if !bytes.Contains(readme, bytes.TrimSpace(q)) {
			t.Errorf("README.md does not show %s verbatim", f)
		}
	}
}

// TestExamplesSameOnBothStores holds the stores to giving the README's answers identically,
// byte for byte after decoding (search hits compared as a set: scores differ by design).
func TestExamplesSameOnBothStores(t *testing.T) {
	answers := make([]map[string]any, len(stores))
	for i, sc := range stores {
		srv := newServer(t, seeded(t, sc.open), server.Config{})
		answers[i] = map[string]any{}
		files, _ := filepath.Glob("testdata/examples/*.graphql")
		for _, f := range files {
			d := mustData(t, post(t, srv.URL, example(t, filepath.Base(f)), nil))
			if hits, ok := d["search"].([]any); ok {
				slices.SortFunc(hits, func(a, b any) int {
					return strings.Compare(get(a, "entity", "id").(string), get(b, "entity", "id").(string))
				})
			}
			answers[i][f] = d
		}
	}
	a, _ := json.MarshalIndent(answers[0], "", " ")
	b, _ := json.MarshalIndent(answers[1], "", " ")
	if !bytes.Equal(a, b) {
		t.Errorf("embedded and neo4j answer the README examples differently:\nembedded: %s\nneo4j: %s", a, b)
	}
}
