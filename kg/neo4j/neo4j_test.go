package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/db"
)

// These tests need a real Neo4j (tools/neo4j/start.sh runs one). They share one database, so
// they run serially and every open wipes it.

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// testConfig is the database under test, from FACTGRAPH_TEST_NEO4J_URI / _USER / _PASSWORD /
// _DATABASE (never the NEO4J_* a user points the server at: the tests wipe it). Without the URI the test is skipped on a developer machine and fails in CI,
// where a skipped store suite would pass unnoticed.
func testConfig(t testing.TB) Config {
	t.Helper()
	uri := os.Getenv("FACTGRAPH_TEST_NEO4J_URI")
	if uri == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("FACTGRAPH_TEST_NEO4J_URI not set: CI must run against a real Neo4j")
		}
		t.Skip("FACTGRAPH_TEST_NEO4J_URI not set: `make test` starts a throwaway Neo4j and sets it; by hand: " +
			"make neo4j-start, then export FACTGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:7687 FACTGRAPH_TEST_NEO4J_PASSWORD=factgraph-dev")
	}
	return Config{
		URI:      uri,
		User:     envOr("FACTGRAPH_TEST_NEO4J_USER", "neo4j"),
		Password: envOr("FACTGRAPH_TEST_NEO4J_PASSWORD", "factgraph-dev"),
		Database: os.Getenv("FACTGRAPH_TEST_NEO4J_DATABASE"),
	}
}

var shared struct {
	mu    sync.Mutex
	store *Store
	err   error // the first Open's failure, reported by every later test without retrying
}

// sharedStore opens the store once per test binary (migrations take a moment) and hands it
// out wiped. A configured but unreachable database fails the test: it never skips.
func sharedStore(t testing.TB) *Store {
	t.Helper()
	cfg := testConfig(t)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.store == nil && shared.err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		s, err := Open(ctx, cfg, nil)
		if err != nil {
			shared.err = fmt.Errorf("open Neo4j at %s: %w (cause: %v)", cfg.URI, err, errors.Unwrap(err))
		}
		shared.store = s
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.store
}

// openEmpty returns the shared store with the database wiped.
func openEmpty(t testing.TB) *Store {
	t.Helper()
	s := sharedStore(t)
	if err := s.DeleteAll(t.Context()); err != nil {
		t.Fatalf("wipe database: %v", err)
	}
	return s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.store != nil {
		_ = shared.store.Close(context.Background())
	}
	os.Exit(code)
}

func TestMigrationsIdempotent(t *testing.T) {
	s := openEmpty(t)
	ctx := t.Context()
	before := schemaNames(t, s)
	for range 2 {
		if err := s.migrate(ctx); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
	}
	after := schemaNames(t, s)
	if strings.Join(before, ",") != strings.Join(after, ",") {
		t.Errorf("schema changed on re-migration:\n before %q\n after  %q", before, after)
	}
	// Every relation type has its id constraint, and the search indexes exist.
	want := []string{"entity_id", "source_id", "entity_kind", "entity_name_key", searchTextIdx, fulltextIndex}
	for _, rt := range kg.RelationTypes {
		want = append(want, "rel_"+strings.ToLower(string(rt))+"_id")
	}
	have := map[string]bool{}
	for _, n := range after {
		have[n] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("schema object %q missing; have %q", w, after)
		}
	}
	// A second Open migrates an up-to-date database without error.
	s2, err := Open(ctx, testConfig(t), nil)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	_ = s2.Close(ctx)
}

// schemaNames lists the names of the online indexes; a constraint's backing index has the
// constraint's name.
func schemaNames(t *testing.T, s *Store) []string {
	t.Helper()
	names, err := readTx(t.Context(), s, "schema", func(tx neo4j.ManagedTransaction) ([]string, error) {
		recs, err := run(t.Context(), tx, "SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' RETURN name ORDER BY name", nil)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(recs))
		for i, rec := range recs {
			out[i], _ = recString(rec, "name")
		}
		return out, nil
	})
	if err != nil {
		t.Fatalf("SHOW INDEXES: %v", err)
	}
	return names
}

// TestUnreachableIsUnavailable needs no database, so it runs without a test database too.
func TestUnreachableIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	unreachable := Config{URI: "bolt://127.0.0.1:1", User: "neo4j", Password: "x", RetryTime: time.Second}
	_, err := Open(ctx, unreachable, nil)
	if !errors.Is(err, kg.ErrUnavailable) {
		t.Fatalf("Open(bolt://127.0.0.1:1) error = %v, want kg.ErrUnavailable", err)
	}
	if errors.Unwrap(err) == nil {
		t.Errorf("unavailable error %v does not keep its cause", err)
	}

	// A store whose database goes away: reads and writes fail as unavailable once the
	// driver's retries run out, and Ping says so at once.
	s, err := newStore(unreachable, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	start := time.Now()
	_, err = s.EntitiesByIDs(ctx, []string{"person:x"})
	if !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("EntitiesByIDs on an unreachable database: error = %v, want kg.ErrUnavailable", err)
	}
	_, _, err = s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:x", Title: "x"}})
	if !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("UpsertSources on an unreachable database: error = %v, want kg.ErrUnavailable", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, kg.ErrUnavailable) {
		t.Errorf("Ping on an unreachable database: error = %v, want kg.ErrUnavailable", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("failing took %v; RetryTime is 1s", d)
	}
}

// planOperators returns the operator names of a query's EXPLAIN plan, depth first.
func planOperators(t *testing.T, s *Store, query string, p map[string]any) []string {
	t.Helper()
	ops, err := readTx(t.Context(), s, "explain", func(tx neo4j.ManagedTransaction) ([]string, error) {
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
		var ops []string
		var walk func(*db.Plan)
		walk = func(pl *db.Plan) {
			// Operators carry a runtime suffix such as "@neo4j"; keep the bare name.
			op, _, _ := strings.Cut(pl.Operator, "@")
			ops = append(ops, op)
			for i := range pl.Children {
				walk(&pl.Children[i])
			}
		}
		walk(root)
		return ops, nil
	})
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", query, err)
	}
	return ops
}

// rawPlan digs the driver's parsed plan out of its neo4j.Plan wrapper. The wrapper's
// Children() is unusable for plans with branches: the driver module is built with go 1.18
// loop semantics and takes the address of its range variable, so every child it returns is
// the last one (Apply and UNION plans lose their first branch). The parsed db.Plan itself is
// correct.
func rawPlan(p neo4j.Plan) (*db.Plan, error) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("plan is %T, not a pointer to the driver's plan struct", p)
	}
	f := v.Elem().FieldByName("plan")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*db.Plan)(nil)) {
		return nil, fmt.Errorf("the driver's plan struct (%T) has no plan *db.Plan field any more", p)
	}
	return (*db.Plan)(unsafe.Pointer(f.Pointer())), nil
}

// TestQueriesUseIndexes EXPLAINs the queries the store runs (built by the same functions) and
// checks that each starts from an index, not a scan of every node or relationship.
func TestQueriesUseIndexes(t *testing.T) {
	s := openEmpty(t)
	type plan struct {
		query string
		p     map[string]any
	}
	listing := func(t *testing.T, pq *pageQuery, err error) plan {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return plan{pq.page, pq.pageParams}
	}
	after := kg.RelationOrder{Field: kg.RelationOrderTime, Direction: kg.Asc}.Cursor(&kg.Relation{ID: "rel:x"})
	window := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	windowEnd := window.AddDate(0, 1, 0)
	cases := []struct {
		name  string
		plan  func(t *testing.T) plan
		want  string
		count int // how many times want must appear; 0 means at least once
	}{
		{"entity by id", func(*testing.T) plan { return plan{entitiesByIDQuery, map[string]any{"ids": []string{"person:x"}}} },
			"NodeUniqueIndexSeek", 0},
		{"relation by id: one seek per type", func(*testing.T) plan {
			return plan{fetchRelationsQuery, map[string]any{"ids": []string{"rel:x"}}}
		}, "DirectedRelationshipUniqueIndexSeek", len(kg.RelationTypes)},
		{"nameContains", func(t *testing.T) plan {
			pq, err := entitiesQuery(kg.EntityQuery{Filter: &kg.EntityFilter{NameContains: "Zelensk"}, First: 10})
			return listing(t, pq, err)
		}, "NodeIndexContainsScan", 0},
		{"kinds", func(t *testing.T) plan {
			pq, err := entitiesQuery(kg.EntityQuery{Filter: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindPerson}}, First: 10})
			return listing(t, pq, err)
		}, "NodeByLabelScan", 0}, // the kind's label, which the count counts too (not every entity)
		{"relations of an entity", func(t *testing.T) plan {
			pq, err := relationsQuery(kg.RelationQuery{Filter: &kg.RelationFilter{EntityID: "person:x"}, First: 10, After: after})
			return listing(t, pq, err)
		}, "NodeUniqueIndexSeek", 0},
		{"relations from an entity", func(t *testing.T) plan {
			pq, err := relationsQuery(kg.RelationQuery{Filter: &kg.RelationFilter{FromID: "person:x"}, First: 10})
			return listing(t, pq, err)
		}, "NodeUniqueIndexSeek", 0},
		{"relations by ids", func(t *testing.T) plan {
			pq, err := relationsQuery(kg.RelationQuery{Filter: &kg.RelationFilter{IDs: []string{"rel:x"}}, First: 10})
			return listing(t, pq, err)
		}, "DirectedRelationshipUniqueIndexSeek", len(kg.RelationTypes)},
		{"typed time window", func(t *testing.T) plan {
			pq, err := relationsQuery(kg.RelationQuery{Filter: &kg.RelationFilter{Types: []kg.RelationType{kg.RelAttacked}, OccurredFrom: &window}, First: 10})
			return listing(t, pq, err)
		}, "DirectedRelationshipIndexSeekByRange", 0},
		{"untyped time window: one range seek per type", func(t *testing.T) plan {
			pq, err := relationsQuery(kg.RelationQuery{Filter: &kg.RelationFilter{OccurredFrom: &window, OccurredTo: &windowEnd}, OrderBy: kg.NeighborOrder, First: 10, After: after})
			return listing(t, pq, err)
		}, "DirectedRelationshipIndexSeekByRange", len(kg.RelationTypes)},
		{"untyped time window by id, count", func(t *testing.T) plan {
			pq, err := relationsQuery(kg.RelationQuery{Filter: &kg.RelationFilter{OccurredFrom: &window, Statuses: []kg.ClaimStatus{kg.StatusConfirmed}}, First: 10})
			if err != nil {
				t.Fatal(err)
			}
			return plan{pq.count, pq.countParams}
		}, "DirectedRelationshipIndexSeekByRange", len(kg.RelationTypes)},
		{"neighbors", func(t *testing.T) plan {
			q, p, _, err := neighborsQuery(kg.NeighborQuery{EntityIDs: []string{"person:x", "person:y"}, First: 5})
			if err != nil {
				t.Fatal(err)
			}
			return plan{q, p}
		}, "NodeUniqueIndexSeek", 0},
		{"relations of several entities", func(t *testing.T) plan {
			pq, err := relationsQuery(kg.RelationQuery{Filter: &kg.RelationFilter{EntityIDs: []string{"person:x", "person:y"}, OccurredFrom: &window}, First: 10})
			return listing(t, pq, err)
		}, "NodeUniqueIndexSeek", 0},
		{"neighborhood level", func(t *testing.T) plan {
			nq, err := compileNeighborhood(&kg.NeighborhoodQuery{Types: []kg.RelationType{kg.RelAttacked}, Statuses: []kg.ClaimStatus{kg.StatusConfirmed}})
			if err != nil {
				t.Fatal(err)
			}
			return plan{nq.level, map[string]any{"frontier": []string{"person:x"}, "visited": []string{"person:x"}, "statuses": []string{"CONFIRMED"}, "limit": int64(10)}}
		}, "NodeUniqueIndexSeek", 0},
		{"neighborhood relations", func(t *testing.T) plan {
			nq, err := compileNeighborhood(&kg.NeighborhoodQuery{})
			if err != nil {
				t.Fatal(err)
			}
			return plan{nq.relations, map[string]any{"ids": []string{"person:x", "person:y"}, "eids": []string{"4:x:1", "4:x:2"}, "statuses": []string{}, "limit": int64(10)}}
		}, "NodeUniqueIndexSeek", 0},
		{"shortest paths: both ends seeked", func(t *testing.T) plan {
			q, err := shortestPathsQuery([]kg.RelationType{kg.RelAttacked, kg.RelAgreed}, 4)
			if err != nil {
				t.Fatal(err)
			}
			return plan{q, map[string]any{"from": "person:x", "to": "person:y", "scan": int64(pathScanCap), "limit": int64(1)}}
		}, "NodeUniqueIndexSeek", 2},
		{"degrees of some kinds", func(t *testing.T) plan {
			q, p, err := degreesQuery(&kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindPerson}, Direction: kg.DirectionBoth, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return plan{q, p}
		}, "NodeIndexSeek", 0},
		{"entities related to one entity", func(t *testing.T) plan {
			pq, err := entitiesQuery(kg.EntityQuery{Filter: &kg.EntityFilter{HasRelation: &kg.RelationPredicate{Types: []kg.RelationType{kg.RelPartyTo}, OtherID: "agreement:x"}}, First: 10})
			return listing(t, pq, err)
		}, "NodeUniqueIndexSeek", 0},
		{"stats of a related entity's relations", func(t *testing.T) plan {
			_, q, _, _, p, err := statsQueries(kg.StatsQuery{Relations: &kg.RelationFilter{EntityIDs: []string{"person:x"}}})
			if err != nil {
				t.Fatal(err)
			}
			return plan{q, p}
		}, "NodeUniqueIndexSeek", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pl := c.plan(t)
			ops := planOperators(t, s, pl.query, pl.p)
			n := 0
			for _, op := range ops {
				if op == c.want {
					n++
				}
			}
			if n == 0 || c.count > 0 && n != c.count {
				t.Errorf("plan uses %s %d times, want %d (0 = at least once): %q", c.want, n, c.count, ops)
			}
			for _, bad := range []string{"AllNodesScan", "NodeByLabelScan", "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan"} {
				// A kind listing scans its kind's label, which is its answer, not every entity.
				if slices.Contains(ops, bad) && bad != c.want {
					t.Errorf("plan scans (%s): %q", bad, ops)
				}
			}
		})
	}
}

func TestTimeRoundTripKeepsOffset(t *testing.T) {
	s := openEmpty(t)
	ctx := t.Context()
	zones := []*time.Location{
		time.UTC,
		time.FixedZone("EDT", -4*3600),
		time.FixedZone("", 5*3600+30*60),
		time.FixedZone("LMT", 2*3600+2*60+4), // an offset with seconds
	}
	if loc, err := time.LoadLocation("Europe/Kyiv"); err == nil {
		zones = append(zones, loc) // a named zone: kept as its offset at that instant
	}
	for i, z := range zones {
		at := time.Date(2025, 3, 18, 16, 30, 15, 123456789, z)
		in := kg.SourceInput{ID: "src:t" + string(rune('a'+i)), Title: "t", PublishedAt: &kg.Time{At: at, Precision: kg.PrecisionSecond, Note: "n"}}
		if _, _, err := s.UpsertSources(ctx, []kg.SourceInput{in}); err != nil {
			t.Fatalf("UpsertSources: %v", err)
		}
		got, err := kg.GetSource(ctx, s, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.PublishedAt.Equal(in.PublishedAt) {
			t.Errorf("%s: PublishedAt = %v, want %v (same instant and offset)", z, got.PublishedAt.At, at)
		}
		// Re-upserting what was read back is a no-op.
		_, c, err := s.UpsertSources(ctx, []kg.SourceInput{in})
		if err != nil || c.Unchanged != 1 {
			t.Errorf("%s: re-upsert = %+v, %v; want unchanged", z, c, err)
		}
	}
}

func TestSearchRanksZelenskyyFirst(t *testing.T) {
	s := openEmpty(t)
	ctx := t.Context()
	_, _, err := s.UpsertEntities(ctx, []kg.EntityInput{
		{ID: "person:volodymyr-zelenskyy", Kind: kg.KindPerson, Name: "Volodymyr Zelenskyy", Aliases: []string{"Зеленський"},
			Description: "President of Ukraine"},
		{ID: "person:olena-zelenska", Kind: kg.KindPerson, Name: "Olena Zelenska", Description: "Wife of Zelensky"},
		{ID: "country:ukraine", Kind: kg.KindCountry, Name: "Ukraine", Description: "Zelenskyy's country"},
		{ID: "person:vladimir-putin", Kind: kg.KindPerson, Name: "Vladimir Putin"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"zelensky", "Zelenskyy", "zelenskyi", "volodymyr zelensky", "Зеленський"} {
		hits, err := s.Search(ctx, kg.SearchQuery{Text: q, Limit: 5})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		if len(hits) == 0 || hits[0].Entity.ID != "person:volodymyr-zelenskyy" {
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.Entity.ID)
			}
			t.Errorf("Search(%q) = %q, want person:volodymyr-zelenskyy first", q, ids)
		}
	}
	// Lucene syntax in the text is escaped, not interpreted.
	for _, q := range []string{`zelensky"`, "zelensky AND (", "a:b", `\`, "putin~ OR *"} {
		if _, err := s.Search(ctx, kg.SearchQuery{Text: q, Limit: 5}); err != nil && !errors.Is(err, kg.ErrInvalidInput) {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
}
