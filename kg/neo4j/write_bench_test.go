package neo4jstore

import (
	"context"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg/storetest"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// BenchmarkWrites measures write throughput on a synthetic graph: each iteration wipes the
// database, creates 200 sources, 2,000 entities and 6,000 relations in batches of 1,000, then
// updates every entity once (a changed description, merged). It reports items written per
// second and, after the last iteration, the revisions held and the bytes of their JSON: the
// storage history costs. The same file runs on a build without history (0 revisions), which
// is how the README's before/after figures were taken.
func BenchmarkWrites(b *testing.B) {
	s := openEmpty(b)
	w := storetest.NewWriteWorkload()
	ctx := context.Background()
	var items int
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := s.DeleteAll(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n, err := w.Run(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		items += n
	}
	b.StopTimer()
	b.ReportMetric(float64(items)/elapsed.Seconds(), "items/s")
	ns, err := readTx(ctx, s, "revision size", func(tx neo4j.ManagedTransaction) ([2]int, error) {
		recs, err := run(ctx, tx, "MATCH (r:Revision) RETURN count(r) AS n, coalesce(sum(size(r.data)), 0) AS bytes", nil)
		if err != nil {
			return [2]int{}, err
		}
		n, err := recInt(recs[0], "n")
		if err != nil {
			return [2]int{}, err
		}
		bytes, err := recInt(recs[0], "bytes")
		return [2]int{n, bytes}, err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(ns[0]), "revisions")
	b.ReportMetric(float64(ns[1]), "revision-json-bytes")
}
