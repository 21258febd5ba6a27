package neo4jstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Provenance as a graph (docs/neo4j-model.md has the whole model and the Cypher to query it).
//
// A relation is stored twice over, in the same write transaction:
//
//   - the typed relationship (a)-[r:AGREED {id, status, claimedBy, sourceIds, disputes, ...}]->(b),
//     which every read of relations uses: a one-hop pattern, all properties on the edge;
//   - a statement node (c:Claim {id, type}) for the same id, with
//     (c)-[:SUBJECT]->(a), (c)-[:OBJECT]->(b), (claimant)-[:ASSERTS]->(c),
//     (c)-[:CITES]->(:Source) per source and (c)-[:DISPUTES]->(:Claim) per disputed relation.
//
// An entity's own sources are (:Entity)-[:CITES]->(:Source). Neo4j cannot point a relationship
// at a relationship, so the claim node is what provenance hangs off; the typed edge keeps
// claimedBy, sourceIds and disputes as properties too, so that reading a relation stays one
// relationship read. The provenance filters (claimedBy, source, disputes) and the deletes
// start from these relationships instead of scanning every edge's properties.
//
// The names here are fixed query text, not values: none of them is a relation type of
// kg.RelationTypes (TestProvenanceNamesAreNotRelationTypes), and every pattern that means
// "any relation" spells out kg.RelationTypes (relTypeAlternation), so no relation query ever
// sees a provenance relationship.

// provenanceRelTypes are the relationship types of the provenance graph, for the test that
// keeps them apart from the relation types.
var provenanceRelTypes = []string{"SUBJECT", "OBJECT", "ASSERTS", "CITES", "DISPUTES"}

// claimRow is what syncClaims writes for one relation.
func claimRow(r *kg.Relation) map[string]any {
	claimants := []string{}
	if r.ClaimedByID != "" {
		claimants = append(claimants, r.ClaimedByID)
	}
	sources, disputes := r.SourceIDs, r.DisputesIDs
	if sources == nil {
		sources = []string{}
	}
	if disputes == nil {
		disputes = []string{}
	}
	return map[string]any{
		"id": r.ID, "type": string(r.Type), "from": r.FromID, "to": r.ToID,
		"claimants": claimants, "sources": sources, "disputes": disputes,
	}
}

// syncClaimsQuery creates or rewires the claim node of each row: its old provenance
// relationships go and the current ones are created, so an update (new sources, another
// claimant, other ends) leaves exactly what the relation says. DISPUTES edges are written by
// linkDisputesQuery once every claim of the batch exists.
const syncClaimsQuery = `UNWIND $rows AS row
MERGE (c:Claim {id: row.id})
SET c.type = row.type
WITH c, row
CALL (c) {
  MATCH (c)-[p:SUBJECT|OBJECT|CITES|DISPUTES]->()
  DELETE p
}
CALL (c) {
  MATCH (c)<-[p:ASSERTS]-()
  DELETE p
}
WITH c, row
MATCH (a:Entity {id: row.from})
MATCH (b:Entity {id: row.to})
CREATE (c)-[:SUBJECT]->(a), (c)-[:OBJECT]->(b)
WITH c, row
CALL (c, row) {
  UNWIND row.claimants AS cid
  MATCH (x:Entity {id: cid})
  CREATE (x)-[:ASSERTS]->(c)
}
CALL (c, row) {
  UNWIND row.sources AS sid
  MATCH (s:Source {id: sid})
  CREATE (c)-[:CITES]->(s)
}
RETURN count(c) AS c`

const linkDisputesQuery = `UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
CALL (c, row) {
  UNWIND row.disputes AS did
  MATCH (d:Claim {id: did})
  CREATE (c)-[:DISPUTES]->(d)
}
RETURN count(c) AS c`

// syncClaims writes the provenance graph of relations just created or changed, in the
// caller's transaction (after the typed relationships, whose ends it shares).
func syncClaims(ctx context.Context, tx neo4j.ManagedTransaction, rels []*kg.Relation) error {
	if len(rels) == 0 {
		return nil
	}
	rows := make([]map[string]any, len(rels))
	for i, r := range rels {
		rows[i] = claimRow(r)
	}
	if err := writeRows(ctx, tx, syncClaimsQuery, rows); err != nil {
		return err
	}
	return writeRows(ctx, tx, linkDisputesQuery, rows)
}

// syncEntityCitations replaces the CITES relationships of entities just written with their
// current sources.
func syncEntityCitations(ctx context.Context, tx neo4j.ManagedTransaction, ents []*kg.Entity) error {
	if len(ents) == 0 {
		return nil
	}
	rows := make([]map[string]any, len(ents))
	for i, e := range ents {
		sources := e.SourceIDs
		if sources == nil {
			sources = []string{}
		}
		rows[i] = map[string]any{"id": e.ID, "sources": sources}
	}
	return writeRows(ctx, tx, `UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
CALL (n) {
  MATCH (n)-[p:CITES]->(:Source)
  DELETE p
}
CALL (n, row) {
  UNWIND row.sources AS sid
  MATCH (s:Source {id: sid})
  CREATE (n)-[:CITES]->(s)
}
RETURN count(n) AS c`, rows)
}

// deleteClaims deletes the claim nodes of deleted relations with their provenance
// relationships. Call removeFromDisputes first: it follows their incoming DISPUTES.
func deleteClaims(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := run(ctx, tx, "UNWIND $ids AS id MATCH (c:Claim {id: id}) DETACH DELETE c", map[string]any{"ids": ids})
	return err
}

// removeFromDisputes drops relation ids about to be deleted from the disputes lists of the
// relations that remain, so no relation points at one that is gone; those relations changed,
// so their updatedAt moves. The disputing claims are found by following DISPUTES backwards
// from the deleted ones, and their typed relationships by id (one index seek per type): the
// cost follows the number of disputes, not the size of the graph.
func removeFromDisputes(ctx context.Context, tx neo4j.ManagedTransaction, ids []string, t time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	recs, err := run(ctx, tx, `UNWIND $ids AS id
MATCH (:Claim {id: id})<-[:DISPUTES]-(d:Claim)
WHERE NOT d.id IN $ids
RETURN DISTINCT d.id AS id`, map[string]any{"ids": ids})
	if err != nil || len(recs) == 0 {
		return err
	}
	disputers := make([]string, len(recs))
	for i, rec := range recs {
		if disputers[i], err = recString(rec, "id"); err != nil {
			return err
		}
	}
	_, err = run(ctx, tx, "CALL () {\n"+relationsByIDQuery(nil, "$disputers")+"\n}\n"+
		`WITH r, [d IN coalesce(r.disputes, []) WHERE NOT d IN $ids] AS rest
SET r.disputes = CASE WHEN size(rest) = 0 THEN null ELSE rest END, r.updatedAt = $now`,
		map[string]any{"ids": ids, "disputers": disputers, "now": toNeoTime(t)})
	return err
}

// provenanceMatch is relationMatch's start for a filter whose most selective part is
// provenance: it binds a, r, b from the claims a claimant asserts, the claims citing a
// source, or the claims disputing given relations, and reaches each typed relationship from
// its claim's ends (an expand between two bound nodes, r.id = c.id). It returns "" when the
// filter has no provenance part.
func provenanceMatch(f *kg.RelationFilter, p params) (string, error) {
	alt, err := relTypeAlternation(f.Types)
	if err != nil {
		return "", err
	}
	var start string
	switch {
	case f.ClaimedByID != "":
		start = fmt.Sprintf("MATCH (claimant:Entity {id: %s})-[:ASSERTS]->(c:Claim) USING INDEX SEEK claimant:Entity(id)", p.add(f.ClaimedByID))
	case len(f.DisputesIDs) > 0:
		start = fmt.Sprintf("UNWIND %s AS did MATCH (disputed:Claim {id: did})<-[:DISPUTES]-(dc:Claim) USING INDEX SEEK disputed:Claim(id) WITH DISTINCT dc AS c", p.add(uniq(f.DisputesIDs)))
	case f.SourceID != "":
		start = fmt.Sprintf("MATCH (source:Source {id: %s})<-[:CITES]-(c:Claim) USING INDEX SEEK source:Source(id)", p.add(f.SourceID))
	default:
		return "", nil
	}
	return start + " MATCH (c)-[:SUBJECT]->(a) MATCH (c)-[:OBJECT]->(b) MATCH (a)-[r" + alt + "]->(b) WHERE r.id = c.id WITH a, r, b", nil
}

// migrationProvenance names the migration that builds the provenance graph of a database
// written before it existed; a :Migration node with this name records that it has run.
const migrationProvenance = "provenance-graph-1"

// migrateBatch is how many relationships (or entities) one migration transaction handles
// when the store opens.
const migrateBatch = 5000

// migrateProvenance brings a database written by a version without the provenance graph up to
// it: a claim node with SUBJECT, OBJECT, ASSERTS and CITES for every relationship, then
// DISPUTES, then CITES for every entity's sources. Each batch is one transaction of MERGEs, so
// the migration is idempotent: an interrupted run is finished by the next start, and a run
// over migrated data changes nothing. The marker node makes later starts skip it.
func (s *Store) migrateProvenance(ctx context.Context, batch int) error {
	done, err := writeTx(ctx, s, "migrate provenance", func(tx neo4j.ManagedTransaction) (bool, error) {
		recs, err := run(ctx, tx, "MATCH (m:Migration {name: $name}) RETURN m.name AS name", map[string]any{"name": migrationProvenance})
		return len(recs) > 0, err
	})
	if err != nil || done {
		return err
	}
	start := time.Now()
	present, entityCount, err := s.migrationCounts(ctx)
	if err != nil {
		return err
	}
	claims, disputes := 0, 0
	for _, t := range present {
		rt := mustRelType(t)
		n, err := s.migrateKeyset(ctx, batch, "MATCH (a)-[r:"+rt+"]->(b) WHERE r.id > $after WITH a, r, b ORDER BY r.id LIMIT $batch"+`
MERGE (c:Claim {id: r.id})
SET c.type = $type
MERGE (c)-[:SUBJECT]->(a)
MERGE (c)-[:OBJECT]->(b)
WITH r, c
CALL (r, c) {
  MATCH (x:Entity {id: r.claimedBy})
  MERGE (x)-[:ASSERTS]->(c)
}
CALL (r, c) {
  UNWIND coalesce(r.sourceIds, []) AS sid
  MATCH (s:Source {id: sid})
  MERGE (c)-[:CITES]->(s)
}
RETURN r.id AS id`, map[string]any{"type": string(t)})
		if err != nil {
			return err
		}
		claims += n
	}
	// Every claim exists now, so DISPUTES can find the claims it points at.
	for _, t := range present {
		rt := mustRelType(t)
		n, err := s.migrateKeyset(ctx, batch, "MATCH ()-[r:"+rt+"]->() WHERE r.id > $after WITH r ORDER BY r.id LIMIT $batch"+`
CALL (r) {
  MATCH (c:Claim {id: r.id})
  UNWIND coalesce(r.disputes, []) AS did
  MATCH (d:Claim {id: did})
  MERGE (c)-[:DISPUTES]->(d)
}
RETURN r.id AS id`, nil)
		if err != nil {
			return err
		}
		disputes += n
	}
	entities := 0
	if entityCount > 0 {
		entities, err = s.migrateKeyset(ctx, batch, `MATCH (n:Entity) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $batch
CALL (n) {
  UNWIND coalesce(n.sourceIds, []) AS sid
  MATCH (s:Source {id: sid})
  MERGE (n)-[:CITES]->(s)
}
RETURN n.id AS id`, nil)
		if err != nil {
			return err
		}
	}
	_, err = writeTx(ctx, s, "migrate provenance", func(tx neo4j.ManagedTransaction) (struct{}, error) {
		_, err := run(ctx, tx, "MERGE (m:Migration {name: $name}) ON CREATE SET m.at = datetime()", map[string]any{"name": migrationProvenance})
		return struct{}{}, err
	})
	if err != nil {
		return fmt.Errorf("neo4j: migrate provenance: %w", err)
	}
	s.log.Info("neo4j provenance graph migrated", "relations", claims, "relationsScannedForDisputes", disputes,
		"entities", entities, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// migrationCounts reads from Neo4j's count store, without scanning anything, which relation
// types have relationships and how many entities there are, so that the migration skips
// what is empty: on a new database it is one query and the marker. (Planning its batch
// queries for every type, 2 x 20 of them, took over a minute on a loaded machine.)
func (s *Store) migrationCounts(ctx context.Context) ([]kg.RelationType, int, error) {
	parts := make([]string, 0, len(kg.RelationTypes)+1)
	for _, t := range kg.RelationTypes {
		rt := mustRelType(t)
		parts = append(parts, "MATCH ()-[r:"+rt+"]->() RETURN '"+rt+"' AS t, count(r) AS n")
	}
	parts = append(parts, "MATCH (e:Entity) RETURN '' AS t, count(e) AS n")
	query := "CALL () {\n" + strings.Join(parts, "\nUNION ALL\n") + "\n}\nRETURN t, n"
	counts, err := readTx(ctx, s, "migrate provenance", func(tx neo4j.ManagedTransaction) (map[string]int, error) {
		recs, err := run(ctx, tx, query, nil)
		if err != nil {
			return nil, err
		}
		out := make(map[string]int, len(recs))
		for _, rec := range recs {
			t, err := recString(rec, "t")
			if err != nil {
				return nil, err
			}
			if out[t], err = recInt(rec, "n"); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("neo4j: migrate provenance: %w", err)
	}
	var present []kg.RelationType
	for _, t := range kg.RelationTypes {
		if counts[string(t)] > 0 {
			present = append(present, t)
		}
	}
	return present, counts[""], nil
}

// migrateKeyset runs query (which reads $after and $batch, handles the next $batch rows in
// id order and returns their ids as id) batch after batch, each in its own transaction, until a batch comes back
// short. It returns how many rows it handled.
func (s *Store) migrateKeyset(ctx context.Context, batch int, query string, p map[string]any) (int, error) {
	after, total := "", 0
	for {
		args := map[string]any{"after": after, "batch": int64(batch)}
		for k, v := range p {
			args[k] = v
		}
		ids, err := writeTx(ctx, s, "migrate provenance", func(tx neo4j.ManagedTransaction) ([]string, error) {
			recs, err := run(ctx, tx, query, args)
			if err != nil {
				return nil, err
			}
			ids := make([]string, len(recs))
			for i, rec := range recs {
				if ids[i], err = recString(rec, "id"); err != nil {
					return nil, err
				}
			}
			return ids, nil
		})
		if err != nil {
			return total, fmt.Errorf("neo4j: migrate provenance: %w", err)
		}
		total += len(ids)
		if len(ids) < batch {
			return total, nil
		}
		for _, id := range ids { // rows after the writes need not keep the ORDER BY
			after = max(after, id)
		}
	}
}
