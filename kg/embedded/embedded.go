// Package embedded is the zero-setup kg.Store: the whole graph lives in memory in this process,
// optionally backed by a single bbolt file so that it survives restarts.
//
// It exists so that `go run ./cmd/factgraph` works on a machine with nothing else installed: no
// Neo4j, no Java, no Docker. It passes the same contract suite (kg/storetest) as the Neo4j
// store, so the API behaves the same on either; what it gives up is scale (everything is held
// in memory, sorted indexes are kept up to date on every write, and search scans every entity)
// and multi-process access (the file is locked by one process at a time).
//
// Reads take a shared lock and work on the in-memory maps. Writes are serialized: a call is
// validated completely, committed to the file in one bbolt transaction, and only then applied
// to memory, so an acknowledged write is on disk and a failed one changes nothing.
package embedded

import (
	"context"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/factgraph/factgraph/kg"
)

var _ kg.Store = (*Store)(nil)

// defaultLockTimeout bounds how long Open waits for another process to release the file: long
// enough to ride out a restart of the previous server, short enough that a second server
// started by mistake reports the problem instead of hanging.
const defaultLockTimeout = 2 * time.Second

// storeError is a constant-able error type, so the package needs no error variables.
type storeError string

func (e storeError) Error() string { return string(e) }

// errClosed is the cause behind the Unavailable error a closed store returns.
const errClosed storeError = "embedded store is closed"

// Option configures Open.
type Option func(*options)

type options struct {
	now         func() time.Time
	lockTimeout time.Duration
}

// WithClock sets the clock that stamps createdAt and updatedAt; tests use it to get
// predictable timestamps. The default is time.Now in UTC.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithLockTimeout sets how long Open waits for the file lock held by another process before it
// gives up. Zero or less means the default (2s); bbolt itself would wait forever.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.lockTimeout = d
		}
	}
}

// Store is the embedded kg.Store. Use Open to make one; it is safe for concurrent use.
type Store struct {
	// mu guards g and closed: reads share it, writes hold it exclusively from validation
	// through commit so that the references they checked cannot vanish before they land.
	mu     sync.RWMutex
	g      *graph
	h      *history
	closed bool

	db   *bolt.DB // nil for a purely in-memory store
	path string
	now  func() time.Time
}

// Open returns a store. With path "" the graph lives only in memory and is lost on Close;
// otherwise it is kept in the bbolt file at path (created if missing, with its directory) and
// loaded from it now. A file locked by another process is an error after the lock timeout.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{
		now:         func() time.Time { return time.Now().UTC() },
		lockTimeout: defaultLockTimeout,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &Store{g: newGraph(), h: newHistory(), path: path, now: o.now}
	if path == "" {
		return s, nil
	}
	db, g, h, err := openFile(path, o.lockTimeout)
	if err != nil {
		return nil, err
	}
	s.db, s.g, s.h = db, g, h
	return s, nil
}

// stamp is the time written as createdAt/updatedAt: the clock's reading without its monotonic
// part, in UTC, so that what is in memory equals what a reload reads back.
func (s *Store) stamp() time.Time { return s.now().Round(0).UTC() }

// rlock takes the read lock, failing if the store is closed or ctx is done. On success the
// caller must RUnlock.
func (s *Store) rlock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return kg.Unavailable(errClosed)
	}
	return nil
}

// lock is rlock for writers.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return kg.Unavailable(errClosed)
	}
	return nil
}

// Ping reports whether the store can serve requests: it can until it is closed.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rlock(ctx); err != nil {
		return err
	}
	s.mu.RUnlock()
	return nil
}

// Close closes the file. Later calls fail as unavailable; closing twice is not an error.
func (s *Store) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.g, s.h = newGraph(), newHistory() // let the memory go even if someone keeps the *Store
	if s.db != nil {
		return s.db.Close()
	}
	return nil
}

// EntitiesByIDs returns copies of the entities with these ids, in order; nil where missing.
func (s *Store) EntitiesByIDs(ctx context.Context, ids []string) ([]*kg.Entity, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := make([]*kg.Entity, len(ids))
	for i, id := range ids {
		if row := s.g.entities[id]; row != nil {
			out[i] = cloneEntity(row.e)
		}
	}
	return out, nil
}

// RelationsByIDs returns copies of the relations with these ids, in order; nil where missing.
func (s *Store) RelationsByIDs(ctx context.Context, ids []string) ([]*kg.Relation, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := make([]*kg.Relation, len(ids))
	for i, id := range ids {
		if row := s.g.relations[id]; row != nil {
			out[i] = cloneRelation(row.r)
		}
	}
	return out, nil
}

// SourcesByIDs returns copies of the sources with these ids, in order; nil where missing.
func (s *Store) SourcesByIDs(ctx context.Context, ids []string) ([]*kg.Source, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	out := make([]*kg.Source, len(ids))
	for i, id := range ids {
		if src := s.g.sources[id]; src != nil {
			out[i] = cloneSource(src)
		}
	}
	return out, nil
}
