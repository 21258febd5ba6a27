// Package neo4jtest opens the real Neo4j that tests run against (tools/neo4j/start.sh), for
// the tests of packages above the store (the API, the seed loader).
package neo4jtest

import (
	"context"
	"os"
	"testing"
	"time"

	neo4jstore "github.com/factgraph/factgraph/kg/neo4j"
)

// Config reads FACTGRAPH_TEST_NEO4J_URI, _USER, _PASSWORD and _DATABASE: test-only names, because
// the tests wipe the database and a user's own NEO4J_URI must never be it. Without the URI
// it skips the test on a developer's machine and fails it in CI (CI=true), where a skipped
// Neo4j test would pass unnoticed.
func Config(t testing.TB) neo4jstore.Config {
	t.Helper()
	uri := os.Getenv("FACTGRAPH_TEST_NEO4J_URI")
	if uri == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("FACTGRAPH_TEST_NEO4J_URI not set: CI must run against a real Neo4j")
		}
		t.Skip("FACTGRAPH_TEST_NEO4J_URI not set: `make test` starts a throwaway Neo4j and sets it; by hand: " +
			"make neo4j-start, then export FACTGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:7687 FACTGRAPH_TEST_NEO4J_PASSWORD=factgraph-dev")
	}
	get := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	return neo4jstore.Config{
		URI: uri, User: get("FACTGRAPH_TEST_NEO4J_USER", "neo4j"), Password: get("FACTGRAPH_TEST_NEO4J_PASSWORD", "factgraph-dev"),
		Database: os.Getenv("FACTGRAPH_TEST_NEO4J_DATABASE"),
	}
}

// OpenEmpty opens the test database, wipes it, and closes it when the test ends. Test
// binaries share the one database, so scripts/test.sh runs packages one at a time (-p 1).
// A configured but unreachable database fails the test; it never skips.
func OpenEmpty(t testing.TB) *neo4jstore.Store {
	t.Helper()
	cfg := Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := neo4jstore.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatalf("open Neo4j at %s: %v", cfg.URI, err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	if err := s.DeleteAll(ctx); err != nil {
		t.Fatalf("wipe Neo4j: %v", err)
	}
	return s
}
