package neo4jstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/db"
)

func TestProvenanceNamesAreNotRelationTypes(t *testing.T) {
	for _, name := range provenanceRelTypes {
		if kg.RelationType(name).Valid() {
			t.Errorf("provenance relationship type %s is also a relation type: relation queries would see it", name)
		}
	}
	alt, err := relTypeAlternation(nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(kg.RelationTypes); strings.Count(alt, "|")+1 != want || !strings.HasPrefix(alt, ":") {
		t.Errorf("relTypeAlternation(nil) = %q, want every one of the %d relation types", alt, want)
	}
}

// rawLines runs a read query returning one string column l and gives its values sorted.
func rawLines(t *testing.T, s *Store, query string) []string {
	t.Helper()
	lines, err := readTx(t.Context(), s, "raw", func(tx neo4j.ManagedTransaction) ([]string, error) {
		recs, err := run(t.Context(), tx, query, nil)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(recs))
		for i, rec := range recs {
			if out[i], err = recString(rec, "l"); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	slices.Sort(lines)
	return lines
}

func rawWrite(t *testing.T, s *Store, query string, p map[string]any) {
	t.Helper()
	_, err := writeTx(t.Context(), s, "raw", func(tx neo4j.ManagedTransaction) (struct{}, error) {
		_, err := run(t.Context(), tx, query, p)
		return struct{}{}, err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// checkProvenance asserts that the provenance graph says exactly what the typed relationships'
// and entities' properties say: one claim per relation with its type and ends, an ASSERTS
// from its claimant, a CITES per source, a DISPUTES per disputed relation, an entity CITES per
// entity source, and nothing else. It returns the number of claims.
func checkProvenance(t *testing.T, s *Store) int {
	t.Helper()
	alt, err := relTypeAlternation(nil)
	if err != nil {
		t.Fatal(err)
	}
	fromEdges := rawLines(t, s, "MATCH (a)-[r"+alt+"]->(b) "+`
WITH r, a, b, ['claim ' + r.id + ' ' + type(r) + ' ' + a.id + ' ' + b.id] +
  [x IN CASE WHEN r.claimedBy IS NULL THEN [] ELSE [r.claimedBy] END | 'asserts ' + x + ' ' + r.id] +
  [x IN coalesce(r.sourceIds, []) | 'cites ' + r.id + ' ' + x] +
  [x IN coalesce(r.disputes, []) | 'disputes ' + r.id + ' ' + x] AS ls
UNWIND ls AS l RETURN l
UNION ALL
MATCH (n:Entity) UNWIND coalesce(n.sourceIds, []) AS x RETURN 'entity-cites ' + n.id + ' ' + x AS l`)
	fromGraph := rawLines(t, s, `MATCH (c:Claim)
OPTIONAL MATCH (c)-[:SUBJECT]->(a)
OPTIONAL MATCH (c)-[:OBJECT]->(b)
RETURN 'claim ' + c.id + ' ' + coalesce(c.type, '?') + ' ' + coalesce(a.id, '?') + ' ' + coalesce(b.id, '?') AS l
UNION ALL
MATCH (x)-[:ASSERTS]->(c) RETURN 'asserts ' + coalesce(x.id, '?') + ' ' + coalesce(c.id, '?') + CASE WHEN x:Entity AND c:Claim THEN '' ELSE ' (wrong labels)' END AS l
UNION ALL
MATCH (c:Claim)-[:CITES]->(x) RETURN 'cites ' + c.id + ' ' + x.id + CASE WHEN x:Source THEN '' ELSE ' (not a source)' END AS l
UNION ALL
MATCH (c)-[:DISPUTES]->(d) RETURN 'disputes ' + coalesce(c.id, '?') + ' ' + coalesce(d.id, '?') + CASE WHEN c:Claim AND d:Claim THEN '' ELSE ' (not claims)' END AS l
UNION ALL
MATCH (n:Entity)-[:CITES]->(x) RETURN 'entity-cites ' + n.id + ' ' + x.id + CASE WHEN x:Source THEN '' ELSE ' (not a source)' END AS l
UNION ALL
MATCH (c:Claim)-[p:SUBJECT|OBJECT]->() WITH c, type(p) AS t, count(*) AS n WHERE n > 1 RETURN 'repeated ' + t + ' ' + c.id AS l`)
	if !slices.Equal(fromEdges, fromGraph) {
		t.Errorf("the provenance graph differs from the relations' properties:\n%s", lineDiff(fromEdges, fromGraph))
	}
	n := 0
	for _, l := range fromGraph {
		if strings.HasPrefix(l, "claim ") {
			n++
		}
	}
	return n
}

// lineDiff lists the lines only in want (-) and only in got (+), at most 20 of each.
func lineDiff(want, got []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var minus, plus []string
	for l, n := range count {
		for ; n > 0 && len(minus) < 20; n-- {
			minus = append(minus, "- "+l)
		}
		for ; n < 0 && len(plus) < 20; n++ {
			plus = append(plus, "+ "+l)
		}
	}
	slices.Sort(minus)
	slices.Sort(plus)
	return strings.Join(append(minus, plus...), "\n")
}

// TestProvenanceGraphFollowsWrites checks after each kind of write that the claim nodes and
// their relationships say what the relations say.
func TestProvenanceGraphFollowsWrites(t *testing.T) {
	s := openEmpty(t)
	ctx := t.Context()
	srcs, ents, rels := randomGraph(11, 40, 160)
	// Claimants, some of them an end of their own claim.
	for i := range rels {
		switch i % 4 {
		case 0:
			rels[i].ClaimedByID = ents[(i*3)%len(ents)].ID
		case 1:
			rels[i].ClaimedByID = rels[i].FromID
		}
	}
	load(t, s, srcs, ents, rels)
	if n := checkProvenance(t, s); n != len(rels) {
		t.Errorf("%d claims for %d relations", n, len(rels))
	}

	// Updates: another claimant, other sources, another type, other ends, new disputes.
	upd := slices.Clone(rels[:12])
	for i := range upd {
		r := &upd[i]
		switch i % 4 {
		case 0:
			r.ClaimedByID = ents[(i+5)%len(ents)].ID
			r.SourceIDs = []string{"src:c"}
		case 1:
			r.ClaimedByID = ""
			r.Type = kg.RelAgreed
		case 2:
			r.FromID, r.ToID = r.ToID, ents[(i+7)%len(ents)].ID
			r.DisputesIDs = []string{rels[20].ID, rels[21].ID}
		case 3:
			r.DisputesIDs = nil
			r.SourceIDs = []string{"src:a", "src:b"}
		}
	}
	if _, _, err := s.UpsertRelations(ctx, upd); err != nil {
		t.Fatal(err)
	}
	checkProvenance(t, s)
	entUpd := slices.Clone(ents[:6])
	for i := range entUpd {
		entUpd[i].SourceIDs = [][]string{nil, {"src:a"}, {"src:b", "src:c"}}[i%3]
	}
	if _, _, err := s.UpsertEntities(ctx, entUpd); err != nil {
		t.Fatal(err)
	}
	checkProvenance(t, s)

	// Deleting a disputed relation removes it from its disputers, in the graph and on the edge.
	if err := s.DeleteRelation(ctx, rels[20].ID); err != nil {
		t.Fatal(err)
	}
	checkProvenance(t, s)
	// Deleting an entity with its relations takes their claims along; one that claims
	// something about others cannot be deleted.
	for _, e := range ents[:5] {
		claimsOthers := rawLines(t, s, "MATCH (x:Entity {id: '"+e.ID+"'})-[:ASSERTS]->(c:Claim) WHERE NOT EXISTS { (c)-[:SUBJECT|OBJECT]->(x) } RETURN c.id AS l")
		_, err := s.DeleteEntity(ctx, e.ID, true)
		switch {
		case len(claimsOthers) > 0 && !errors.Is(err, kg.ErrConflict):
			t.Errorf("DeleteEntity(%s), claimant of %q: error = %v, want a conflict", e.ID, claimsOthers, err)
		case len(claimsOthers) == 0 && err != nil:
			t.Errorf("DeleteEntity(%s): %v", e.ID, err)
		}
	}
	checkProvenance(t, s)
}

// oldModelData writes, with raw Cypher, a graph as the version before the provenance graph
// stored it: typed relationships carrying claimedBy, sourceIds and disputes as properties,
// entities carrying sourceIds, and no Claim node or provenance relationship at all.
func oldModelData(t *testing.T, s *Store, nRelations int) {
	t.Helper()
	rawWrite(t, s, `UNWIND ['src:a', 'src:b', 'src:c'] AS id CREATE (:Source {id: id, title: id, createdAt: datetime(), updatedAt: datetime()})`, nil)
	rawWrite(t, s, `UNWIND range(0, 29) AS i
CREATE (n:Entity:Person {id: 'person:' + i, kind: 'PERSON', name: 'P' + i, nameFold: 'p' + i, nameKey: '70', searchText: 'p' + i,
  createdAt: datetime(), updatedAt: datetime()})
SET n.sourceIds = CASE i % 3 WHEN 0 THEN null WHEN 1 THEN ['src:a'] ELSE ['src:b', 'src:c'] END`, nil)
	rows := make([]map[string]any, nRelations)
	for i := range rows {
		props := map[string]any{"id": fmt.Sprintf("rel:%03d", i), "status": "CLAIMED", "t": int64(i),
			"sourceIds": []string{[]string{"src:a", "src:b", "src:c"}[i%3]}}
		if i%2 == 0 {
			props["claimedBy"] = fmt.Sprintf("person:%d", (i*7)%30)
		}
		if i%5 == 1 {
			props["disputes"] = []string{fmt.Sprintf("rel:%03d", i-1), fmt.Sprintf("rel:%03d", (i+3)%nRelations)}
		}
		rows[i] = map[string]any{"type": string([]kg.RelationType{kg.RelAgreed, kg.RelAttacked, kg.RelStated}[i%3]),
			"from": fmt.Sprintf("person:%d", i%30), "to": fmt.Sprintf("person:%d", (i*11)%30), "props": props}
	}
	for _, typ := range []kg.RelationType{kg.RelAgreed, kg.RelAttacked, kg.RelStated} {
		rt := mustRelType(typ)
		rawWrite(t, s, "UNWIND $rows AS row WITH row WHERE row.type = $type MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) CREATE (a)-[r:"+rt+"]->(b) SET r = row.props",
			map[string]any{"rows": rows, "type": string(typ)})
	}
}

// TestMigrationBuildsProvenance writes old-model data with raw Cypher, opens a store on it
// (the migration runs on start), and checks the provenance graph; then runs the migration
// again, with and without its marker and in small batches, and checks that nothing changes.
func TestMigrationBuildsProvenance(t *testing.T) {
	s := openEmpty(t) // DeleteAll removes the migration marker too
	ctx := t.Context()
	const nRelations = 61
	oldModelData(t, s, nRelations)
	if got := rawLines(t, s, "MATCH (c:Claim) RETURN c.id AS l"); len(got) != 0 {
		t.Fatalf("old-model data has claims: %q", got)
	}

	s2, err := Open(ctx, testConfig(t), nil)
	if err != nil {
		t.Fatalf("Open on an old-model database: %v", err)
	}
	defer s2.Close(ctx)
	if n := checkProvenance(t, s); n != nRelations {
		t.Errorf("%d claims after the migration, want %d", n, nRelations)
	}
	before := rawLines(t, s, "MATCH (x)-[p]->(y) RETURN coalesce(x.id, x.name) + ' ' + type(p) + ' ' + coalesce(y.id, y.name) AS l")

	// The filters answer from the migrated graph.
	page, err := s2.Relations(ctx, kg.RelationQuery{Filter: &kg.RelationFilter{ClaimedByID: "person:14"}, First: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range page.Items {
		ids = append(ids, r.ID)
	}
	want := rawLines(t, s, "MATCH ()-[r]->() WHERE r.claimedBy = 'person:14' RETURN r.id AS l")
	if !slices.Equal(ids, want) || len(want) == 0 {
		t.Errorf("claimedBy person:14 = %q, want %q", ids, want)
	}

	// Again: skipped by the marker; without it, in batches of 7, the MERGEs change nothing.
	if err := s.migrateProvenance(ctx, 7); err != nil {
		t.Fatal(err)
	}
	rawWrite(t, s, "MATCH (m:Migration {name: $name}) DELETE m", map[string]any{"name": migrationProvenance})
	if err := s.migrateProvenance(ctx, 7); err != nil {
		t.Fatal(err)
	}
	after := rawLines(t, s, "MATCH (x)-[p]->(y) RETURN coalesce(x.id, x.name) + ' ' + type(p) + ' ' + coalesce(y.id, y.name) AS l")
	if !slices.Equal(before, after) {
		t.Errorf("a second migration changed the graph:\n%s", lineDiff(before, after))
	}
	if got := rawLines(t, s, "MATCH (m:Migration) RETURN m.name AS l"); !slices.Equal(got, []string{migrationProvenance}) {
		t.Errorf("migration markers = %q", got)
	}

	// An interrupted migration (some claims built, some not) is finished by the next run.
	rawWrite(t, s, "MATCH (c:Claim) WHERE c.id >= 'rel:030' DETACH DELETE c", nil)
	rawWrite(t, s, "MATCH (:Entity)-[p:CITES]->() WITH p LIMIT 5 DELETE p", nil)
	rawWrite(t, s, "MATCH (m:Migration) DELETE m", nil)
	if err := s.migrateProvenance(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if n := checkProvenance(t, s); n != nRelations {
		t.Errorf("%d claims after finishing an interrupted migration, want %d", n, nRelations)
	}
}

// provenanceQueries are the store's three provenance questions plus an entity one, as
// relationsQuery and entitiesQuery compile them: page and count.
func provenanceQueries(t *testing.T, claimant, source, disputed string) map[string]*pageQuery {
	t.Helper()
	out := map[string]*pageQuery{}
	for name, f := range map[string]*kg.RelationFilter{
		"claims by a claimant":       {ClaimedByID: claimant},
		"claims citing a source":     {SourceID: source},
		"disputes of a claim":        {DisputesIDs: []string{disputed}},
		"typed claims by a claimant": {ClaimedByID: claimant, Types: []kg.RelationType{kg.RelAttacked, kg.RelStated}},
	} {
		pq, err := relationsQuery(kg.RelationQuery{Filter: f, First: 10})
		if err != nil {
			t.Fatal(err)
		}
		out[name] = pq
	}
	pq, err := entitiesQuery(kg.EntityQuery{Filter: &kg.EntityFilter{SourceID: source}, First: 10})
	if err != nil {
		t.Fatal(err)
	}
	out["entities citing a source"] = pq
	return out
}

// scanOperators read every node or relationship of a label, type or index: a provenance
// query must plan none of them. An index scan (NodeIndexScan of entity_id, say) is a scan of
// every entity, however it is filtered afterwards.
var scanOperators = []string{"AllNodesScan", "NodeByLabelScan", "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan",
	"DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan", "DirectedUnionRelationshipTypesScan",
	"UndirectedUnionRelationshipTypesScan", "CartesianProduct", "NodeIndexScan", "NodeUniqueIndexScan",
	"DirectedRelationshipIndexScan", "UndirectedRelationshipIndexScan"}

// clearQueryCaches empties the server's plan cache, so that an EXPLAIN or PROFILE plans the
// query afresh against the statistics of the data as it is now, rather than reusing a plan
// made for another graph by an earlier test (which is how a scan plan once hid behind a seek).
func clearQueryCaches(t *testing.T, s *Store) {
	t.Helper()
	if _, err := neo4j.ExecuteQuery(t.Context(), s.driver, "CALL db.clearQueryCaches()", nil,
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(s.database)); err != nil {
		t.Fatalf("clear query caches: %v", err)
	}
}

// planStarts EXPLAINs query and returns the operators at the leaves of its plan, where rows
// come from: the seeks (or scans) it starts with, and the Arguments of the branches fed by them.
func planStarts(t *testing.T, s *Store, query string, p map[string]any) []string {
	t.Helper()
	leaves, err := readTx(t.Context(), s, "explain", func(tx neo4j.ManagedTransaction) ([]string, error) {
		res, err := tx.Run(t.Context(), "EXPLAIN "+query, p)
		if err != nil {
			return nil, err
		}
		sum, err := res.Consume(t.Context())
		if err != nil {
			return nil, err
		}
		root, err := rawPlan(sum.Plan())
		if err != nil {
			return nil, err
		}
		var out []string
		var walk func(*db.Plan)
		walk = func(pl *db.Plan) {
			if len(pl.Children) == 0 {
				op, _, _ := strings.Cut(pl.Operator, "@")
				out = append(out, op)
			}
			for i := range pl.Children {
				walk(&pl.Children[i])
			}
		}
		walk(root)
		return out, nil
	})
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	return leaves
}

// TestProvenanceQueriesPlans EXPLAINs the provenance filters, each planned afresh: each starts
// from a unique index seek and expands, never scans nodes, relationships or an index, and never
// joins by a Cartesian product.
func TestProvenanceQueriesPlans(t *testing.T) {
	s := openEmpty(t)
	for name, pq := range provenanceQueries(t, "person:x", "src:x", "rel:x") {
		for _, q := range []struct {
			kind, query string
			p           params
		}{{"page", pq.page, pq.pageParams}, {"count", pq.count, pq.countParams}} {
			t.Run(name+" "+q.kind, func(t *testing.T) {
				clearQueryCaches(t, s)
				ops := planOperators(t, s, q.query, q.p)
				if !slices.Contains(ops, "NodeUniqueIndexSeek") {
					t.Errorf("plan has no unique index seek: %q", ops)
				}
				clearQueryCaches(t, s)
				for _, leaf := range planStarts(t, s, q.query, q.p) {
					// Unwind reads the parameter list of ids, Argument the row of an Apply.
					if leaf != "NodeUniqueIndexSeek" && leaf != "Argument" && leaf != "Unwind" {
						t.Errorf("plan starts with %s, not the id seek: %q", leaf, ops)
					}
				}
				for _, bad := range scanOperators {
					if slices.Contains(ops, bad) {
						t.Errorf("plan uses %s: %q", bad, ops)
					}
				}
			})
		}
	}
}

// profileDBHits runs query under PROFILE and sums the db hits of every operator.
func profileDBHits(t *testing.T, s *Store, query string, p map[string]any) int64 {
	t.Helper()
	clearQueryCaches(t, s)
	hits, err := readTx(t.Context(), s, "profile", func(tx neo4j.ManagedTransaction) (int64, error) {
		res, err := tx.Run(t.Context(), "PROFILE "+query, p)
		if err != nil {
			return 0, err
		}
		sum, err := res.Consume(t.Context())
		if err != nil {
			return 0, err
		}
		var walk func(neo4j.ProfiledPlan) int64
		walk = func(pl neo4j.ProfiledPlan) int64 {
			n := pl.DbHits()
			for _, c := range pl.Children() {
				n += walk(c)
			}
			return n
		}
		if sum.Profile() == nil {
			return 0, fmt.Errorf("no profile")
		}
		return walk(sum.Profile()), nil
	})
	if err != nil {
		t.Fatalf("PROFILE %s: %v", query, err)
	}
	return hits
}

// TestProvenanceCostFollowsTheAnswer PROFILEs the provenance filters on a graph holding a
// fixed answer (a claimant's claims, a source's, a claim's disputers, the entities citing a
// source), then grows everything that is not the answer ten times (entities, sources, and
// relations by other claimants, citing other sources, disputing other claims) and profiles
// again, each time planned afresh. The db hits must be bounded by the answer's size, whatever
// the graph's: the queries seek the answer's start and expand from it. A plan that scans an
// index of every entity, or filters a property on every relationship, grows with the graph
// and breaks the bound.
func TestProvenanceCostFollowsTheAnswer(t *testing.T) {
	s := openEmpty(t)
	ctx := t.Context()
	sources := func(from, n int) []kg.SourceInput {
		var out []kg.SourceInput
		for i := from; i < from+n; i++ {
			out = append(out, kg.SourceInput{ID: fmt.Sprintf("src:noise-%03d", i), Title: "noise"})
		}
		return out
	}
	entities := func(from, n, nsrc int) []kg.EntityInput {
		var out []kg.EntityInput
		for i := from; i < from+n; i++ {
			e := kg.EntityInput{ID: fmt.Sprintf("person:%03d", i), Kind: kg.KindPerson, Name: fmt.Sprintf("P%d", i)}
			switch {
			case i >= 1 && i <= 6:
				e.SourceIDs = []string{"src:answer"}
			case i >= 10:
				e.SourceIDs = []string{fmt.Sprintf("src:noise-%03d", i%nsrc)}
			}
			out = append(out, e)
		}
		return out
	}
	// The answer: person:000 claims 6 relations among persons 001..006, citing src:answer;
	// three of them dispute rel:answer-0. Persons 001..006 cite src:answer too.
	var answer []kg.RelationInput
	for i := range 6 {
		r := kg.RelationInput{ID: fmt.Sprintf("rel:answer-%d", i), Type: kg.RelStated,
			FromID: fmt.Sprintf("person:%03d", 1+i), ToID: fmt.Sprintf("person:%03d", 1+(i+1)%6),
			Status: kg.StatusClaimed, ClaimedByID: "person:000", SourceIDs: []string{"src:answer"}}
		if i%2 == 1 {
			r.DisputesIDs = []string{"rel:answer-0"}
		}
		answer = append(answer, r)
	}
	// noise makes n relations among persons 010..(10+people), claimed by them and
	// citing the noise sources, each disputing the one before.
	noise := func(from, n, people, nsrc int) []kg.RelationInput {
		var out []kg.RelationInput
		for i := from; i < from+n; i++ {
			person := func(j int) string { return fmt.Sprintf("person:%03d", 10+j%people) }
			r := kg.RelationInput{ID: fmt.Sprintf("rel:noise-%05d", i), Type: []kg.RelationType{kg.RelAttacked, kg.RelStated, kg.RelSpokeWith}[i%3],
				FromID: person(i), ToID: person(i*7 + 1), Status: kg.StatusConfirmed,
				ClaimedByID: person(i * 13), SourceIDs: []string{fmt.Sprintf("src:noise-%03d", i%nsrc)}}
			if i > from {
				r.DisputesIDs = []string{fmt.Sprintf("rel:noise-%05d", i-1)}
			}
			out = append(out, r)
		}
		return out
	}
	load(t, s, append([]kg.SourceInput{{ID: "src:answer", Title: "answer"}}, sources(0, 3)...), entities(0, 60, 3), answer)
	load(t, s, nil, nil, noise(0, 60, 50, 3))
	queries := provenanceQueries(t, "person:000", "src:answer", "rel:answer-0")
	answers := map[string]int{"claims by a claimant": 6, "claims citing a source": 6, "disputes of a claim": 3,
		"typed claims by a claimant": 6, "entities citing a source": 6}
	// Per row of the answer, a page and a count walk a claim's few relationships and read
	// the row out; the constant is the seeks, index pages and the per-type branches.
	const perRow, fixed = 50, 200
	check := func(graph string) {
		for name, pq := range queries {
			hits := profileDBHits(t, s, pq.page, pq.pageParams) + profileDBHits(t, s, pq.count, pq.countParams)
			bound := int64(perRow*answers[name] + fixed)
			t.Logf("%s, %s: %d db hits (bound %d)", name, graph, hits, bound)
			if hits > bound {
				t.Errorf("%s, %s: %d db hits for an answer of %d, over %d·answer+%d: the cost follows the graph, not the answer",
					name, graph, hits, answers[name], perRow, fixed)
			}
		}
	}
	check("60 entities, 4 sources, 66 relations")
	load(t, s, sources(3, 27), entities(60, 540, 30), noise(60, 600, 590, 30))
	check("600 entities, 31 sources, 666 relations")
	// And the answers are right.
	for name, want := range answers {
		pq := queries[name]
		n, err := readTx(ctx, s, "count", func(tx neo4j.ManagedTransaction) (int, error) {
			return runCount(ctx, tx, pq.count, pq.countParams)
		})
		if err != nil || n != want {
			t.Errorf("%s: %d, %v; want %d", name, n, err, want)
		}
	}
}
