package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// DefaultProbeInterval is how often, while the database is known to be down, one caller is let
// through to find out whether it is back.
const DefaultProbeInterval = time.Second

// probeTimeout bounds that one look: a database that does not answer within it is still down.
const probeTimeout = time.Second

// errKnownDown is the cause of the errors a store returns without trying while it is down.
var errKnownDown = errors.New("neo4j: the database is unreachable")

// breaker remembers that the database is unreachable, so that requests fail at once with
// UNAVAILABLE instead of each waiting out the driver's connection and retry timeouts (13–16 s
// per request before it existed). While it is open, one caller per interval probes the
// database with a one-second connectivity check; the first success closes it again, so the
// store recovers by itself, and readiness (Ping) follows.
type breaker struct {
	interval time.Duration
	log      *slog.Logger
	probe    func(ctx context.Context) error

	mu        sync.Mutex
	down      bool
	lastProbe time.Time
}

// allow returns nil when the caller may use the database: it is up, or it is down and this
// caller's probe found it back. Otherwise it returns errKnownDown (or the probe's failure)
// within about probeTimeout.
func (b *breaker) allow(ctx context.Context) error {
	b.mu.Lock()
	if !b.down {
		b.mu.Unlock()
		return nil
	}
	if time.Since(b.lastProbe) < b.interval {
		b.mu.Unlock()
		return errKnownDown
	}
	b.lastProbe = time.Now()
	b.mu.Unlock()

	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	err := b.probe(pctx)
	b.record(err)
	if err == nil || ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%w: %w", errKnownDown, err)
}

// record notes how a call to the database went: a failure to reach it opens the breaker,
// any answer from it (even an error) closes it.
func (b *breaker) record(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return // the caller gave up (or a probe found no answer in time): nothing learnt
	}
	reached := err == nil || !unreachable(err)
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case reached && b.down:
		b.down = false
		b.log.Info("neo4j reachable again")
	case !reached && !b.down:
		b.down, b.lastProbe = true, time.Now()
		b.log.Warn("neo4j unreachable; failing requests at once until a probe reaches it", "err", err, "probe_interval", b.interval)
	}
}

// unreachable reports whether err says the database could not be reached at all (as opposed
// to a query error or a transient conflict, which the database itself reported).
func unreachable(err error) bool {
	var lim *neo4j.TransactionExecutionLimit
	if errors.As(err, &lim) && len(lim.Errors) > 0 {
		err = lim.Errors[len(lim.Errors)-1]
	}
	var ce *neo4j.ConnectivityError
	var nerr net.Error
	var ne *neo4j.Neo4jError
	switch {
	case errors.As(err, &ce), errors.As(err, &nerr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &ne):
		return ne.Code == "Neo.DatabaseError.General.DatabaseUnavailable"
	}
	return false
}
