package neo4jstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// A query still running at the request's deadline is stopped by Neo4j itself (the
// transaction timeout is the time left), and the caller sees a deadline error, which the API
// reports as TIMEOUT.
func TestTransactionsStopAtTheDeadline(t *testing.T) {
	s := openEmpty(t)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := readTx(ctx, s, "slow", func(tx neo4j.ManagedTransaction) (int64, error) {
		res, err := tx.Run(ctx, "UNWIND range(1, 2000000000) AS x RETURN count(x) AS n", nil)
		if err != nil {
			return 0, err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return 0, err
		}
		n, _ := rec.Get("n")
		return n.(int64), nil
	})
	t.Logf("after %v: %v (%v)", time.Since(start).Round(time.Millisecond), err, errors.Unwrap(err))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	// The work stops: Neo4j ends the transaction itself (its timeout is the time that was
	// left), so within moments no transaction runs the query any more.
	for wait := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		running, err := readTx(t.Context(), s, "show", func(tx neo4j.ManagedTransaction) (int, error) {
			res, err := tx.Run(t.Context(), "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS 'range(1, 2000000000)' AND NOT currentQuery STARTS WITH 'SHOW' RETURN count(*) AS n", nil)
			if err != nil {
				return 0, err
			}
			rec, err := res.Single(t.Context())
			if err != nil {
				return 0, err
			}
			n, _ := rec.Get("n")
			return int(n.(int64)), nil
		})
		if err != nil {
			t.Fatalf("SHOW TRANSACTIONS: %v", err)
		}
		if running == 0 {
			t.Logf("no transaction left running %v after the deadline", time.Since(wait).Round(time.Millisecond))
			break
		}
		if time.Since(wait) > 10*time.Second {
			t.Fatalf("the query still runs 10s after its deadline")
		}
	}
}
