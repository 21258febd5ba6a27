package neo4jstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// History in Neo4j: one :Revision node per change, with the fields queries filter on as
// indexed properties and the whole revision (kg.EncodeRevision) as JSON in data, written in
// the transaction of the change. The store-wide sequence is the seq property of the single
// (:ChangeLog {name: 'changes'}) node.
//
// Every write transaction locks the change log first (lockChangeLog), which serializes the
// writers of one database. That is the price of a sequence that is gap-free and in commit
// order: a reader that sees revision n sees every revision before it, so a feed that tails
// "seq > n" misses nothing, and a merge reads the state it merges into under the lock, so
// two concurrent merges cannot lose each other's fields. Neo4j takes writes on one primary
// in any case; the README gives the measured cost.

// changeLogName names the change log node.
const changeLogName = "changes"

// lockChangeLog takes the change log's write lock (held to commit) and returns the last
// sequence number; it creates the log on the first write. Writing a property is what takes
// the lock.
func lockChangeLog(ctx context.Context, tx neo4j.ManagedTransaction) (int64, error) {
	// MERGE under the change_log_name constraint creates one node even when the first
	// writes of several processes race.
	recs, err := run(ctx, tx, `MERGE (c:ChangeLog {name: $name}) ON CREATE SET c.seq = 0, c.prunedSeq = 0
SET c.lockedAt = datetime() RETURN c.seq AS seq`, map[string]any{"name": changeLogName})
	if err != nil {
		return 0, err
	}
	if len(recs) != 1 {
		return 0, fmt.Errorf("neo4j: change log lock returned %d records", len(recs))
	}
	seq, err := recInt(recs[0], "seq")
	return int64(seq), err
}

// appendRevisions numbers revs after last and writes them; the caller holds the change log
// lock (lockChangeLog gave it last).
func appendRevisions(ctx context.Context, tx neo4j.ManagedTransaction, last int64, revs []*kg.Revision) error {
	if len(revs) == 0 {
		return nil
	}
	rows := make([]map[string]any, len(revs))
	for i, r := range revs {
		r.Seq = last + int64(i) + 1
		data, err := kg.EncodeRevision(r)
		if err != nil {
			return err
		}
		rows[i] = map[string]any{
			"seq": r.Seq, "at": toNeoTime(r.At), "writer": r.Writer, "op": string(r.Op),
			"object": string(r.Object), "id": r.ID, "kind": string(r.Kind), "type": string(r.Type),
			"from": r.From, "to": r.To, "data": string(data),
		}
	}
	if err := writeRows(ctx, tx, "UNWIND $rows AS row CREATE (r:Revision) SET r = row RETURN count(r) AS c", rows); err != nil {
		return err
	}
	_, err := run(ctx, tx, "MATCH (c:ChangeLog {name: $name}) SET c.seq = $seq", map[string]any{"name": changeLogName, "seq": last + int64(len(revs))})
	return err
}

// revisions collects the revisions of one write in order.
type revisions struct {
	at     time.Time
	writer string
	list   []*kg.Revision
	err    error
}

func newRevisions(ctx context.Context, at time.Time) *revisions {
	return &revisions{at: at, writer: kg.WriterFrom(ctx)}
}

func (rs *revisions) add(r *kg.Revision, err error) {
	if err != nil && rs.err == nil {
		rs.err = err
	}
	if r != nil {
		rs.list = append(rs.list, r)
	}
}

func (rs *revisions) entity(old, e *kg.Entity) { rs.add(kg.EntityRevision(rs.at, rs.writer, old, e)) }
func (rs *revisions) source(old, s *kg.Source) { rs.add(kg.SourceRevision(rs.at, rs.writer, old, s)) }
func (rs *revisions) relation(old, r *kg.Relation) {
	rs.add(kg.RelationRevision(rs.at, rs.writer, old, r))
}

// commit appends the collected revisions.
func (rs *revisions) commit(ctx context.Context, tx neo4j.ManagedTransaction, last int64) error {
	if rs.err != nil {
		return rs.err
	}
	return appendRevisions(ctx, tx, last, rs.list)
}

func revisionsFrom(recs []*neo4j.Record) ([]*kg.Revision, error) {
	out := make([]*kg.Revision, 0, len(recs))
	for _, rec := range recs {
		data, err := recString(rec, "data")
		if err != nil {
			return nil, err
		}
		r, err := kg.DecodeRevision([]byte(data))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// History implements kg.Store.
func (s *Store) History(ctx context.Context, q kg.HistoryQuery) (*kg.RevisionPage, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	return readTx(ctx, s, "history", func(tx neo4j.ManagedTransaction) (*kg.RevisionPage, error) {
		recs, err := run(ctx, tx, `MATCH (r:Revision) WHERE r.id = $id AND r.seq > $after AND r.object = $object
RETURN r.data AS data ORDER BY r.seq LIMIT $limit`,
			map[string]any{"id": q.ID, "after": q.After, "object": string(q.Object), "limit": q.First + 1})
		if err != nil {
			return nil, err
		}
		items, err := revisionsFrom(recs)
		if err != nil {
			return nil, err
		}
		page := &kg.RevisionPage{Items: items}
		if len(items) > q.First {
			page.Items, page.HasNextPage = items[:q.First], true
		}
		return page, nil
	})
}

// changeLog reads the change log's sequence and pruning marks.
func changeLog(ctx context.Context, tx neo4j.ManagedTransaction) (seq, prunedSeq int64, horizon time.Time, err error) {
	recs, err := run(ctx, tx, "MATCH (c:ChangeLog {name: $name}) RETURN c.seq AS seq, c.prunedSeq AS prunedSeq, c.horizon AS horizon",
		map[string]any{"name": changeLogName})
	if err != nil {
		return 0, 0, time.Time{}, err
	}
	if len(recs) == 0 { // nothing written yet
		return 0, 0, time.Time{}, nil
	}
	n, err := recInt(recs[0], "seq")
	if err != nil {
		return 0, 0, time.Time{}, err
	}
	p, err := recInt(recs[0], "prunedSeq")
	if err != nil {
		return 0, 0, time.Time{}, err
	}
	if v, ok := recs[0].Get("horizon"); ok && v != nil {
		if t, ok := v.(time.Time); ok {
			horizon = fromNeoTime(t)
		}
	}
	return int64(n), int64(p), horizon, nil
}

// AsOf implements kg.Store.
func (s *Store) AsOf(ctx context.Context, object kg.ObjectType, id string, at time.Time) (*kg.Revision, error) {
	if err := kg.CheckAsOf(object, id); err != nil {
		return nil, err
	}
	return readTx(ctx, s, "as of", func(tx neo4j.ManagedTransaction) (*kg.Revision, error) {
		_, _, horizon, err := changeLog(ctx, tx)
		if err != nil {
			return nil, err
		}
		if at.Before(horizon) {
			return nil, kg.HistoryPruned("at", "history before %s was pruned by the retention setting", horizon.Format(time.RFC3339))
		}
		recs, err := run(ctx, tx, `MATCH (r:Revision) WHERE r.id = $id AND r.seq > 0 AND r.object = $object AND r.at <= $at
RETURN r.data AS data ORDER BY r.seq DESC LIMIT 1`,
			map[string]any{"id": id, "object": string(object), "at": toNeoTime(at)})
		if err != nil || len(recs) == 0 {
			return nil, err
		}
		revs, err := revisionsFrom(recs)
		if err != nil {
			return nil, err
		}
		return revs[0], nil
	})
}

// Changes implements kg.Store. The filter is evaluated as the scan walks the seq index from
// After; a scan is bounded by the page size of matches, which a rare filter over a long feed
// can make long. Pollers pass the page's Through back, so each revision is examined once.
func (s *Store) Changes(ctx context.Context, q kg.ChangesQuery) (*kg.RevisionPage, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	p := map[string]any{"after": q.After, "limit": q.First + 1, "objects": nil, "entity": nil, "kinds": nil, "types": nil}
	if f := q.Filter; f != nil {
		if len(f.Objects) > 0 {
			p["objects"] = strs(f.Objects)
		}
		if f.EntityID != "" {
			p["entity"] = f.EntityID
		}
		if len(f.Kinds) > 0 {
			p["kinds"] = strs(f.Kinds)
		}
		if len(f.Types) > 0 {
			p["types"] = strs(f.Types)
		}
	}
	return readTx(ctx, s, "changes", func(tx neo4j.ManagedTransaction) (*kg.RevisionPage, error) {
		last, pruned, _, err := changeLog(ctx, tx)
		if err != nil {
			return nil, err
		}
		if q.After < pruned {
			return nil, kg.HistoryPruned("after", "changes up to %d were pruned by the retention setting; start after %d", pruned, pruned)
		}
		recs, err := run(ctx, tx, `MATCH (r:Revision) WHERE r.seq > $after
  AND ($objects IS NULL OR r.object IN $objects)
  AND ($entity IS NULL OR (r.object = 'ENTITY' AND r.id = $entity) OR (r.object = 'RELATION' AND (r.from = $entity OR r.to = $entity)))
  AND ($kinds IS NULL OR (r.object = 'ENTITY' AND r.kind IN $kinds))
  AND ($types IS NULL OR (r.object = 'RELATION' AND r.type IN $types))
RETURN r.data AS data ORDER BY r.seq LIMIT $limit`, p)
		if err != nil {
			return nil, err
		}
		items, err := revisionsFrom(recs)
		if err != nil {
			return nil, err
		}
		page := &kg.RevisionPage{Items: items, Through: max(last, q.After), Last: last}
		if len(items) > q.First {
			page.Items, page.HasNextPage = items[:q.First], true
			page.Through = page.Items[q.First-1].Seq
		}
		return page, nil
	})
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// PruneHistory implements kg.Store. It runs under the change log lock, so it cannot
// interleave with a write.
func (s *Store) PruneHistory(ctx context.Context, before time.Time) (int, error) {
	return writeTx(ctx, s, "prune history", func(tx neo4j.ManagedTransaction) (int, error) {
		if _, err := lockChangeLog(ctx, tx); err != nil {
			return 0, err
		}
		p := map[string]any{"before": toNeoTime(before)}
		// Superseded: an older revision with a later one of the same object. Old tombstones
		// go with every revision of their object.
		recs, err := run(ctx, tx, `MATCH (r:Revision) WHERE r.at < $before
WITH DISTINCT r.object AS object, r.id AS id
CALL (object, id) {
  MATCH (x:Revision) WHERE x.id = id AND x.seq > 0 AND x.object = object
  WITH x ORDER BY x.seq DESC LIMIT 1
  RETURN x.seq AS newest, x.op = 'DELETE' AND x.at < $before AS gone
}
MATCH (r:Revision) WHERE r.id = id AND r.seq > 0 AND r.object = object AND r.at < $before AND (r.seq < newest OR gone)
WITH collect(r) AS doomed, max(r.seq) AS top
FOREACH (r IN doomed | DELETE r)
RETURN size(doomed) AS n, coalesce(top, 0) AS top`, p)
		if err != nil {
			return 0, err
		}
		n, err := recInt(recs[0], "n")
		if err != nil {
			return 0, err
		}
		top, err := recInt(recs[0], "top")
		if err != nil {
			return 0, err
		}
		_, err = run(ctx, tx, `MATCH (c:ChangeLog {name: $name})
SET c.horizon = CASE WHEN c.horizon IS NULL OR c.horizon < $before THEN $before ELSE c.horizon END,
    c.prunedSeq = CASE WHEN c.prunedSeq < $top THEN $top ELSE c.prunedSeq END`,
			map[string]any{"name": changeLogName, "before": toNeoTime(before), "top": top})
		return n, err
	})
}

// disputers are the relations that dispute relations about to be deleted, as they were before.
type disputers map[string]*kg.Relation

// disputersOf reads the relations whose disputes name any of ids (following the claims'
// DISPUTES, as removeFromDisputes does), before the delete drops those ids from them, so that
// their revisions can say what changed.
func disputersOf(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (disputers, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	recs, err := run(ctx, tx, `UNWIND $ids AS id
MATCH (:Claim {id: id})<-[:DISPUTES]-(d:Claim)
RETURN DISTINCT d.id AS id`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	var rids []string
	for _, rec := range recs {
		rid, err := recString(rec, "id")
		if err != nil {
			return nil, err
		}
		rids = append(rids, rid)
	}
	return fetchRelations(ctx, tx, rids)
}

// record adds the revisions of the disputers that survived the delete, in id order.
func (d disputers) record(ctx context.Context, tx neo4j.ManagedTransaction, rs *revisions) error {
	if len(d) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(d))
	now, err := fetchRelations(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if now[id] != nil {
			rs.relation(d[id], now[id])
		}
	}
	return nil
}
