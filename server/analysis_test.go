package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/server"
)

// The knowledge-graph queries over HTTP, on both stores, over the seed and over a generated
// hub large enough to hit the caps.

func TestGraphQueries(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			srv := newServer(t, seeded(t, sc.open), server.Config{})
			url := srv.URL
			t.Run("violations", func(t *testing.T) { testViolations(t, url) })
			t.Run("neighborhood", func(t *testing.T) { testNeighborhood(t, url) })
			t.Run("paths", func(t *testing.T) { testPaths(t, url) })
			t.Run("timeline", func(t *testing.T) { testTimeline(t, url) })
			t.Run("disputes", func(t *testing.T) { testDisputes(t, url) })
			t.Run("aggregations", func(t *testing.T) { testAggregations(t, url) })
			t.Run("hub caps", func(t *testing.T) { testHubCaps(t, url) })
		})
	}
}

func testViolations(t *testing.T, url string) {
	d := mustData(t, post(t, url, example(t, "6-violations.graphql"), nil))
	vs := get(d, "violations").([]any)
	byTarget := map[string]any{}
	for _, v := range vs {
		byTarget[get(v, "attack", "to", "name").(string)] = v
	}
	sl := byTarget["Sloviansk energy infrastructure"]
	if sl == nil {
		t.Fatalf("the Sloviansk strike is not a violation: %v", vs)
	}
	if get(sl, "timing") != "POSSIBLY_WITHIN" || get(sl, "attack", "status") != "ALLEGED" ||
		get(sl, "attack", "claimedBy", "name") != "Inna Sovsun" || len(get(sl, "attack", "sources").([]any)) != 2 ||
		!strings.Contains(get(sl, "explanation").(string), "less than an hour after") {
		t.Errorf("Sloviansk violation = %v", sl)
	}
	// Russia's claim that Ukraine struck Russian energy infrastructure the same day is, by the
	// same rules, a possible violation by the other party: both claims stand.
	if ua := byTarget["Russian energy infrastructure"]; ua == nil || get(ua, "attack", "status") != "CLAIMED" {
		t.Errorf("Ukraine's alleged strike: %v", ua)
	}
	if len(vs) != 2 {
		t.Errorf("violations = %d, want 2: %v", len(vs), vs)
	}
	d = mustData(t, post(t, url, `{ entity(id: "agreement:2025-03-energy-infrastructure-strike-pause") { ... on Agreement { violations { timing attack { id } } } } }`, nil))
	if n := len(get(d, "entity", "violations").([]any)); n != 2 {
		t.Errorf("Agreement.violations = %d", n)
	}
	r := post(t, url, `{ violations(agreementId: "person:donald-trump") { timing } }`, nil)
	if code(r) != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "agreementId") {
		t.Errorf("violations of a person: %+v", r.Errors)
	}
	if r := post(t, url, `{ violations(agreementId: "agreement:none") { timing } }`, nil); code(r) != "NOT_FOUND" {
		t.Errorf("violations of a missing agreement: %+v", r.Errors)
	}
}

func testNeighborhood(t *testing.T, url string) {
	d := mustData(t, post(t, url, example(t, "7-neighborhood.graphql"), nil))
	n := get(d, "neighborhood")
	nodes := get(n, "nodes").([]any)
	if get(nodes[0], "entityId") != "location:sloviansk" || get(nodes[0], "distance") != 0.0 || get(nodes[0], "kind") != "LOCATION" {
		t.Errorf("centre = %v", nodes[0])
	}
	ids := map[string]bool{}
	prev := 0.0
	for _, x := range nodes {
		ids[get(x, "entityId").(string)] = true
		if d := get(x, "distance").(float64); d < prev || d > 2 {
			t.Errorf("distance order: %v", nodes)
		} else {
			prev = d
		}
	}
	for _, want := range []string{"infrastructure:sloviansk-energy-infrastructure", "country:ukraine", "country:russia"} {
		if !ids[want] {
			t.Errorf("neighbourhood lacks %s: %v", want, ids)
		}
	}
	for _, e := range get(n, "edges").([]any) {
		if !ids[get(e, "source").(string)] || !ids[get(e, "target").(string)] {
			t.Errorf("edge %v leaves the node set", e)
		}
	}
	small := get(mustData(t, post(t, url, `{ neighborhood(id: "location:sloviansk", depth: 3, limit: 3) { truncated nodes { entityId } } }`, nil)), "neighborhood")
	if get(small, "truncated") != true || len(get(small, "nodes").([]any)) != 3 {
		t.Errorf("limit 3: %v", small)
	}
	for q, field := range map[string]string{
		`{ neighborhood(id: "location:sloviansk", depth: 4) { truncated } }`:    "depth",
		`{ neighborhood(id: "location:sloviansk", limit: 5000) { truncated } }`: "limit",
	} {
		if r := post(t, url, q, nil); code(r) != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, field) {
			t.Errorf("%s: %+v", q, r.Errors)
		}
	}
	if r := post(t, url, `{ neighborhood(id: "location:atlantis") { truncated } }`, nil); code(r) != "NOT_FOUND" {
		t.Errorf("missing centre: %+v", r.Errors)
	}
}

func testPaths(t *testing.T, url string) {
	d := mustData(t, post(t, url, `{
		one: shortestPath(from: "person:inna-sovsun", to: "person:donald-trump") { length entities { id } relations { id } }
		all: allShortestPaths(from: "person:inna-sovsun", to: "person:donald-trump") { length entities { id } }
		none: shortestPath(from: "person:inna-sovsun", to: "person:donald-trump", maxDepth: 1) { length }
		self: shortestPath(from: "country:ukraine", to: "country:ukraine") { length entities { id } }
	}`, nil))
	one := get(d, "one")
	l := int(get(one, "length").(float64))
	ents := get(one, "entities").([]any)
	if l < 2 || len(ents) != l+1 || get(ents, 0, "id") != "person:inna-sovsun" || get(ents, l, "id") != "person:donald-trump" {
		t.Errorf("shortest path = %v", one)
	}
	all := get(d, "all").([]any)
	if len(all) < 1 {
		t.Errorf("allShortestPaths empty")
	}
	for _, p := range all {
		if get(p, "length") != float64(l) {
			t.Errorf("a shortest path of another length: %v vs %d", p, l)
		}
	}
	if d["none"] != nil {
		t.Errorf("maxDepth 1 found %v", d["none"])
	}
	if get(d, "self", "length") != 0.0 || get(d, "self", "entities", 0, "id") != "country:ukraine" {
		t.Errorf("self path = %v", d["self"])
	}
}

func testTimeline(t *testing.T, url string) {
	d := mustData(t, post(t, url, `{ timeline(from: "2025-03-18T00:00:00Z", to: "2025-03-20T00:00:00Z", limit: 200) {
		truncated entries { time { at precision note } relation { id type sources { title } } event { id name } } } }`, nil))
	tl := get(d, "timeline")
	entries := get(tl, "entries").([]any)
	prev := ""
	var events, rels []string
	for _, e := range entries {
		at := get(e, "time", "at").(string)
		if at < prev {
			t.Errorf("timeline out of order at %v", e)
		}
		prev = at
		if ev := get(e, "event"); ev != nil {
			events = append(events, get(ev, "id").(string))
		} else {
			rels = append(rels, get(e, "relation", "id").(string))
			if len(get(e, "relation", "sources").([]any)) == 0 {
				t.Errorf("timeline relation without sources: %v", e)
			}
		}
	}
	if !slices.Contains(events, "event:2025-03-18-trump-putin-call") || !slices.Contains(events, "event:2025-03-19-trump-zelenskyy-call") {
		t.Errorf("timeline events = %v", events)
	}
	if !slices.Contains(rels, "rel:russia-attacked-sloviansk-energy-infrastructure") || get(tl, "truncated") != false {
		t.Errorf("timeline relations = %v, truncated %v", rels, get(tl, "truncated"))
	}
	d = mustData(t, post(t, url, `{ timeline(from: "2025-03-18T00:00:00Z", to: "2025-03-20T00:00:00Z", types: [ATTACKED], limit: 1) { truncated entries { relation { type } event { id } } } }`, nil))
	if es := get(d, "timeline", "entries").([]any); len(es) != 1 || get(es[0], "relation", "type") != "ATTACKED" || get(d, "timeline", "truncated") != true {
		t.Errorf("typed, limited timeline = %v", d)
	}
}

// testDisputes shows competing claims standing side by side. The article has no claim that
// contradicts another (Sovsun's accusation is a claimed violation, not a denial that Russia
// agreed), so the seed disputes nothing and the pair is added here, under names that say
// they are test data; it uses no ATTACKED relation and no person, so testAggregations'
// counts of the seed stay as they are.
func testDisputes(t *testing.T, url string) {
	ents := []map[string]any{
		{"id": "organization:dispute-test-claimant", "kind": "ORGANIZATION", "name": "Dispute test claimant"},
		{"id": "organization:dispute-test-denier", "kind": "ORGANIZATION", "name": "Dispute test denier"},
	}
	src := []string{"source:2025-03-19-energy-ceasefire-article"}
	rels := []map[string]any{
		{"id": "rel:dispute-test-claim", "type": "MEMBER_OF", "from": "organization:dispute-test-denier", "to": "organization:dispute-test-claimant",
			"status": "CLAIMED", "claimedBy": "organization:dispute-test-claimant", "sourceIds": src},
		{"id": "rel:dispute-test-denial", "type": "MEMBER_OF", "from": "organization:dispute-test-denier", "to": "organization:dispute-test-claimant",
			"status": "DENIED", "claimedBy": "organization:dispute-test-denier", "disputes": []string{"rel:dispute-test-claim"}, "sourceIds": src},
	}
	mustData(t, post(t, url, `mutation($e: [EntityInput!]!) { upsertEntities(input: $e) { created } }`, map[string]any{"e": ents}))
	mustData(t, post(t, url, `mutation($r: [RelationInput!]!) { upsertRelations(input: $r) { created } }`, map[string]any{"r": rels}))

	d := mustData(t, post(t, url, `{ relation(id: "rel:dispute-test-claim") { status disputedBy { id status claimedBy { name } sources { title } } }
		denial: relation(id: "rel:dispute-test-denial") { disputes { id } }
		seed: relations(filter: { disputesIds: ["rel:russia-agreed-energy-pause", "rel:vladimir-putin-agreed-energy-pause"] }) { totalCount }
		relations(filter: { claimedById: "country:russia" }) { edges { node { id } } } }`, nil))
	by := get(d, "relation", "disputedBy").([]any)
	if len(by) != 1 || get(by[0], "id") != "rel:dispute-test-denial" || get(by[0], "status") != "DENIED" ||
		get(by[0], "claimedBy", "name") != "Dispute test denier" || len(get(by[0], "sources").([]any)) != 1 ||
		get(d, "relation", "status") != "CLAIMED" {
		t.Errorf("disputedBy = %v (and the disputed claim stays CLAIMED)", get(d, "relation"))
	}
	if ds := get(d, "denial", "disputes").([]any); len(ds) != 1 || get(ds[0], "id") != "rel:dispute-test-claim" {
		t.Errorf("disputes = %v", ds)
	}
	// Putin's and Russia's agreement are not disputed: Sovsun's words affirm it.
	if get(d, "seed", "totalCount") != 0.0 {
		t.Errorf("the seed disputes Russia's agreement: %v", d["seed"])
	}
	if es := edges(get(d, "relations")); len(es) != 1 || get(es[0], "node", "id") != "rel:ukraine-attacked-russia-energy-infrastructure" {
		t.Errorf("claimed by Russia = %v", es)
	}
}

func testAggregations(t *testing.T, url string) {
	d := mustData(t, post(t, url, `{
		top: mostConnected(first: 3) { degree entity { id degree } }
		attacks: stats(relations: { types: [ATTACKED] }) { relations byStatus { status count } bySource { source { id } count } }
		people: stats(entities: { kinds: [PERSON] }) { entities byKind { kind count } }
		attackers: entities(filter: { hasRelation: { types: [ATTACKED], direction: OUT } }, orderBy: { field: ID }) { edges { node { id } } }
		events: entities(filter: { occurredFrom: "2025-03-19T00:00:00Z", occurredTo: "2025-03-20T00:00:00Z" }) { edges { node { id } } }
	}`, nil))
	top := get(d, "top").([]any)
	if len(top) != 3 {
		t.Fatalf("mostConnected = %v", top)
	}
	for i, x := range top {
		if get(x, "degree") != get(x, "entity", "degree") {
			t.Errorf("degree %v != entity.degree %v", get(x, "degree"), get(x, "entity", "degree"))
		}
		if i > 0 && get(x, "degree").(float64) > get(top[i-1], "degree").(float64) {
			t.Errorf("not in degree order: %v", top)
		}
	}
	if get(d, "attacks", "relations") != 2.0 || get(d, "people", "entities") != 7.0 || get(d, "people", "byKind", 0, "kind") != "PERSON" {
		t.Errorf("filtered stats = %v / %v", d["attacks"], d["people"])
	}
	if get(d, "attacks", "bySource", 0, "source", "id") != "source:2025-03-19-energy-ceasefire-article" || get(d, "attacks", "bySource", 0, "count") != 2.0 {
		t.Errorf("bySource = %v", get(d, "attacks", "bySource"))
	}
	var attackers []string
	for _, e := range edges(get(d, "attackers")) {
		attackers = append(attackers, get(e, "node", "id").(string))
	}
	if !slices.Equal(attackers, []string{"country:russia", "country:ukraine"}) {
		t.Errorf("hasRelation ATTACKED OUT = %v", attackers)
	}
	var events []string
	for _, e := range edges(get(d, "events")) {
		events = append(events, get(e, "node", "id").(string))
	}
	slices.Sort(events)
	if !slices.Equal(events, []string{"event:2025-03-19-trump-zelenskyy-call", "event:2025-03-19-white-house-press-briefing"}) {
		t.Errorf("events on 19 March = %v", events)
	}
}

// testHubCaps adds a hub with 300 neighbours through the API and shows the caps hold.
func testHubCaps(t *testing.T, url string) {
	var ents, rels []map[string]any
	ents = append(ents, map[string]any{"id": "organization:hub", "kind": "ORGANIZATION", "name": "Hub"})
	for i := range 300 {
		id := fmt.Sprintf("location:spoke-%03d", i)
		ents = append(ents, map[string]any{"id": id, "kind": "LOCATION", "name": fmt.Sprintf("Spoke %03d", i)})
		rels = append(rels, map[string]any{"id": fmt.Sprintf("rel:spoke-%03d", i), "type": "LOCATED_IN", "from": id,
			"to": "organization:hub", "status": "CONFIRMED", "sourceIds": []string{"source:2025-03-19-energy-ceasefire-article"}})
	}
	mustData(t, post(t, url, `mutation($e: [EntityInput!]!) { upsertEntities(input: $e) { created } }`, map[string]any{"e": ents}))
	mustData(t, post(t, url, `mutation($r: [RelationInput!]!) { upsertRelations(input: $r) { created } }`, map[string]any{"r": rels}))

	n := get(mustData(t, post(t, url, `{ neighborhood(id: "organization:hub", limit: 50) { truncated nodes { entityId distance } edges { id } } }`, nil)), "neighborhood")
	nodes := get(n, "nodes").([]any)
	if get(n, "truncated") != true || len(nodes) != 50 || len(get(n, "edges").([]any)) != 49 {
		t.Fatalf("hub neighbourhood: truncated %v, %d nodes, %d edges", get(n, "truncated"), len(nodes), len(get(n, "edges").([]any)))
	}
	// The kept spokes are the 49 nearest by (distance, id): spoke-000..spoke-048.
	if get(nodes[1], "entityId") != "location:spoke-000" || get(nodes[49], "entityId") != "location:spoke-048" {
		t.Errorf("kept spokes %v .. %v", nodes[1], nodes[49])
	}
	d := mustData(t, post(t, url, `{ top: mostConnected(first: 1) { degree entity { id } } }`, nil))
	if get(d, "top", 0, "entity", "id") != "organization:hub" || get(d, "top", 0, "degree") != 300.0 {
		t.Errorf("most connected = %v", d)
	}
	// A query that would fan out over the whole hub is refused before it runs.
	r := post(t, url, `{ neighborhood(id: "organization:hub", limit: 1000) { nodes { entity { relations(first: 500) { edges { node { from { name } to { name } } } } } } } }`, nil)
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "complexity") {
		t.Errorf("complexity limit: %+v", r.Errors)
	}
}
