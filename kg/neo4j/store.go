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
	// lost connection, a leader switch) before the call fails as unavailable; 0 means 10s.
	// Keep it below the server's request timeout, or callers see their deadline instead.
	RetryTime time.Duration
}

// Store is a kg.Store backed by Neo4j. It is safe for concurrent use.
type Store struct {
	driver    neo4j.DriverWithContext
	database  string
	bookmarks neo4j.BookmarkManager
	log       *slog.Logger
}

var _ kg.Store = (*Store)(nil)

// Open connects to Neo4j, checks that it answers, and brings the schema (constraints and
// indexes) up to date. A database that cannot be reached is a kg.ErrUnavailable error.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Store, error) {
	s, err := newStore(cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := s.driver.VerifyConnectivity(ctx); err != nil {
		_ = s.driver.Close(context.WithoutCancel(ctx))
		return nil, s.mapErr("connect to "+RedactURI(cfg.URI), err)
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
		retry = 10 * time.Second
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""),
		func(c *config.Config) {
			c.MaxTransactionRetryTime = retry
			c.ConnectionAcquisitionTimeout = 30 * time.Second
		})
	if err != nil {
		return nil, fmt.Errorf("neo4j: create driver for %s: %w", RedactURI(cfg.URI), err)
	}
	return &Store{
		driver:   driver,
		database: cfg.Database,
		// One bookmark manager for the store gives read-your-writes across the sessions of
		// separate calls, also when reads are routed to another cluster member.
		bookmarks: neo4j.NewBookmarkManager(neo4j.BookmarkManagerConfig{}),
		log:       logger,
	}, nil
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

// Ping checks that the database can be reached.
func (s *Store) Ping(ctx context.Context) error {
	return s.mapErr("ping", s.driver.VerifyConnectivity(ctx))
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
	sess := s.session(ctx, neo4j.AccessModeRead)
	defer sess.Close(context.WithoutCancel(ctx))
	v, err := neo4j.ExecuteRead(ctx, sess, work)
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
	sess := s.session(ctx, neo4j.AccessModeWrite)
	defer sess.Close(context.WithoutCancel(ctx))
	v, err := neo4j.ExecuteWrite(ctx, sess, func(tx neo4j.ManagedTransaction) (T, error) {
		v, err := work(tx)
		return v, retryOnConstraint(err)
	})
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
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("neo4j: %s: %w", op, err)
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
