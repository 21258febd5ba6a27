package seed_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg/neo4j/neo4jtest"
	"github.com/factgraph/factgraph/seed"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// TestNeo4jModelDocQueries loads the built-in seed into the real Neo4j and runs every Cypher
// example of docs/neo4j-model.md against it: each must run and answer at least one row, so
// the document cannot drift from the model.
func TestNeo4jModelDocQueries(t *testing.T) {
	doc, err := os.ReadFile("../docs/neo4j-model.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```cypher\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 5 {
		t.Fatalf("docs/neo4j-model.md has %d cypher examples, want the five common questions at least", len(blocks))
	}
	ctx := t.Context()
	s := neo4jtest.OpenEmpty(t)
	b, err := seed.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Apply(ctx, s, b, 100, nil); err != nil {
		t.Fatal(err)
	}
	cfg := neo4jtest.Config(t)
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(context.WithoutCancel(ctx))
	for _, m := range blocks {
		query := m[1]
		if strings.Contains(query, "$") { // the store's query shapes, not runnable examples
			continue
		}
		res, err := neo4j.ExecuteQuery(ctx, driver, query, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(cfg.Database), neo4j.ExecuteQueryWithReadersRouting())
		if err != nil {
			t.Errorf("%s\n: %v", query, err)
			continue
		}
		if len(res.Records) == 0 {
			t.Errorf("%s\n: no rows on the seed data", query)
			continue
		}
		t.Logf("%s-> %d rows, first %v", query, len(res.Records), res.Records[0].Values)
	}
}
