package seed_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg"
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

// TestNeo4jModelDocNamesEveryType checks that docs/neo4j-model.md lists every relation type
// and every kind label the store writes, so a type added to kg cannot be left out of it.
func TestNeo4jModelDocNamesEveryType(t *testing.T) {
	doc, err := os.ReadFile("../docs/neo4j-model.md")
	if err != nil {
		t.Fatal(err)
	}
	types := regexp.MustCompile("(?s)Types \\(kg.RelationTypes\\): (.*?)\\. Always").FindSubmatch(doc)
	labels := regexp.MustCompile("(?s)Kind labels: (.*?) \\(kg.EntityKinds").FindSubmatch(doc)
	if types == nil || labels == nil {
		t.Fatal("docs/neo4j-model.md has no \"Types (kg.RelationTypes): ...\" or \"Kind labels: ...\" list")
	}
	listed := func(list []byte) []string {
		return regexp.MustCompile("`:?([A-Za-z_]+)`").FindAllString(string(list), -1)
	}
	for _, rt := range kg.RelationTypes {
		if !slices.Contains(listed(types[1]), "`"+string(rt)+"`") {
			t.Errorf("relation type %s is missing from the list of relation types", rt)
		}
	}
	if n := len(listed(types[1])); n != len(kg.RelationTypes) {
		t.Errorf("the doc lists %d relation types, kg has %d", n, len(kg.RelationTypes))
	}
	for _, k := range kg.EntityKinds {
		if !slices.Contains(listed(labels[1]), "`:"+k.Label()+"`") {
			t.Errorf("kind label :%s is missing from the list of kind labels", k.Label())
		}
	}
}
