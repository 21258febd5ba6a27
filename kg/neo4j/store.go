// Package neo4jstore implements kg.Store over a Neo4j 5 database with the official Go driver.
//
// Entities are nodes labelled :Entity plus their kind's label, sources are :Source nodes, and
// relations are relationships whose type is the relation type. Every query runs in a managed
// transaction (ExecuteRead / ExecuteWrite, retried by the driver on transient errors) on the
// configured database; every value is a query parameter. Labels and relationship types cannot
// be parameters, so they come only from the allow-list in allowlist.go.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
)

// Config says which database to use.
type Config struct {
	// URI is a bolt:// (one server) or neo4j:// (routed cluster) address; +s / +ssc variants
	// turn on TLS.
	URI      string
	User     string
	Password string
	// Database is the database name; empty means the user's home database.
	Database string
	// RetryTime bounds how long a transaction is retried on transient errors (deadlocks, a
	// lost connection, a leader switch) before the call fails as unavailable; 0 means 5s.
	// Keep it below the server's request timeout, or callers see their deadline instead.
	RetryTime time.Duration
	// ConnectTimeout bounds Open's first contact with the database; 0 means 10s. A database
	// that accepts connections but never answers fails Open after it, with that as the cause.
	ConnectTimeout time.Duration
	// ProbeInterval is how often a store that found the database unreachable lets one call
	// through to see whether it is back; the others fail at once. 0 means 1s.
	ProbeInterval time.Duration
}

// Store is a kg.Store backed by Neo4j. It is safe for concurrent use.
type Store struct {
	driver    neo4j.DriverWithContext
	database  string
	bookmarks neo4j.BookmarkManager
	log       *slog.Logger
	breaker   *breaker
}

var _ kg.Store = (*Store)(nil)

// Open connects to Neo4j, checks that it answers, and brings the schema (constraints and
// indexes) up to date. A database that cannot be reached is a kg.ErrUnavailable error.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Store, error) {
	s, err := newStore(cfg, logger)
	if err != nil {
		return nil, err
	}
	connectTimeout := cfg.ConnectTimeout
	if connectTimeout <= 0 {
		connectTimeout = 10 * time.Second
	}
	cctx, cancel := context.WithTimeoutCause(ctx, connectTimeout, fmt.Errorf("no answer within %v", connectTimeout))
	defer cancel()
	if err := s.driver.VerifyConnectivity(cctx); err != nil {
		_ = s.driver.Close(context.WithoutCancel(ctx))
		// This error is for the operator starting the server: say why, not just "unavailable".
		cause := err
		if cctx.Err() != nil {
			cause = context.Cause(cctx)
		}
		return nil, fmt.Errorf("%w: %v", kg.Unavailable(err), cause)
	}
	if err := s.migrate(ctx); err != nil {
		_ = s.driver.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	s.log.Info("neo4j store ready", "uri", RedactURI(cfg.URI), "database", cfg.Database)
	return s, nil
}

// newStore creates the driver without contacting the server.
func newStore(cfg Config, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.URI == "" {
		return nil, errors.New("neo4j: no URI configured")
	}
	retry := cfg.RetryTime
	if retry <= 0 {
		retry = 5 * time.Second
	}
	probe := cfg.ProbeInterval
	if probe <= 0 {
		probe = DefaultProbeInterval
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""),
		func(c *config.Config) {
			c.MaxTransactionRetryTime = retry
			// A pool connection, new or idle, within 5s; a TCP connect within 1s (a local
			// network or a cluster's; a refused one fails at once anyway).
			c.ConnectionAcquisitionTimeout = 5 * time.Second
			c.SocketConnectTimeout = time.Second
		})
	if err != nil {
		return nil, fmt.Errorf("neo4j: create driver for %s: %w", RedactURI(cfg.URI), err)
	}
	s := &Store{
		driver:   driver,
		database: cfg.Database,
		// One bookmark manager for the store gives read-your-writes across the sessions of
		// separate calls, also when reads are routed to another cluster member.
		bookmarks: neo4j.NewBookmarkManager(neo4j.BookmarkManagerConfig{}),
		log:       logger,
	}
	s.breaker = &breaker{interval: probe, log: logger, probe: driver.VerifyConnectivity}
	return s, nil
}

// RedactURI drops any user:password@ part of a URI, for logs and error messages.
func RedactURI(uri string) string {
	if i := strings.Index(uri, "://"); i >= 0 {
		if j := strings.LastIndex(uri, "@"); j > i {
			return uri[:i+3] + uri[j+1:]
		}
	}
	return uri
}

// Ping checks that the database can be reached. While it is known to be down, Ping fails at
// once except once per probe interval, when it looks again.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.breaker.allow(ctx); err != nil {
		return s.mapErr("ping", err)
	}
	err := s.driver.VerifyConnectivity(ctx)
	s.breaker.record(err)
	return s.mapErr("ping", err)
}

// deadlineErr makes a failure that came with the caller's context ending a context error:
// the driver reports a deadline hit while waiting on the socket as a ConnectivityError, which
// would otherwise read as "database unreachable" (UNAVAILABLE, and the breaker opening).
func deadlineErr(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: %v", ctx.Err(), err)
}

// txConfig gives a transaction the time left to the caller: Neo4j then stops the query
// itself when the request's deadline passes, rather than running on for nobody.
func txConfig(ctx context.Context) []func(*neo4j.TransactionConfig) {
	if d, ok := ctx.Deadline(); ok {
		return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(max(time.Until(d), time.Millisecond))}
	}
	return nil
}

// Close closes the driver and its connections.
func (s *Store) Close(ctx context.Context) error {
	return s.driver.Close(ctx)
}

// session opens a session that waits for the request's bookmarks (kg.Consistency, sent by
// a client that wrote through another process) as well as for this process's own writes
// (the store's bookmark manager).
func (s *Store) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	return s.driver.NewSession(ctx, neo4j.SessionConfig{
		AccessMode:      mode,
		DatabaseName:    s.database,
		BookmarkManager: s.bookmarks,
		Bookmarks:       neo4j.BookmarksFromRawValues(kg.ConsistencyFrom(ctx).After()...),
	})
}

// readTx runs work in a managed read transaction, retried by the driver on transient errors.
func readTx[T any](ctx context.Context, s *Store, op string, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	if err := s.breaker.allow(ctx); err != nil {
		var zero T
		return zero, s.mapErr(op, err)
	}
	sess := s.session(ctx, neo4j.AccessModeRead)
	defer sess.Close(context.WithoutCancel(ctx))
	v, err := neo4j.ExecuteRead(ctx, sess, work, txConfig(ctx)...)
	err = deadlineErr(ctx, err)
	s.breaker.record(err)
	if err != nil {
		var zero T
		return zero, s.mapErr(op, err)
	}
	return v, nil
}

// writeTx runs work in a managed write transaction. The driver retries the whole function on
// transient errors (deadlocks, leader changes), so work must not have effects outside the
// transaction; it also retries a uniqueness violation, which means a concurrent call created
// the same id between our read and our write (see retryOnConstraint).
func writeTx[T any](ctx context.Context, s *Store, op string, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	if err := s.breaker.allow(ctx); err != nil {
		var zero T
		return zero, s.mapErr(op, err)
	}
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	v, err := neo4j.ExecuteWrite(ctx, sess, func(tx neo4j.ManagedTransaction) (T, error) {
		v, err := work(tx)
		return v, retryOnConstraint(err)
	}, txConfig(ctx)...)
	err = deadlineErr(ctx, err)
	s.breaker.record(err)
	if err != nil {
		var zero T
		return zero, s.mapErr(op, err)
	}
	// The client may send these back through any process to read this write (kg.Consistency).
	kg.ConsistencyFrom(ctx).AddWritten(neo4j.BookmarksToRawValues(sess.LastBookmarks()))
	return v, nil
}

const codeConstraintViolation = "Neo.ClientError.Schema.ConstraintValidationFailed"

// retryOnConstraint marks a uniqueness violation retriable. Upserts read the ids first and
// CREATE only those that did not exist, so a violation can only come from a concurrent
// transaction that created the same id in between; re-running the function sees it and
// updates instead. The driver gives up after MaxTransactionRetryTime.
func retryOnConstraint(err error) error {
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && ne.Code == codeConstraintViolation {
		ne.MarkRetriable()
	}
	return err
}

// mapErr turns driver errors into domain errors: unreachable database → kg.Unavailable,
// uniqueness violation → kg.Conflict; domain errors pass through; anything else is wrapped
// with the operation for the logs.
func (s *Store) mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *kg.Error
	var fe *kg.FieldErrors
	if errors.As(err, &de) || errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, errKnownDown) {
		return kg.Unavailable(err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("neo4j: %s: %w", op, err)
	}
	var timedOut *neo4j.Neo4jError
	if errors.As(err, &timedOut) && strings.HasPrefix(timedOut.Code, "Neo.ClientError.Transaction.TransactionTimedOut") {
		// The transaction timeout is the request's deadline (txConfig): report it as such.
		return fmt.Errorf("neo4j: %s: %w: %w", op, context.DeadlineExceeded, err)
	}
	wrapped := fmt.Errorf("neo4j: %s: %w", op, err)
	var lim *neo4j.TransactionExecutionLimit
	if errors.As(err, &lim) {
		// Retries ran out. If the last failure was a uniqueness violation, concurrent
		// writers kept creating the same ids; otherwise the database kept failing.
		if n := len(lim.Errors); n > 0 {
			var ne *neo4j.Neo4jError
			if errors.As(lim.Errors[n-1], &ne) && ne.Code == codeConstraintViolation {
				return &kg.Error{Code: kg.CodeConflict, Message: "a concurrent write to the same ids kept conflicting; try again", Err: wrapped}
			}
		}
		return kg.Unavailable(wrapped)
	}
	if unavailable(err) {
		return kg.Unavailable(wrapped)
	}
	if ne := (*neo4j.Neo4jError)(nil); errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.Transaction.InvalidBookmark") {
		return kg.Invalid("bookmark", "is not a bookmark of this database")
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) && ne.Code == codeConstraintViolation {
		// ne.Msg names internal node ids: it goes to the log (Err), not to the client.
		return &kg.Error{Code: kg.CodeConflict, Message: "the write conflicts with the current graph (a uniqueness constraint); try again", Err: wrapped}
	}
	return wrapped
}

// unavailable reports whether err means the database cannot be reached or cannot serve now.
func unavailable(err error) bool {
	var ce *neo4j.ConnectivityError
	if errors.As(err, &ce) {
		return true
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		switch {
		case strings.HasPrefix(ne.Code, "Neo.TransientError."),
			ne.Code == "Neo.ClientError.Cluster.NotALeader",
			ne.Code == "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
			ne.Code == "Neo.ClientError.Database.DatabaseNotFound",
			ne.Code == "Neo.DatabaseError.General.DatabaseUnavailable":
			return true
		}
		return false
	}
	var nerr net.Error
	return errors.As(err, &nerr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
