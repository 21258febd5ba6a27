package neo4jstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Upserts run in one write transaction per call: read what exists, check every reference,
// then write only what changed, in UNWIND batches. The transaction function may be re-run by
// the driver, so it computes everything from what it reads.

// lockRelationsQuery serializes the transactions that create or delete relations. Neo4j
// enforces a relationship id's uniqueness only per type, and checks run before writes at
// read-committed isolation, so without it two calls could create one id under two types, or
// a relation could be created to an entity being deleted. Writing the lock node's property
// holds its exclusive lock until commit. Entity and source upserts do not take it.
const lockRelationsQuery = "MERGE (l:WriteLock {name: 'relations'}) SET l.at = datetime() RETURN l.name AS name"

func lockRelations(ctx context.Context, tx neo4j.ManagedTransaction) error {
	_, err := run(ctx, tx, lockRelationsQuery, nil)
	return err
}

func now() time.Time { return time.Now().UTC() }

// existing returns which of ids a fixed lookup query (UNWIND $ids AS id MATCH ... RETURN ...
// AS id) finds.
func existing(ctx context.Context, tx neo4j.ManagedTransaction, query string, ids []string) (map[string]bool, error) {
	have := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return have, nil
	}
	recs, err := run(ctx, tx, query, map[string]any{"ids": uniq(ids)})
	if err != nil {
		return nil, err
	}
	for _, rec := range recs {
		id, err := recString(rec, "id")
		if err != nil {
			return nil, err
		}
		have[id] = true
	}
	return have, nil
}

const (
	existingEntitiesQuery = "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN n.id AS id"
	existingSourcesQuery  = "UNWIND $ids AS id MATCH (s:Source {id: id}) RETURN s.id AS id"
)

// writeRows runs an UNWIND $rows write that returns count(...) AS c and checks that every row
// was written: a row whose MATCH found nothing would otherwise vanish silently.
func writeRows(ctx context.Context, tx neo4j.ManagedTransaction, query string, rows []map[string]any) error {
	if len(rows) == 0 {
		return nil
	}
	recs, err := run(ctx, tx, query, map[string]any{"rows": rows})
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return fmt.Errorf("neo4j: write returned %d records, want 1", len(recs))
	}
	c, err := recInt(recs[0], "c")
	if err != nil {
		return err
	}
	if c != len(rows) {
		return kg.Conflict("the graph changed during the write (%d of %d items found); try again", c, len(rows))
	}
	return nil
}

type upsertResult[T any] struct {
	items  []T
	counts kg.WriteCounts
}

// UpsertEntities implements kg.Store.
func (s *Store) UpsertEntities(ctx context.Context, in []kg.EntityInput) ([]*kg.Entity, kg.WriteCounts, error) {
	norm, err := kg.NormalizeEntities(in)
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	if len(norm) == 0 {
		return []*kg.Entity{}, kg.WriteCounts{}, nil
	}
	ids := make([]string, len(norm))
	var srcIDs []string
	for i, e := range norm {
		ids[i] = e.ID
		srcIDs = append(srcIDs, e.SourceIDs...)
	}
	res, err := writeTx(ctx, s, "upsert entities", func(tx neo4j.ManagedTransaction) (upsertResult[*kg.Entity], error) {
		var res upsertResult[*kg.Entity]
		last, err := lockChangeLog(ctx, tx)
		if err != nil {
			return res, err
		}
		old, err := fetchEntities(ctx, tx, ids)
		if err != nil {
			return res, err
		}
		merged, err := kg.MergeEntities(norm, func(id string) *kg.Entity { return old[id] })
		if err != nil {
			return res, err
		}
		haveSrc, err := existing(ctx, tx, existingSourcesQuery, srcIDs)
		if err != nil {
			return res, err
		}
		var errs []kg.FieldError
		for i, e := range norm {
			for j, id := range e.SourceIDs {
				if !haveSrc[id] {
					errs = append(errs, kg.FieldError{Field: fmt.Sprintf("input[%d].sourceIds[%d]", i, j), Message: fmt.Sprintf("source %q does not exist", id)})
				}
			}
		}
		if len(errs) > 0 {
			return res, &kg.FieldErrors{List: errs}
		}

		t := now()
		rs := newRevisions(ctx, t)
		creates := map[kg.EntityKind][]map[string]any{}
		updates := map[kg.EntityKind][]map[string]any{}
		var written []*kg.Entity
		res.items = make([]*kg.Entity, len(merged))
		for i, in := range merged {
			ex := old[in.ID]
			if ex != nil && ex.Same(in) {
				res.items[i] = ex
				res.counts.Unchanged++
				continue
			}
			created := t
			if ex != nil {
				created = ex.CreatedAt
			}
			e := in.Entity(created, t)
			e.ValidFrom, e.ValidTo, e.OccurredAt = normTime(e.ValidFrom), normTime(e.ValidTo), normTime(e.OccurredAt)
			res.items[i] = e
			rs.entity(ex, e)
			written = append(written, e)
			if ex != nil {
				updates[e.Kind] = append(updates[e.Kind], entityProps(e))
				res.counts.Updated++
			} else {
				creates[e.Kind] = append(creates[e.Kind], entityProps(e))
				res.counts.Created++
			}
		}
		for _, k := range kg.EntityKinds {
			label, err := kindLabel(k)
			if err != nil {
				return res, err
			}
			if err := writeRows(ctx, tx, "UNWIND $rows AS row CREATE (n:Entity:"+label+") SET n = row RETURN count(n) AS c", creates[k]); err != nil {
				return res, err
			}
			// SET n = row replaces every property; the kind label is swapped in case the
			// kind changed.
			if err := writeRows(ctx, tx, "UNWIND $rows AS row MATCH (n:Entity {id: row.id}) REMOVE n"+allKindLabels()+
				" SET n:"+label+" SET n = row RETURN count(n) AS c", updates[k]); err != nil {
				return res, err
			}
		}
		if err := syncEntityCitations(ctx, tx, written); err != nil {
			return res, err
		}
		return res, rs.commit(ctx, tx, last)
	})
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	return res.items, res.counts, nil
}

// UpsertSources implements kg.Store.
func (s *Store) UpsertSources(ctx context.Context, in []kg.SourceInput) ([]*kg.Source, kg.WriteCounts, error) {
	norm, err := kg.NormalizeSources(in)
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	if len(norm) == 0 {
		return []*kg.Source{}, kg.WriteCounts{}, nil
	}
	ids := make([]string, len(norm))
	for i, src := range norm {
		ids[i] = src.ID
	}
	res, err := writeTx(ctx, s, "upsert sources", func(tx neo4j.ManagedTransaction) (upsertResult[*kg.Source], error) {
		var res upsertResult[*kg.Source]
		last, err := lockChangeLog(ctx, tx)
		if err != nil {
			return res, err
		}
		old, err := fetchSources(ctx, tx, ids)
		if err != nil {
			return res, err
		}
		merged, err := kg.MergeSources(norm, func(id string) *kg.Source { return old[id] })
		if err != nil {
			return res, err
		}
		t := now()
		rs := newRevisions(ctx, t)
		var creates, updates []map[string]any
		res.items = make([]*kg.Source, len(merged))
		for i, in := range merged {
			ex := old[in.ID]
			if ex != nil && ex.Same(in) {
				res.items[i] = ex
				res.counts.Unchanged++
				continue
			}
			created := t
			if ex != nil {
				created = ex.CreatedAt
			}
			src := in.Source(created, t)
			src.PublishedAt = normTime(src.PublishedAt)
			res.items[i] = src
			rs.source(ex, src)
			if ex != nil {
				updates = append(updates, sourceProps(src))
				res.counts.Updated++
			} else {
				creates = append(creates, sourceProps(src))
				res.counts.Created++
			}
		}
		if err := writeRows(ctx, tx, "UNWIND $rows AS row CREATE (s:Source) SET s = row RETURN count(s) AS c", creates); err != nil {
			return res, err
		}
		if err := writeRows(ctx, tx, "UNWIND $rows AS row MATCH (s:Source {id: row.id}) SET s = row RETURN count(s) AS c", updates); err != nil {
			return res, err
		}
		return res, rs.commit(ctx, tx, last)
	})
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	return res.items, res.counts, nil
}

// UpsertRelations implements kg.Store. A relation whose id exists with another type or other
// ends is deleted and created anew (a relationship's type and ends are fixed in Neo4j),
// keeping its createdAt.
func (s *Store) UpsertRelations(ctx context.Context, in []kg.RelationInput) ([]*kg.Relation, kg.WriteCounts, error) {
	norm, err := kg.NormalizeRelations(in)
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	if len(norm) == 0 {
		return []*kg.Relation{}, kg.WriteCounts{}, nil
	}
	var relIDs, entIDs, srcIDs []string
	inBatch := make(map[string]bool, len(norm))
	for _, r := range norm {
		inBatch[r.ID] = true
		relIDs = append(relIDs, r.ID)
		relIDs = append(relIDs, r.DisputesIDs...)
		entIDs = append(entIDs, r.FromID, r.ToID)
		if r.ClaimedByID != "" {
			entIDs = append(entIDs, r.ClaimedByID)
		}
		srcIDs = append(srcIDs, r.SourceIDs...)
	}
	res, err := writeTx(ctx, s, "upsert relations", func(tx neo4j.ManagedTransaction) (upsertResult[*kg.Relation], error) {
		var res upsertResult[*kg.Relation]
		last, err := lockChangeLog(ctx, tx)
		if err != nil {
			return res, err
		}
		if err := lockRelations(ctx, tx); err != nil {
			return res, err
		}
		old, err := fetchRelations(ctx, tx, relIDs)
		if err != nil {
			return res, err
		}
		merged, err := kg.MergeRelations(norm, func(id string) *kg.Relation { return old[id] })
		if err != nil {
			return res, err
		}
		haveEnt, err := existing(ctx, tx, existingEntitiesQuery, entIDs)
		if err != nil {
			return res, err
		}
		haveSrc, err := existing(ctx, tx, existingSourcesQuery, srcIDs)
		if err != nil {
			return res, err
		}

		var errs []kg.FieldError
		bad := func(field, format string, args ...any) {
			errs = append(errs, kg.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
		}
		for i, r := range norm {
			f := fmt.Sprintf("input[%d]", i)
			if !haveEnt[r.FromID] {
				bad(f+".from", "entity %q does not exist", r.FromID)
			}
			if !haveEnt[r.ToID] {
				bad(f+".to", "entity %q does not exist", r.ToID)
			}
			if r.ClaimedByID != "" && !haveEnt[r.ClaimedByID] {
				bad(f+".claimedBy", "entity %q does not exist", r.ClaimedByID)
			}
			for j, id := range r.SourceIDs {
				if !haveSrc[id] {
					bad(fmt.Sprintf("%s.sourceIds[%d]", f, j), "source %q does not exist", id)
				}
			}
			for j, id := range r.DisputesIDs {
				if old[id] == nil && !inBatch[id] {
					bad(fmt.Sprintf("%s.disputes[%d]", f, j), "relation %q does not exist", id)
				}
			}
		}
		if len(errs) > 0 {
			return res, &kg.FieldErrors{List: errs}
		}

		t := now()
		rs := newRevisions(ctx, t)
		deletes := map[kg.RelationType][]map[string]any{}
		creates := map[kg.RelationType][]map[string]any{}
		updates := map[kg.RelationType][]map[string]any{}
		var written []*kg.Relation
		res.items = make([]*kg.Relation, len(merged))
		for i, in := range merged {
			ex := old[in.ID]
			if ex != nil && ex.Same(in) {
				res.items[i] = ex
				res.counts.Unchanged++
				continue
			}
			created := t
			if ex != nil {
				created = ex.CreatedAt
			}
			r := in.Relation(created, t)
			r.OccurredAt, r.ValidFrom, r.ValidTo = normTime(r.OccurredAt), normTime(r.ValidFrom), normTime(r.ValidTo)
			res.items[i] = r
			rs.relation(ex, r)
			written = append(written, r)
			row := map[string]any{"id": r.ID, "from": r.FromID, "to": r.ToID, "props": map[string]any(relationProps(r))}
			switch {
			case ex == nil:
				creates[r.Type] = append(creates[r.Type], row)
				res.counts.Created++
			case ex.Type != r.Type || ex.FromID != r.FromID || ex.ToID != r.ToID:
				deletes[ex.Type] = append(deletes[ex.Type], map[string]any{"id": ex.ID})
				creates[r.Type] = append(creates[r.Type], row)
				res.counts.Updated++
			default:
				updates[r.Type] = append(updates[r.Type], row)
				res.counts.Updated++
			}
		}
		// Deletes first, so a recreated relation's id is free under its new type.
		for _, typ := range kg.RelationTypes {
			rt, err := relType(typ)
			if err != nil {
				return res, err
			}
			if err := writeRows(ctx, tx, "UNWIND $rows AS row MATCH ()-[r:"+rt+"]->() WHERE r.id = row.id DELETE r RETURN count(*) AS c", deletes[typ]); err != nil {
				return res, err
			}
		}
		for _, typ := range kg.RelationTypes {
			rt, err := relType(typ)
			if err != nil {
				return res, err
			}
			if err := writeRows(ctx, tx, "UNWIND $rows AS row MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) CREATE (a)-[r:"+rt+"]->(b) SET r = row.props RETURN count(r) AS c", creates[typ]); err != nil {
				return res, err
			}
			if err := writeRows(ctx, tx, "UNWIND $rows AS row MATCH ()-[r:"+rt+"]->() WHERE r.id = row.id SET r = row.props RETURN count(r) AS c", updates[typ]); err != nil {
				return res, err
			}
		}
		if err := syncClaims(ctx, tx, written); err != nil {
			return res, err
		}
		return res, rs.commit(ctx, tx, last)
	})
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	return res.items, res.counts, nil
}

// DeleteEntity implements kg.Store.
func (s *Store) DeleteEntity(ctx context.Context, id string, detach bool) (int, error) {
	id, err := kg.NormalizeID("id", id)
	if err != nil {
		return 0, err
	}
	return writeTx(ctx, s, "delete entity", func(tx neo4j.ManagedTransaction) (int, error) {
		last, err := lockChangeLog(ctx, tx)
		if err != nil {
			return 0, err
		}
		if err := lockRelations(ctx, tx); err != nil {
			return 0, err
		}
		p := map[string]any{"id": id}
		have, err := existing(ctx, tx, existingEntitiesQuery, []string{id})
		if err != nil {
			return 0, err
		}
		if !have[id] {
			return 0, kg.NotFound("entity", id)
		}
		alt, err := relTypeAlternation(nil)
		if err != nil {
			return 0, err
		}
		recs, err := run(ctx, tx, "MATCH (:Entity {id: $id})-[r"+alt+"]-() RETURN DISTINCT r.id AS id ORDER BY id", p)
		if err != nil {
			return 0, err
		}
		if len(recs) > 0 && !detach {
			return 0, kg.Conflict("entity %q has %d relation(s) (%s); delete them first or delete with detach",
				id, len(recs), idList(recs))
		}
		// A claim the entity makes about itself goes with it on detach; one about others would
		// be left without its claimant. Its ASSERTS relationships lead to them.
		claims, err := run(ctx, tx, `MATCH (n:Entity {id: $id})-[:ASSERTS]->(c:Claim)
WHERE NOT EXISTS { (c)-[:SUBJECT|OBJECT]->(n) }
RETURN c.id AS id ORDER BY id`, p)
		if err != nil {
			return 0, err
		}
		if len(claims) > 0 {
			return 0, kg.Conflict("entity %q is cited as claimedBy by %d relation(s) (%s); deleting it would strip those claims of their provenance",
				id, len(claims), idList(claims))
		}
		relIDs := make([]string, len(recs))
		for i, rec := range recs {
			if relIDs[i], err = recString(rec, "id"); err != nil {
				return 0, err
			}
		}
		oldEnt, err := fetchEntities(ctx, tx, []string{id})
		if err != nil {
			return 0, err
		}
		oldRels, err := fetchRelations(ctx, tx, relIDs)
		if err != nil {
			return 0, err
		}
		t := now()
		rs := newRevisions(ctx, t)
		disputers, err := disputersOf(ctx, tx, relIDs)
		if err != nil {
			return 0, err
		}
		// While the claims of the relations to delete are still there to follow.
		if err := removeFromDisputes(ctx, tx, relIDs, t); err != nil {
			return 0, err
		}
		if err := deleteClaims(ctx, tx, relIDs); err != nil {
			return 0, err
		}
		if _, err := run(ctx, tx, "MATCH (n:Entity {id: $id}) DETACH DELETE n", p); err != nil {
			return 0, err
		}
		if err := disputers.record(ctx, tx, rs); err != nil {
			return 0, err
		}
		for _, rid := range relIDs {
			rs.relation(oldRels[rid], nil)
		}
		rs.entity(oldEnt[id], nil)
		return len(relIDs), rs.commit(ctx, tx, last)
	})
}

// idList names up to five ids of records with an id column, for error messages.
func idList(recs []*neo4j.Record) string {
	var ids []string
	for i, rec := range recs {
		if i == 5 {
			ids = append(ids, "...")
			break
		}
		id, _ := recString(rec, "id")
		ids = append(ids, fmt.Sprintf("%q", id))
	}
	return strings.Join(ids, ", ")
}

// DeleteRelation implements kg.Store.
func (s *Store) DeleteRelation(ctx context.Context, id string) error {
	id, err := kg.NormalizeID("id", id)
	if err != nil {
		return err
	}
	_, err = writeTx(ctx, s, "delete relation", func(tx neo4j.ManagedTransaction) (struct{}, error) {
		last, err := lockChangeLog(ctx, tx)
		if err != nil {
			return struct{}{}, err
		}
		if err := lockRelations(ctx, tx); err != nil {
			return struct{}{}, err
		}
		old, err := fetchRelations(ctx, tx, []string{id})
		if err != nil {
			return struct{}{}, err
		}
		r := old[id]
		if r == nil {
			return struct{}{}, kg.NotFound("relation", id)
		}
		rt, err := relType(r.Type)
		if err != nil {
			return struct{}{}, err
		}
		t := now()
		rs := newRevisions(ctx, t)
		disputers, err := disputersOf(ctx, tx, []string{id})
		if err != nil {
			return struct{}{}, err
		}
		if err := removeFromDisputes(ctx, tx, []string{id}, t); err != nil {
			return struct{}{}, err
		}
		if err := deleteClaims(ctx, tx, []string{id}); err != nil {
			return struct{}{}, err
		}
		if _, err := run(ctx, tx, "MATCH ()-[r:"+rt+"]->() WHERE r.id = $id DELETE r", map[string]any{"id": id}); err != nil {
			return struct{}{}, err
		}
		if err := disputers.record(ctx, tx, rs); err != nil {
			return struct{}{}, err
		}
		rs.relation(r, nil)
		return struct{}{}, rs.commit(ctx, tx, last)
	})
	return err
}
