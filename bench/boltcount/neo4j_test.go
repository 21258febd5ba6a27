package boltcount

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg/neo4j/neo4jtest"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// TestProxyCountsRealDriver puts the proxy between the Go driver and the test Neo4j and checks
// the counts of a managed transaction with two statements and an auto-commit query. It only
// reads, so it needs no empty database.
func TestProxyCountsRealDriver(t *testing.T) {
	cfg := neo4jtest.Config(t)
	target := strings.TrimPrefix(strings.TrimPrefix(cfg.URI, "bolt://"), "neo4j://")
	p, err := Listen("127.0.0.1:0", target, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	driver, err := neo4j.NewDriverWithContext("bolt://"+p.Addr(), neo4j.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	if err := driver.VerifyConnectivity(ctx); err != nil {
		t.Fatal(err)
	}
	before := p.Counts()
	sess := driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: cfg.Database})
	defer sess.Close(ctx)
	for range 3 {
		_, err = neo4j.ExecuteRead(ctx, sess, func(tx neo4j.ManagedTransaction) (int, error) {
			for _, q := range []string{"RETURN 1 AS x", "RETURN 2 AS x"} {
				res, err := tx.Run(ctx, q, nil)
				if err != nil {
					return 0, err
				}
				if _, err := res.Collect(ctx); err != nil {
					return 0, err
				}
			}
			return 0, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	res, err := sess.Run(ctx, "RETURN 3 AS x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := p.Counts().Sub(before), (Counts{Runs: 7, Transactions: 4}); got != want {
		t.Errorf("counts: got %+v, want %+v", got, want)
	}
}
