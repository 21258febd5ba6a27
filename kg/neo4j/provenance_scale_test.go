//go:build scale

package neo4jstore

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// TestProvenanceScale measures the db hits of the three provenance questions on 100k entities
// and 300k relations, before (the previous version's property filters, on a database it
// wrote) and after the migration to the provenance graph. It wipes the test database and
// takes minutes, so it runs only with -tags scale:
//
//	go test -tags scale -count=1 -run TestProvenanceScale -v -timeout 60m ./kg/neo4j/
func TestProvenanceScale(t *testing.T) {
	const (
		nEntities  = 100_000
		nRelations = 300_000
		nSources   = 1_000
		nClaimants = 1_000
		batch      = 10_000
	)
	s := openEmpty(t)
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	rawWrite(t, s, "UNWIND range(0, $n - 1) AS i CREATE (:Source {id: 'src:' + i, title: 'S' + i})", map[string]any{"n": int64(nSources)})
	for lo := 0; lo < nEntities; lo += batch {
		rawWrite(t, s, `UNWIND range($lo, $hi - 1) AS i
CREATE (n:Entity:Person {id: 'person:' + i, kind: 'PERSON', name: 'P' + i, nameFold: 'p' + i, nameKey: '70', searchText: 'p' + i})
SET n.sourceIds = CASE WHEN i % 3 = 0 THEN ['src:' + (i % $sources)] ELSE null END`,
			map[string]any{"lo": int64(lo), "hi": int64(lo + batch), "sources": int64(nSources)})
	}
	types := []kg.RelationType{kg.RelAgreed, kg.RelAttacked, kg.RelStated, kg.RelSpokeWith, kg.RelReported}
	for lo := 0; lo < nRelations; lo += batch {
		rows := map[kg.RelationType][]map[string]any{}
		for i := lo; i < lo+batch; i++ {
			props := map[string]any{"id": fmt.Sprintf("rel:%06d", i), "status": "CLAIMED", "t": int64(i),
				"sourceIds": []string{fmt.Sprintf("src:%d", rng.IntN(nSources))}}
			if i%2 == 0 {
				props["claimedBy"] = fmt.Sprintf("person:%d", rng.IntN(nClaimants))
			}
			if i > 0 && i%10 == 0 {
				props["disputes"] = []string{fmt.Sprintf("rel:%06d", rng.IntN(i))}
			}
			typ := types[i%len(types)]
			rows[typ] = append(rows[typ], map[string]any{"from": fmt.Sprintf("person:%d", rng.IntN(nEntities)),
				"to": fmt.Sprintf("person:%d", rng.IntN(nEntities)), "props": props})
		}
		for _, typ := range types {
			rt := mustRelType(typ)
			rawWrite(t, s, "UNWIND $rows AS row MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) CREATE (a)-[r:"+rt+"]->(b) SET r = row.props",
				map[string]any{"rows": rows[typ]})
		}
	}
	// A claim with a known number of disputers.
	rawWrite(t, s, "MATCH ()-[r:STATED]->() WHERE r.id IN ['rel:000011', 'rel:000012', 'rel:000013', 'rel:000014', 'rel:000015'] SET r.disputes = ['rel:000002']", nil)
	t.Logf("loaded the old model in %v", time.Since(start).Round(time.Second))

	claimant, source, disputed := "person:7", "src:7", "rel:000002"
	// The previous version's queries: relationMatch fell back to an untyped MATCH, the filter
	// compared edge properties.
	old := map[string][2]string{
		"claims by a claimant":   {"MATCH (a)-[r]->(b) WHERE r.claimedBy = $p RETURN r, a.id AS from, b.id AS to ORDER BY r.id LIMIT 11", "MATCH (a)-[r]->(b) WHERE r.claimedBy = $p RETURN count(r) AS total"},
		"claims citing a source": {"MATCH (a)-[r]->(b) WHERE $p IN r.sourceIds RETURN r, a.id AS from, b.id AS to ORDER BY r.id LIMIT 11", "MATCH (a)-[r]->(b) WHERE $p IN r.sourceIds RETURN count(r) AS total"},
		"disputes of a claim":    {"MATCH (a)-[r]->(b) WHERE any(d IN coalesce(r.disputes, []) WHERE d IN [$p]) RETURN r, a.id AS from, b.id AS to ORDER BY r.id LIMIT 11", "MATCH (a)-[r]->(b) WHERE any(d IN coalesce(r.disputes, []) WHERE d IN [$p]) RETURN count(r) AS total"},
	}
	args := map[string]string{"claims by a claimant": claimant, "claims citing a source": source, "disputes of a claim": disputed}
	before := map[string][2]int64{}
	for name, q := range old {
		p := map[string]any{"p": args[name]}
		profileDBHits(t, s, q[0], p) // warm up
		before[name] = [2]int64{profileDBHits(t, s, q[0], p), profileDBHits(t, s, q[1], p)}
	}

	start = time.Now()
	s2, err := Open(t.Context(), testConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(t.Context())
	t.Logf("migration on open: %v", time.Since(start).Round(time.Second))

	for name, pq := range provenanceQueries(t, claimant, source, disputed) {
		profileDBHits(t, s, pq.page, pq.pageParams)
		page, count := profileDBHits(t, s, pq.page, pq.pageParams), profileDBHits(t, s, pq.count, pq.countParams)
		n := 0
		if _, err := readTx(t.Context(), s, "count", func(tx neo4j.ManagedTransaction) (struct{}, error) {
			n, err = runCount(t.Context(), tx, pq.count, pq.countParams)
			return struct{}{}, err
		}); err != nil {
			t.Fatal(err)
		}
		b := before[name]
		t.Logf("%-28s answer %5d: before page %9d count %9d db hits; after page %6d count %6d", name, n, b[0], b[1], page, count)
	}
}
