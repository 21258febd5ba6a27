package embedded

import (
	"context"
	"encoding/binary"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/factgraph/factgraph/kg"
)

// History in the embedded store: revisions are numbered under the write lock and stored in
// the bbolt transaction of their change (bucket revisions, keyed by big-endian sequence
// number, each value kg.EncodeRevision's JSON), then kept in memory in that encoded form, so
// that every read decodes a fresh copy that no caller can alias.

const (
	bucketRevisions = "revisions"
	keySeq          = "seq"
	keyPrunedSeq    = "prunedSeq"
	keyHorizon      = "horizon"
)

// revRow is a stored revision: what feeds filter on, and the encoded revision.
type revRow struct {
	rev  kg.Revision // without state (Entity/Relation/Source nil): for filters
	data []byte
}

type objKey struct {
	object kg.ObjectType
	id     string
}

// history is the in-memory log. Guarded by Store.mu like the graph.
type history struct {
	rows      []*revRow // ascending by seq
	byObject  map[objKey][]*revRow
	seq       int64 // the last sequence number given
	prunedSeq int64 // the highest sequence number pruning removed
	horizon   time.Time
}

func newHistory() *history { return &history{byObject: map[objKey][]*revRow{}} }

func (h *history) add(row *revRow) {
	h.rows = append(h.rows, row)
	k := objKey{row.rev.Object, row.rev.ID}
	h.byObject[k] = append(h.byObject[k], row)
	h.seq = max(h.seq, row.rev.Seq)
}

// revise builds the revisions of c, numbered after the last one, in the order both stores
// use: written sources, entities and relations in the order of the change, then tombstones
// of relations (by id) and of entities. The caller holds the write lock; s.g is the state
// before c.
func (s *Store) revise(ctx context.Context, c *change) ([]*revRow, error) {
	writer := kg.WriterFrom(ctx)
	var revs []*kg.Revision
	add := func(r *kg.Revision, err error) error {
		if err == nil {
			revs = append(revs, r)
		}
		return err
	}
	for _, src := range c.sources {
		if err := add(kg.SourceRevision(c.at, writer, s.g.sources[src.ID], src)); err != nil {
			return nil, err
		}
	}
	for _, e := range c.entities {
		if err := add(kg.EntityRevision(c.at, writer, s.g.entity(e.ID), e)); err != nil {
			return nil, err
		}
	}
	for _, r := range c.relations {
		if err := add(kg.RelationRevision(c.at, writer, s.g.relation(r.ID), r)); err != nil {
			return nil, err
		}
	}
	for _, id := range slices.Sorted(slices.Values(c.deleteRelations)) {
		if err := add(kg.RelationRevision(c.at, writer, s.g.relation(id), nil)); err != nil {
			return nil, err
		}
	}
	for _, id := range c.deleteEntities {
		if err := add(kg.EntityRevision(c.at, writer, s.g.entity(id), nil)); err != nil {
			return nil, err
		}
	}
	rows := make([]*revRow, len(revs))
	for i, r := range revs {
		r.Seq = s.h.seq + int64(i) + 1
		data, err := kg.EncodeRevision(r)
		if err != nil {
			return nil, err
		}
		r.Entity, r.Relation, r.Source = nil, nil, nil
		rows[i] = &revRow{rev: *r, data: data}
	}
	return rows, nil
}

func seqKey(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

// putRevisions writes rows into the file's revisions bucket and moves the sequence on.
func putRevisions(tx *bolt.Tx, rows []*revRow) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists([]byte(bucketRevisions))
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := b.Put(seqKey(row.rev.Seq), row.data); err != nil {
			return err
		}
	}
	return tx.Bucket([]byte(bucketMeta)).Put([]byte(keySeq), seqKey(rows[len(rows)-1].rev.Seq))
}

// loadHistory reads the revisions of a file; a file written before history has none.
func loadHistory(tx *bolt.Tx, h *history) error {
	meta := tx.Bucket([]byte(bucketMeta))
	if v := meta.Get([]byte(keySeq)); len(v) == 8 {
		h.seq = int64(binary.BigEndian.Uint64(v))
	}
	if v := meta.Get([]byte(keyPrunedSeq)); len(v) == 8 {
		h.prunedSeq = int64(binary.BigEndian.Uint64(v))
	}
	if v := meta.Get([]byte(keyHorizon)); v != nil {
		if err := h.horizon.UnmarshalText(v); err != nil {
			return err
		}
	}
	b := tx.Bucket([]byte(bucketRevisions))
	if b == nil {
		return nil
	}
	return b.ForEach(func(_, v []byte) error {
		r, err := kg.DecodeRevision(v)
		if err != nil {
			return err
		}
		r.Entity, r.Relation, r.Source = nil, nil, nil
		h.add(&revRow{rev: *r, data: slices.Clone(v)})
		return nil
	})
}

func decode(rows []*revRow) ([]*kg.Revision, error) {
	out := make([]*kg.Revision, len(rows))
	for i, row := range rows {
		r, err := kg.DecodeRevision(row.data)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// after returns the index of the first row with a sequence number above seq.
func after(rows []*revRow, seq int64) int {
	return sort.Search(len(rows), func(i int) bool { return rows[i].rev.Seq > seq })
}

// History implements kg.Store.
func (s *Store) History(ctx context.Context, q kg.HistoryQuery) (*kg.RevisionPage, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows := s.h.byObject[objKey{q.Object, q.ID}]
	rows = rows[after(rows, q.After):]
	page := &kg.RevisionPage{}
	if len(rows) > q.First {
		rows, page.HasNextPage = rows[:q.First], true
	}
	var err error
	page.Items, err = decode(rows)
	return page, err
}

// AsOf implements kg.Store.
func (s *Store) AsOf(ctx context.Context, object kg.ObjectType, id string, at time.Time) (*kg.Revision, error) {
	if err := kg.CheckAsOf(object, id); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	if at.Before(s.h.horizon) {
		return nil, kg.HistoryPruned("at", "history before %s was pruned by the retention setting", s.h.horizon.Format(time.RFC3339))
	}
	rows := s.h.byObject[objKey{object, id}]
	for i := len(rows) - 1; i >= 0; i-- {
		if !rows[i].rev.At.After(at) {
			revs, err := decode(rows[i : i+1])
			if err != nil {
				return nil, err
			}
			return revs[0], nil
		}
	}
	return nil, nil
}

// Changes implements kg.Store.
func (s *Store) Changes(ctx context.Context, q kg.ChangesQuery) (*kg.RevisionPage, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	if q.After < s.h.prunedSeq {
		return nil, kg.HistoryPruned("after", "changes up to %d were pruned by the retention setting; start after %d", s.h.prunedSeq, s.h.prunedSeq)
	}
	page := &kg.RevisionPage{Through: max(s.h.seq, q.After), Last: s.h.seq}
	var rows []*revRow
	for _, row := range s.h.rows[after(s.h.rows, q.After):] {
		if !q.Filter.Match(&row.rev) {
			continue
		}
		if len(rows) == q.First {
			page.HasNextPage = true
			page.Through = rows[len(rows)-1].rev.Seq
			break
		}
		rows = append(rows, row)
	}
	var err error
	page.Items, err = decode(rows)
	return page, err
}

// PruneHistory implements kg.Store.
func (s *Store) PruneHistory(ctx context.Context, before time.Time) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	doomed := map[int64]bool{}
	top := s.h.prunedSeq
	for _, rows := range s.h.byObject {
		newest := rows[len(rows)-1]
		gone := newest.rev.Op == kg.OpDelete && newest.rev.At.Before(before)
		for _, row := range rows {
			if row.rev.At.Before(before) && (row != newest || gone) {
				doomed[row.rev.Seq] = true
				top = max(top, row.rev.Seq)
			}
		}
	}
	horizon := s.h.horizon
	if before.After(horizon) {
		horizon = before.UTC()
	}
	if s.db != nil {
		err := s.db.Update(func(tx *bolt.Tx) error {
			if b := tx.Bucket([]byte(bucketRevisions)); b != nil {
				for seq := range doomed {
					if err := b.Delete(seqKey(seq)); err != nil {
						return err
					}
				}
			}
			meta := tx.Bucket([]byte(bucketMeta))
			text, err := horizon.MarshalText()
			if err == nil {
				err = meta.Put([]byte(keyHorizon), text)
			}
			if err == nil {
				err = meta.Put([]byte(keyPrunedSeq), seqKey(top))
			}
			return err
		})
		if err != nil {
			return 0, kg.Unavailable(err)
		}
	}
	h := newHistory()
	h.seq, h.prunedSeq, h.horizon = s.h.seq, top, horizon
	for _, row := range s.h.rows {
		if !doomed[row.rev.Seq] {
			h.add(row)
		}
	}
	s.h = h
	return len(doomed), nil
}
