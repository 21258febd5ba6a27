package main

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/seed"
)

func TestFlagsFallBackToEnv(t *testing.T) {
	env := map[string]string{"FACTGRAPH_ADDR": ":9999", "NEO4J_URI": "neo4j://db:7687", "NEO4J_PASSWORD": "pw", "FACTGRAPH_CORS_ORIGINS": "https://a.example"}
	c, err := parseFlags([]string{"-neo4j-database", "facts"}, func(k string) string { return env[k] }, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":9999" || c.neo4j.URI != "neo4j://db:7687" || c.neo4j.Password != "pw" || c.neo4j.Database != "facts" ||
		c.neo4j.User != "neo4j" || c.origins != "https://a.example" || c.dataPath != "" {
		t.Errorf("config = %+v", c)
	}
	c, _ = parseFlags([]string{"-addr", ":1"}, func(k string) string { return env[k] }, os.Stderr)
	if c.addr != ":1" {
		t.Errorf("a flag must win over its env var: %q", c.addr)
	}
}

func TestSeedsOnlyAnEmptyStore(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	log := discard()
	if err := seedIfEmpty(ctx, s, log); err != nil {
		t.Fatal(err)
	}
	b, err := seed.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats(ctx, kg.StatsQuery{})
	if st.Entities != len(b.Entities) || st.Relations != len(b.Relations) || st.Sources != len(b.Sources) {
		t.Fatalf("seeded %+v, the seed has %d entities, %d relations, %d sources", st, len(b.Entities), len(b.Relations), len(b.Sources))
	}
	if _, err := s.DeleteEntity(ctx, "event:2025-03-19-trump-zelenskyy-call", true); err != nil {
		t.Fatal(err)
	}
	if err := seedIfEmpty(ctx, s, log); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stats(ctx, kg.StatsQuery{}); st.Entities != len(b.Entities)-1 {
		t.Errorf("a non-empty store was seeded again: %+v", st)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
