package neo4jstore

import (
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/storetest"
)

// TestContract holds the Neo4j store to the contract every kg.Store passes. Every open wipes
// the shared database; the suite runs its subtests serially.
func TestContract(t *testing.T) {
	testConfig(t) // skip (or, in CI, fail) once here rather than in every subtest
	storetest.Run(t, func(t *testing.T) kg.Store { return openEmpty(t) })
}
