package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
)

// callCounter is a kg.Store that counts the read calls reaching the store, by method.
type callCounter struct {
	kg.Store
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) count(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[method]++
}

func (c *callCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = map[string]int{}
	return out
}

func (c *callCounter) EntitiesByIDs(ctx context.Context, ids []string) ([]*kg.Entity, error) {
	c.count("EntitiesByIDs")
	return c.Store.EntitiesByIDs(ctx, ids)
}

func (c *callCounter) RelationsByIDs(ctx context.Context, ids []string) ([]*kg.Relation, error) {
	c.count("RelationsByIDs")
	return c.Store.RelationsByIDs(ctx, ids)
}

func (c *callCounter) SourcesByIDs(ctx context.Context, ids []string) ([]*kg.Source, error) {
	c.count("SourcesByIDs")
	return c.Store.SourcesByIDs(ctx, ids)
}

func (c *callCounter) Entities(ctx context.Context, q kg.EntityQuery) (*kg.EntityPage, error) {
	c.count("Entities")
	return c.Store.Entities(ctx, q)
}

func (c *callCounter) Relations(ctx context.Context, q kg.RelationQuery) (*kg.RelationPage, error) {
	c.count("Relations")
	return c.Store.Relations(ctx, q)
}

func (c *callCounter) Neighbors(ctx context.Context, q kg.NeighborQuery) (map[string]*kg.RelationPage, error) {
	c.count("Neighbors")
	return c.Store.Neighbors(ctx, q)
}

// fanOut writes a graph whose fan-out is n: an agreement with n parties (countries), and each
// country with n relations to persons, half of them claimed by another person, each with a
// source.
func fanOut(t *testing.T, n int) kg.Store {
	t.Helper()
	s, err := embedded.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	src := []kg.SourceInput{{ID: "src:a", Title: "A"}, {ID: "src:b", Title: "B"}}
	ents := []kg.EntityInput{{ID: "agreement:pause", Kind: kg.KindAgreement, Name: "Pause", SourceIDs: []string{"src:a"}}}
	var rels []kg.RelationInput
	for i := range n {
		c := fmt.Sprintf("country:%02d", i)
		ents = append(ents, kg.EntityInput{ID: c, Kind: kg.KindCountry, Name: "Country " + c, SourceIDs: []string{"src:b"}},
			kg.EntityInput{ID: fmt.Sprintf("person:%02d", i), Kind: kg.KindPerson, Name: fmt.Sprintf("Person %d", i)})
		rels = append(rels, kg.RelationInput{ID: "rel:party-" + c, Type: kg.RelPartyTo, FromID: c, ToID: "agreement:pause",
			Status: kg.StatusConfirmed, SourceIDs: []string{"src:a"}})
	}
	for i := range n {
		for j := range n {
			r := kg.RelationInput{ID: fmt.Sprintf("rel:spoke-%02d-%02d", i, j), Type: kg.RelSpokeWith,
				FromID: fmt.Sprintf("country:%02d", i), ToID: fmt.Sprintf("person:%02d", j),
				Status: kg.StatusConfirmed, SourceIDs: []string{"src:b"}}
			if j%2 == 1 {
				r.Status, r.ClaimedByID = kg.StatusClaimed, fmt.Sprintf("person:%02d", (j+1)%n)
			}
			rels = append(rels, r)
		}
	}
	ctx := t.Context()
	if _, _, err := s.UpsertSources(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertEntities(ctx, ents); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertRelations(ctx, rels); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNoNPlusOne runs nested queries over graphs of two sizes and counts the store calls:
// they must not grow with the number of items, and must be what the look-ahead needs — one
// call per level of the query. The dataloaders do not wait here, so a field the look-ahead
// misses costs a call per item and fails the test instead of hiding in a loader's batch.
func TestNoNPlusOne(t *testing.T) {
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  map[string]int
	}{{
		// Q1: an entity, its first relations and the other end's name.
		name: "entity relations ends",
		query: `{ entity(id: "country:00") { name relations(first: 50) { edges { node {
			type from { name } to { name } claimedBy { name } sources { title } } } } } }`,
		want: map[string]int{"EntitiesByIDs": 2, "Neighbors": 1, "SourcesByIDs": 1},
	}, {
		// Q4: two levels, typed, with variables.
		name: "two levels",
		query: `query($types: [RelationType!], $n: Int) { entity(id: "agreement:pause") { name
			... on Agreement { relations(types: $types, direction: IN, first: $n) { totalCount edges { node {
				from { name relations(first: 10) { edges { node { type to { name } } } } } } } } } } }`,
		vars: map[string]any{"types": []string{"PARTY_TO"}, "n": 50},
		want: map[string]int{"EntitiesByIDs": 3, "Neighbors": 2},
	}, {
		// A list of entities, each with its degree, sources and relations, their ends and the
		// ends' relations.
		name: "list of entities",
		query: `{ entities(filter: { kinds: [COUNTRY] }, first: 50) { totalCount edges { node {
			name degree sources { title } relations(first: 5) { totalCount edges { node {
				from { id } to { name relations(first: 2) { edges { node { id } } } } } } } } } } }`,
		want: map[string]int{"Entities": 1, "Neighbors": 3, "EntitiesByIDs": 1, "SourcesByIDs": 1},
	}, {
		name: "relations listing",
		query: `{ relations(filter: { types: [SPOKE_WITH] }, first: 100) { edges { node {
			from { name } to { name degree } claimedBy { name } } } } }`,
		want: map[string]int{"Relations": 1, "EntitiesByIDs": 1, "Neighbors": 1},
	}}
	noWait := time.Duration(0)
	for _, n := range []int{3, 12} {
		store := &callCounter{Store: fanOut(t, n), calls: map[string]int{}}
		srv := httptest.NewServer(NewHandler(store, Options{batchWait: &noWait}))
		t.Cleanup(srv.Close)
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%d", c.name, n), func(t *testing.T) {
				store.take()
				data := postQuery(t, srv.URL, c.query, c.vars)
				if got := store.take(); !maps.Equal(got, c.want) {
					t.Errorf("store calls = %v, want %v\nresponse: %.300s", got, c.want, data)
				}
			})
		}
	}
}

// TestLookaheadAnswers checks that what the look-ahead primes is what the fields show.
func TestLookaheadAnswers(t *testing.T) {
	noWait := time.Duration(0)
	srv := httptest.NewServer(NewHandler(fanOut(t, 4), Options{batchWait: &noWait}))
	t.Cleanup(srv.Close)
	got := postQuery(t, srv.URL, `{ entity(id: "agreement:pause") { name relations(direction: IN, first: 2) {
		totalCount edges { node { from { name degree(direction: OUT) relations(types: [SPOKE_WITH], first: 1) { totalCount
			edges { node { to { name } claimedBy { name } } } } } } } } } }`, nil)
	want := `{"data":{"entity":{"name":"Pause","relations":{"totalCount":4,"edges":[` +
		`{"node":{"from":{"name":"Country country:00","degree":5,"relations":{"totalCount":4,"edges":[{"node":{"to":{"name":"Person 0"},"claimedBy":null}}]}}}},` +
		`{"node":{"from":{"name":"Country country:01","degree":5,"relations":{"totalCount":4,"edges":[{"node":{"to":{"name":"Person 0"},"claimedBy":null}}]}}}}]}}}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func postQuery(t *testing.T, url, query string, vars map[string]any) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Errors []any `json:"errors"`
	}
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil || len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, errors %v: %s", resp.StatusCode, err, buf.String())
	}
	return buf.String()
}
