// Package storetest is the contract every kg.Store must pass. Each implementation's own test
// calls Run with a function that opens a fresh, empty store:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) kg.Store {
//			s := open(t) // an empty store
//			t.Cleanup(func() { s.Close(context.Background()) })
//			return s
//		})
//	}
//
// The suite asserts values, not merely the absence of errors: exact id sequences for every
// ordering and filter, exact round trips of every field (times keep their offset, precision and
// note), exact write counts, and all-or-nothing batches. Where kg/store.go leaves a choice open
// the suite says which behaviour it holds the stores to, next to the test.
//
// Subtests do not run in parallel: a store backed by one database (Neo4j) may hand every test
// the same database, wiped. For the same reason, within a group the subtests that share the
// group's store come first and those that open their own come last: an open may wipe what
// the group's store holds.
//
// Generate and WriteAll build a deterministic synthetic graph with hubs, which the suite checks
// the graph queries on (against a reference model of its own) and benchmarks may reuse.
package storetest

import (
	"testing"

	"github.com/factgraph/factgraph/kg"
)

// Opener opens a fresh, empty store for one test; the implementation registers its cleanup.
type Opener = func(t *testing.T) kg.Store

// Run runs the whole contract suite against the stores open makes.
func Run(t *testing.T, open func(t *testing.T) kg.Store) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, open) })
	t.Run("Upsert", func(t *testing.T) { testUpsert(t, open) })
	t.Run("Merge", func(t *testing.T) { testMerge(t, open) })
	t.Run("History", func(t *testing.T) { testHistory(t, open) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open) })
	t.Run("Validation", func(t *testing.T) { testValidation(t, open) })
	t.Run("EntityFilter", func(t *testing.T) { testEntityFilter(t, open) })
	t.Run("RelationFilter", func(t *testing.T) { testRelationFilter(t, open) })
	t.Run("Order", func(t *testing.T) { testOrder(t, open) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, open) })
	t.Run("Counts", func(t *testing.T) { testCounts(t, open) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, open) })
	t.Run("Neighbors", func(t *testing.T) { testNeighbors(t, open) })
	t.Run("Search", func(t *testing.T) { testSearch(t, open) })
	t.Run("Stats", func(t *testing.T) { testStats(t, open) })
	t.Run("StatsQuery", func(t *testing.T) { testStatsQuery(t, open) })
	t.Run("HasRelation", func(t *testing.T) { testHasRelation(t, open) })
	t.Run("RelationFilterEntities", func(t *testing.T) { testRelationFilterEntities(t, open) })
	t.Run("Neighborhood", func(t *testing.T) { testNeighborhood(t, open) })
	t.Run("ShortestPaths", func(t *testing.T) { testShortestPaths(t, open) })
	t.Run("Degrees", func(t *testing.T) { testDegrees(t, open) })
	t.Run("GeneratedGraph", func(t *testing.T) { testGeneratedGraph(t, open) })
	t.Run("Violations", func(t *testing.T) { testViolations(t, open) })
	t.Run("Timeline", func(t *testing.T) { testTimeline(t, open) })
	t.Run("Sources", func(t *testing.T) { testSources(t, open) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, open) })
	t.Run("NoAliasing", func(t *testing.T) { testNoAliasing(t, open) })
}
