package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Names of the schema objects queries rely on.
const (
	fulltextIndex = "entity_fulltext"
	searchTextIdx = "entity_search_text"
)

// schemaStatements are the constraints and indexes, each idempotent (IF NOT EXISTS), so
// migrating an up-to-date database changes nothing.
func schemaStatements() []string {
	stmts := []string{
		// Public ids are unique; the constraints' backing indexes make every lookup by id an
		// index seek.
		"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
		"CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE",
		"CREATE CONSTRAINT write_lock_name IF NOT EXISTS FOR (l:WriteLock) REQUIRE l.name IS UNIQUE",
		// The statement node of each relation (provenance.go) shares the relation's id.
		"CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (c:Claim) REQUIRE c.id IS UNIQUE",
		"CREATE CONSTRAINT migration_name IF NOT EXISTS FOR (m:Migration) REQUIRE m.name IS UNIQUE",
		// History (history.go): the change log node is unique by name; revisions are found by
		// sequence number (feeds), by object id in sequence order (history, asOf) and by time
		// (retention).
		"CREATE CONSTRAINT change_log_name IF NOT EXISTS FOR (c:ChangeLog) REQUIRE c.name IS UNIQUE",
		"CREATE CONSTRAINT revision_seq IF NOT EXISTS FOR (r:Revision) REQUIRE r.seq IS UNIQUE",
		"CREATE INDEX revision_id_seq IF NOT EXISTS FOR (r:Revision) ON (r.id, r.seq)",
		"CREATE INDEX revision_at IF NOT EXISTS FOR (r:Revision) ON (r.at)",
		"CREATE INDEX entity_kind IF NOT EXISTS FOR (n:Entity) ON (n.kind)",
		// NAME order sorts on nameKey, an encoding of the folded name (kg.Fold, computed in
		// Go so both stores agree on every script) that Neo4j orders as Go does.
		"CREATE INDEX entity_name_key IF NOT EXISTS FOR (n:Entity) ON (n.nameKey)",
		// nameContains: a TEXT index answers CONTAINS on the folded name + aliases.
		"CREATE TEXT INDEX " + searchTextIdx + " IF NOT EXISTS FOR (n:Entity) ON (n.searchText)",
		// search: Lucene over the folded names/aliases and the description. A full-text
		// index reads only string properties, hence searchText rather than the aliases list.
		"CREATE FULLTEXT INDEX " + fulltextIndex + " IF NOT EXISTS FOR (n:Entity) ON EACH [n.searchText, n.description]",
	}
	// Relationship property indexes are per type in Neo4j: a uniqueness constraint on id
	// (Neo4j 5.7+, community edition included) and a range index on the time key t.
	for _, t := range kg.RelationTypes {
		rt := mustRelType(t)
		lower := strings.ToLower(rt)
		stmts = append(stmts,
			fmt.Sprintf("CREATE CONSTRAINT rel_%s_id IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE", lower, rt),
			fmt.Sprintf("CREATE INDEX rel_%s_t IF NOT EXISTS FOR ()-[r:%s]-() ON (r.t)", lower, rt),
		)
	}
	return stmts
}

// migrate creates the constraints and indexes that are missing and waits until every index
// is online. Schema changes cannot share a transaction with other statements, so each runs
// in its own.
func (s *Store) migrate(ctx context.Context) error {
	for _, stmt := range schemaStatements() {
		_, err := writeTx(ctx, s, "migrate", func(tx neo4j.ManagedTransaction) (struct{}, error) {
			res, err := tx.Run(ctx, stmt, nil)
			if err == nil {
				_, err = res.Consume(ctx)
			}
			return struct{}{}, err
		})
		if err != nil && !equivalentSchemaExists(err) {
			return fmt.Errorf("neo4j: migrate: %s: %w", stmt, err)
		}
	}
	// db.awaitIndexes blocks until populating indexes are online, so the first query after
	// Open can use them (a query planned while an index populates would scan instead).
	_, err := writeTx(ctx, s, "await indexes", func(tx neo4j.ManagedTransaction) (struct{}, error) {
		res, err := tx.Run(ctx, "CALL db.awaitIndexes(60)", nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		return struct{}{}, err
	})
	if err != nil {
		return fmt.Errorf("neo4j: migrate: %w", err)
	}
	s.log.Debug("neo4j schema up to date", "statements", len(schemaStatements()))
	return s.migrateProvenance(ctx, migrateBatch)
}

// equivalentSchemaExists reports the error two processes migrating at once can get: the
// other one created the same constraint or index between our IF NOT EXISTS check and ours.
func equivalentSchemaExists(err error) bool {
	var ne *neo4j.Neo4jError
	if !errors.As(err, &ne) {
		return false
	}
	switch ne.Code {
	case "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
		"Neo.ClientError.Schema.ConstraintAlreadyExists",
		"Neo.ClientError.Schema.IndexAlreadyExists":
		return true
	}
	return false
}

// DeleteAll deletes every node and relationship in the database, leaving the schema. It is
// for tests, which share one database and start each case empty.
func (s *Store) DeleteAll(ctx context.Context) error {
	_, err := writeTx(ctx, s, "delete all", func(tx neo4j.ManagedTransaction) (struct{}, error) {
		res, err := tx.Run(ctx, "MATCH (n) DETACH DELETE n", nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		return struct{}{}, err
	})
	return err
}
