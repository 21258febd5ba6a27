package neo4jstore

import (
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/storetest"
)

// BenchmarkStore runs the read hot paths (storetest.Bench) on the test Neo4j (it wipes it):
// FACTGRAPH_TEST_NEO4J_URI=... go test -run '^$' -bench Store -benchmem ./kg/neo4j/
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) kg.Store { return openEmpty(b) })
}
