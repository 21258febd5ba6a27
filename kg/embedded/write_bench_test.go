package embedded_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/kg/storetest"
)

// BenchmarkWrites measures write throughput of a file-backed store on a synthetic graph: each
// iteration creates 200 sources, 2,000 entities and 6,000 relations in a new file in batches
// of 1,000, then updates every entity once (a changed description, merged). It reports items
// written per second and the bytes the file holds after the last iteration: the same file on a build
// without history gives the before figures in the README.
func BenchmarkWrites(b *testing.B) {
	w := storetest.NewWriteWorkload()
	ctx := context.Background()
	var items int
	var elapsed time.Duration
	var size int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "bench.db")
		s, err := embedded.Open(ctx, path)
		if err != nil {
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
		b.StopTimer()
		if err := s.Close(ctx); err != nil {
			b.Fatal(err)
		}
		if size, err = valueBytes(path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(items)/elapsed.Seconds(), "items/s")
	b.ReportMetric(float64(size), "stored-bytes")
}

// valueBytes sums the keys and values of every bucket of a bbolt file: what the store holds,
// without the free pages and the growth steps that make the file size coarse.
func valueBytes(path string) (int64, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				n += int64(len(k) + len(v))
				return nil
			})
		})
	})
	return n, err
}
