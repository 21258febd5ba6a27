package embedded

import (
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/storetest"
)

// BenchmarkStore runs the read hot paths (storetest.Bench) on the in-memory store:
// go test -run '^$' -bench Store -benchmem ./kg/embedded/
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) kg.Store { return openT(b, "") })
}
