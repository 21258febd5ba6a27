package neo4jstore

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// run runs one query in tx and collects its records.
func run(ctx context.Context, tx neo4j.ManagedTransaction, query string, p map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, query, p)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// uniq returns ids without duplicates, keeping order.
func uniq(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// byIDs looks ids up with fetch in one read transaction and lines the results up with ids,
// nil where an id does not exist: the shape the dataloaders need.
func byIDs[T any](ctx context.Context, s *Store, op string, ids []string,
	fetch func(context.Context, neo4j.ManagedTransaction, []string) (map[string]*T, error)) ([]*T, error) {
	if len(ids) == 0 {
		return []*T{}, nil
	}
	found, err := readTx(ctx, s, op, func(tx neo4j.ManagedTransaction) (map[string]*T, error) {
		return fetch(ctx, tx, ids)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = found[id]
	}
	return out, nil
}

// EntitiesByIDs implements kg.Store.
func (s *Store) EntitiesByIDs(ctx context.Context, ids []string) ([]*kg.Entity, error) {
	return byIDs(ctx, s, "entities by id", ids, fetchEntities)
}

var entitiesByIDQuery = "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN " + entityProjection("n") + " AS n"

func fetchEntities(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (map[string]*kg.Entity, error) {
	return fetchNodes(ctx, tx, entitiesByIDQuery, ids,
		func(rec *neo4j.Record) (*kg.Entity, error) { return recEntity(rec, "n") },
		func(e *kg.Entity) string { return e.ID })
}

// fetchNodes runs a by-id query that returns one value per record as `n`, decodes each and
// maps them by id.
func fetchNodes[T any](ctx context.Context, tx neo4j.ManagedTransaction, query string, ids []string,
	decode func(*neo4j.Record) (*T, error), idOf func(*T) string) (map[string]*T, error) {
	recs, err := run(ctx, tx, query, map[string]any{"ids": uniq(ids)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*T, len(recs))
	for _, rec := range recs {
		v, err := decode(rec)
		if err != nil {
			return nil, err
		}
		out[idOf(v)] = v
	}
	return out, nil
}

// SourcesByIDs implements kg.Store.
func (s *Store) SourcesByIDs(ctx context.Context, ids []string) ([]*kg.Source, error) {
	return byIDs(ctx, s, "sources by id", ids, fetchSources)
}

func fetchSources(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (map[string]*kg.Source, error) {
	return fetchNodes(ctx, tx, "UNWIND $ids AS id MATCH (n:Source {id: id}) RETURN n", ids,
		func(rec *neo4j.Record) (*kg.Source, error) {
			n, err := recNode(rec, "n")
			if err != nil {
				return nil, err
			}
			return sourceFromNode(n)
		},
		func(s *kg.Source) string { return s.ID })
}

// RelationsByIDs implements kg.Store.
func (s *Store) RelationsByIDs(ctx context.Context, ids []string) ([]*kg.Relation, error) {
	return byIDs(ctx, s, "relations by id", ids, fetchRelations)
}

// fetchRelationsQuery is built once from the allow-list: a UNION of per-type index seeks.
var fetchRelationsQuery = "CALL () {\n" + relationsByIDQuery(nil, "$ids") + "\n}\n" +
	"RETURN r, startNode(r).id AS from, endNode(r).id AS to"

func fetchRelations(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (map[string]*kg.Relation, error) {
	recs, err := run(ctx, tx, fetchRelationsQuery, map[string]any{"ids": uniq(ids)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*kg.Relation, len(recs))
	for _, rec := range recs {
		r, err := relationFromRecord(rec)
		if err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, nil
}

// pageSize checks a page size the caller has already resolved (kg.PageSize).
func pageSize(first int) (int, error) {
	if first < 0 || first > kg.MaxPageSize {
		return 0, kg.Invalid("first", "%d is outside 0..%d", first, kg.MaxPageSize)
	}
	return first, nil
}

// pageQuery is a compiled listing: the query for one page (first+1 rows, to tell whether
// another page follows) and the query counting every match ("" when the caller skips the
// total), each with its parameters.
type pageQuery struct {
	page, count             string
	pageParams, countParams params
	first                   int
	// cursor says the page starts after a cursor; without one, a page of 0 is answered by
	// the count alone (another page follows exactly when anything matches).
	cursor bool
}

// runPage runs a compiled listing in tx and decodes the page's rows: the page query unless
// the count answers it, the count query unless the total is skipped.
func runPage[T any](ctx context.Context, tx neo4j.ManagedTransaction, pq *pageQuery, decode func(*neo4j.Record) (*T, error)) (items []*T, more bool, total int, err error) {
	if pq.count != "" {
		if total, err = runCount(ctx, tx, pq.count, pq.countParams); err != nil {
			return nil, false, 0, err
		}
		if pq.first == 0 && !pq.cursor {
			return []*T{}, total > 0, total, nil
		}
	}
	recs, err := run(ctx, tx, pq.page, pq.pageParams)
	if err != nil {
		return nil, false, 0, err
	}
	items = make([]*T, 0, min(len(recs), pq.first))
	for i, rec := range recs {
		if i == pq.first {
			return items, true, total, nil
		}
		v, err := decode(rec)
		if err != nil {
			return nil, false, 0, err
		}
		items = append(items, v)
	}
	return items, false, total, nil
}

// onlyField reports whether a filter sets nothing but the field that clear zeroes: then a
// count can read the database's count store (per label or type) instead of matching rows.
func onlyField[F any](f *F, clear func(*F)) bool {
	if f == nil {
		return true
	}
	g := *f
	clear(&g)
	return reflect.ValueOf(g).IsZero()
}

// kindCount counts what entityMatch matches for a filter of kinds alone: every :Entity node
// for none, else the nodes carrying any of the kind labels. Neo4j answers a one-label count
// from its count store, a lookup rather than a scan; several kinds are counted as the listing
// matches them (a union label scan), since summing per-label counts would count a node
// carrying two kind labels (not written by factgraph) twice where the listing has it once.
func kindCount(kinds []kg.EntityKind) (string, error) {
	if len(kinds) == 0 {
		return "MATCH (n:Entity) RETURN count(n) AS total", nil
	}
	kindAlt, err := kindLabels(kinds)
	if err != nil {
		return "", err
	}
	return "MATCH (n:" + kindAlt + ") RETURN count(n) AS total", nil
}

// typeCount counts the relations of types (of every relation type for none) from the count
// store, one lookup per type.
func typeCount(types []kg.RelationType) (string, error) {
	if len(types) == 0 {
		types = kg.RelationTypes
	}
	var parts []string
	seen := map[kg.RelationType]bool{}
	for _, t := range types {
		if seen[t] {
			continue
		}
		seen[t] = true
		rt, err := relType(t)
		if err != nil {
			return "", err
		}
		parts = append(parts, "MATCH ()-[r:"+rt+"]->() RETURN count(r) AS c")
	}
	return "CALL () {\n" + strings.Join(parts, "\nUNION ALL\n") + "\n}\nRETURN sum(c) AS total", nil
}

// entityMatch is the MATCH part of an entity listing: it binds n, starting from the entity
// that a top-level HasRelation names at the other end when there is one (only its neighbours
// can match, as in the embedded store), else from every entity (an id list or a kind is
// answered by the index the planner picks for the WHERE). The WHERE from compileEntityFilter
// still applies in full, so the choice only affects speed.
func entityMatch(f *kg.EntityFilter, p params) (string, error) {
	if f != nil && len(f.IDs) == 0 && f.HasRelation != nil && f.HasRelation.OtherID != "" {
		alt, err := relTypeAlternation(f.HasRelation.Types)
		if err != nil {
			return "", err
		}
		// DISTINCT: parallel relations reach one neighbour twice. The WITH also ends the
		// scope of o and x, which the filter's EXISTS subquery binds anew.
		return fmt.Sprintf("MATCH (o:Entity {id: %s})-[x%s]-(m:Entity) USING INDEX SEEK o:Entity(id) WITH DISTINCT m AS n", p.add(f.HasRelation.OtherID), alt), nil
	}
	if f != nil && len(f.IDs) == 0 && f.SourceID != "" {
		// The entities citing the source (provenance.go), not a scan of every sourceIds list.
		return fmt.Sprintf("MATCH (source:Source {id: %s})<-[:CITES]-(n:Entity) USING INDEX SEEK source:Source(id)", p.add(f.SourceID)), nil
	}
	if f != nil && len(f.IDs) == 0 && len(f.Kinds) > 0 {
		// The nodes with the kind labels, exactly what kindCount counts, so that a listing
		// and its totalCount agree on data not written by factgraph too.
		kindAlt, err := kindLabels(f.Kinds)
		if err != nil {
			return "", err
		}
		return "MATCH (n:" + kindAlt + ")", nil
	}
	return "MATCH (n:Entity)", nil
}

// entitiesQuery compiles an entity listing.
func entitiesQuery(q kg.EntityQuery) (*pageQuery, error) {
	order := q.OrderBy
	if err := order.Normalize(); err != nil {
		return nil, err
	}
	if err := q.Filter.Check("filter"); err != nil {
		return nil, err
	}
	first, err := pageSize(q.First)
	if err != nil {
		return nil, err
	}
	cur, err := order.Decode(q.After)
	if err != nil {
		return nil, err
	}
	p := params{}
	match, err := entityMatch(q.Filter, p)
	if err != nil {
		return nil, err
	}
	where, err := compileEntityFilter(q.Filter, "n", p)
	if err != nil {
		return nil, err
	}
	pq := &pageQuery{pageParams: maps.Clone(p), first: first, cursor: cur != nil}
	switch {
	case q.SkipTotal:
	case onlyField(q.Filter, func(f *kg.EntityFilter) { f.Kinds = nil }):
		var kinds []kg.EntityKind
		if q.Filter != nil {
			kinds = q.Filter.Kinds
		}
		if pq.count, err = kindCount(kinds); err != nil {
			return nil, err
		}
	default:
		pq.count, pq.countParams = match+" WHERE "+where+" RETURN count(n) AS total", p
	}
	key := ""
	if order.Field == kg.EntityOrderName {
		key = "n.nameKey"
	}
	if cur != nil {
		// The cursor carries kg's sort key, the folded name; compare in nameKey's encoding.
		where += " AND " + keysetCondition(key, "n.id", order.Direction, nameKey(cur.Key), cur.ID, pq.pageParams)
	}
	pq.pageParams["limit"] = int64(first + 1)
	// Sorted and cut before the projection, so only the page's rows are read out.
	pq.page = match + " WHERE " + where + " WITH n " + orderBy(key, "n.id", order.Direction) + " LIMIT $limit RETURN " + entityProjection("n") + " AS n"
	return pq, nil
}

// Entities implements kg.Store: one keyset page and, unless skipped, the total count, in one
// transaction.
func (s *Store) Entities(ctx context.Context, q kg.EntityQuery) (*kg.EntityPage, error) {
	pq, err := entitiesQuery(q)
	if err != nil {
		return nil, err
	}
	return readTx(ctx, s, "list entities", func(tx neo4j.ManagedTransaction) (*kg.EntityPage, error) {
		items, more, total, err := runPage(ctx, tx, pq, func(rec *neo4j.Record) (*kg.Entity, error) { return recEntity(rec, "n") })
		if err != nil {
			return nil, err
		}
		return &kg.EntityPage{Items: items, HasNextPage: more, TotalCount: total}, nil
	})
}

// runCount runs a query returning one row with an integer column total.
func runCount(ctx context.Context, tx neo4j.ManagedTransaction, query string, p map[string]any) (int, error) {
	recs, err := run(ctx, tx, query, p)
	if err != nil {
		return 0, err
	}
	if len(recs) != 1 {
		return 0, fmt.Errorf("neo4j: count returned %d rows", len(recs))
	}
	return recInt(recs[0], "total")
}

// relationMatch is the MATCH part of a relation listing: it binds r from a to b, starting
// from an index seek when the filter allows one (an end entity, ids, a list of end
// entities, a claimant, a source, disputed relations), else scanning the relationships of the filter's types (relationsQuery replaces
// the type-less scan of an untyped time window by relationWindowUnion). The WHERE from
// compileRelationFilter still applies in full, so the choice only affects speed.
func relationMatch(f *kg.RelationFilter, p params) (string, error) {
	var types []kg.RelationType
	if f != nil {
		types = f.Types
	}
	alt, err := relTypeAlternation(types)
	if err != nil {
		return "", err
	}
	switch {
	case f != nil && f.FromID != "":
		return fmt.Sprintf("MATCH (a:Entity {id: %s})-[r%s]->(b)", p.add(f.FromID), alt), nil
	case f != nil && f.ToID != "":
		return fmt.Sprintf("MATCH (a)-[r%s]->(b:Entity {id: %s})", alt, p.add(f.ToID)), nil
	case f != nil && f.EntityID != "":
		// Undirected, so both ends use the id index; DISTINCT for self-loops.
		return fmt.Sprintf("MATCH (:Entity {id: %s})-[x%s]-() WITH DISTINCT x AS r MATCH (a)-[r]->(b)", p.add(f.EntityID), alt), nil
	case f != nil && len(f.IDs) > 0:
		for _, t := range types {
			if _, err := relType(t); err != nil {
				return "", err
			}
		}
		return "CALL () {\n" + relationsByIDQuery(types, p.add(f.IDs)) + "\n}\nMATCH (a)-[r]->(b)", nil
	case f != nil && len(f.EntityIDs) > 0:
		// One expansion per listed entity; DISTINCT for relations between two of them. The
		// hint: see neighborhoodQueries.
		return fmt.Sprintf("UNWIND %s AS eid MATCH (e:Entity {id: eid})-[x%s]-() USING INDEX SEEK e:Entity(id) WITH DISTINCT x AS r MATCH (a)-[r]->(b)", p.add(uniq(f.EntityIDs)), alt), nil
	case f != nil:
		// From the provenance graph: a claimant's claims, a source's, a claim's disputers.
		if m, err := provenanceMatch(f, p); m != "" || err != nil {
			return m, err
		}
	}
	return fmt.Sprintf("MATCH (a)-[r%s]->(b)", alt), nil
}

// relationsQuery compiles a relation listing.
func relationsQuery(q kg.RelationQuery) (*pageQuery, error) {
	order := q.OrderBy
	if err := order.Normalize(); err != nil {
		return nil, err
	}
	if err := q.Filter.Check("filter"); err != nil {
		return nil, err
	}
	first, err := pageSize(q.First)
	if err != nil {
		return nil, err
	}
	cur, err := order.Decode(q.After)
	if err != nil {
		return nil, err
	}
	p := params{}
	match, err := relationMatch(q.Filter, p)
	if err != nil {
		return nil, err
	}
	// relationMatch restricts the pattern to the filter's types, so the WHERE need not test
	// type(r) again.
	var where string
	if q.Filter != nil {
		untyped := *q.Filter
		untyped.Types = nil
		where = compileRelationFilter(&untyped, p)
	} else {
		where = compileRelationFilter(nil, p)
	}
	pq := &pageQuery{pageParams: maps.Clone(p), first: first, cursor: cur != nil}
	countsFromStore := onlyField(q.Filter, func(f *kg.RelationFilter) { f.Types = nil })
	switch {
	case q.SkipTotal:
	case countsFromStore:
		var types []kg.RelationType
		if q.Filter != nil {
			types = q.Filter.Types
		}
		if pq.count, err = typeCount(types); err != nil {
			return nil, err
		}
	default:
		pq.count, pq.countParams = match+" WHERE "+where+" RETURN count(r) AS total", p
	}
	key := ""
	if order.Field == kg.RelationOrderTime {
		key = "r.t"
	}
	filter := where
	window := untypedWindow(q.Filter)
	if !window && scansTypes(q.Filter) && (q.Filter == nil || q.Filter.OccurredFrom == nil && q.Filter.OccurredTo == nil) {
		// Every relationship has t and id (relationProps), so this drops nothing; it lets the
		// planner read one type's range index on the sort key in order and stop after the
		// page (PartialTop) instead of sorting every relation of the type. (A time window
		// already gives the planner a range seek on r.t.)
		sortKey := "r.id"
		if key != "" {
			sortKey = key
		}
		where += " AND " + sortKey + " IS NOT NULL"
	}
	if cur != nil {
		var keyVal any
		if key != "" {
			keyVal, _ = strconv.ParseInt(cur.Key, 10, 64) // Decode checked it
			if window {
				// Implied by the keyset condition, but a bare bound the range seek starts from.
				op := " >= "
				if order.Direction == kg.Desc {
					op = " <= "
				}
				where += " AND r.t" + op + pq.pageParams.add(keyVal)
			}
		}
		where += " AND " + keysetCondition(key, "r.id", order.Direction, keyVal, cur.ID, pq.pageParams)
	}
	pq.pageParams["limit"] = int64(first + 1)
	if window {
		var count string
		pq.page, count = relationWindowUnion(filter, where, orderBy(key, "r.id", order.Direction), q.WithEnds)
		if pq.count != "" {
			pq.count = count
		}
		return pq, nil
	}
	// Sorted and cut before the return, so only the page's rows are read out.
	pq.page = match + " WHERE " + where + " WITH r, a, b " + orderBy(key, "r.id", order.Direction) + " LIMIT $limit " +
		relationReturn(q.WithEnds)
	return pq, nil
}

// relationReturn is the RETURN of a relation page over r from a to b: the relationship and
// its ends' ids, and with ends the entities named too (endsFields).
func relationReturn(withEnds bool) string {
	ret := "RETURN r, a.id AS from, b.id AS to"
	if withEnds {
		for _, f := range endsFields() {
			ret += ", " + f[1] + " AS " + f[0]
		}
	}
	return ret
}

// endsFields are the names and expressions of the entities a relation r from a to b names:
// ea and eb its ends, ec its claimant (null for an unclaimed relation), each as
// entityProjection's map. addEnds reads them.
func endsFields() [][2]string {
	return [][2]string{
		{"ea", entityProjection("a")},
		{"eb", entityProjection("b")},
		{"ec", "head(COLLECT { MATCH (c:Entity {id: r.claimedBy}) RETURN " + entityProjection("c") + " AS c })"},
	}
}

// addEnds adds the entities of a row holding endsProjection's ea, eb and ec to ends.
func addEnds(ends map[string]*kg.Entity, row map[string]any) error {
	for _, k := range []string{"ea", "eb", "ec"} {
		m, ok := row[k].(map[string]any)
		if !ok {
			if row[k] != nil {
				return fmt.Errorf("neo4j: column %s is %T, want map", k, row[k])
			}
			continue
		}
		if id, _ := m["id"].(string); ends[id] == nil {
			e, err := entityFromProps(m)
			if err != nil {
				return err
			}
			ends[e.ID] = e
		}
	}
	return nil
}

// scansTypes reports whether relationMatch answers f by scanning the relationships of its
// types, having no entity, id or provenance to start from.
func scansTypes(f *kg.RelationFilter) bool {
	return f == nil || f.FromID == "" && f.ToID == "" && f.EntityID == "" && len(f.IDs) == 0 &&
		len(f.EntityIDs) == 0 && f.ClaimedByID == "" && f.SourceID == "" && len(f.DisputesIDs) == 0
}

// untypedWindow reports whether a relation listing has a time window but neither types nor
// anything else relationMatch could start from (ids, end entities): then relationMatch's
// type-less MATCH (a)-[r]->(b) would scan every relationship, and relationWindowUnion seeks
// the window in each type's range index on r.t instead.
func untypedWindow(f *kg.RelationFilter) bool {
	return f != nil && (f.OccurredFrom != nil || f.OccurredTo != nil) && len(f.Types) == 0 &&
		len(f.IDs) == 0 && f.FromID == "" && f.ToID == "" && f.EntityID == "" && len(f.EntityIDs) == 0 &&
		f.ClaimedByID == "" && f.SourceID == "" && len(f.DisputesIDs) == 0
}

// relationWindowUnion builds the page and count queries of an untyped window from the
// filter's predicate and the page's (the filter plus the keyset condition). Relationship
// property indexes are per type, so each of kg.RelationTypes (every type a relation may have)
// gets its own branch, a range seek on r.t, and UNION ALL joins them: the types are disjoint,
// so the union is exactly the type-less match. The hint is needed: unhinted, the planner
// answers about half of the branches by scanning the whole index. Each page branch already
// applies the whole predicate and keeps only its first $limit rows (in index order when the
// ordering is by time), so the outer ORDER BY ... LIMIT sorts at most $limit rows a type.
func relationWindowUnion(filter, pageWhere, order string, withEnds bool) (page, total string) {
	pages := make([]string, 0, len(kg.RelationTypes))
	counts := make([]string, 0, len(kg.RelationTypes))
	for _, t := range kg.RelationTypes {
		rt := mustRelType(t)
		pages = append(pages, fmt.Sprintf("MATCH (a)-[r:%s]->(b) USING INDEX SEEK r:%s(t) WHERE %s RETURN r, a, b %s LIMIT $limit", rt, rt, pageWhere, order))
		counts = append(counts, fmt.Sprintf("MATCH (a)-[r:%s]->(b) USING INDEX SEEK r:%s(t) WHERE %s RETURN count(r) AS n", rt, rt, filter))
	}
	page = "CALL () {\n" + strings.Join(pages, "\nUNION ALL\n") + "\n}\nWITH r, a, b " + order + " LIMIT $limit " + relationReturn(withEnds)
	total = "CALL () {\n" + strings.Join(counts, "\nUNION ALL\n") + "\n}\nRETURN sum(n) AS total"
	return page, total
}

// Relations implements kg.Store.
func (s *Store) Relations(ctx context.Context, q kg.RelationQuery) (*kg.RelationPage, error) {
	pq, err := relationsQuery(q)
	if err != nil {
		return nil, err
	}
	return readTx(ctx, s, "list relations", func(tx neo4j.ManagedTransaction) (*kg.RelationPage, error) {
		var ends map[string]*kg.Entity
		if q.WithEnds {
			ends = map[string]*kg.Entity{}
		}
		items, more, total, err := runPage(ctx, tx, pq, func(rec *neo4j.Record) (*kg.Relation, error) {
			if ends != nil {
				if err := addEnds(ends, rec.AsMap()); err != nil {
					return nil, err
				}
			}
			return relationFromRecord(rec)
		})
		if err != nil {
			return nil, err
		}
		return &kg.RelationPage{Items: items, HasNextPage: more, TotalCount: total, Ends: ends}, nil
	})
}

// Sources implements kg.Store: sources in id order.
func (s *Store) Sources(ctx context.Context, q kg.SourceQuery) (*kg.SourcePage, error) {
	first, err := pageSize(q.First)
	if err != nil {
		return nil, err
	}
	cur, err := kg.SourceOrder.Decode(q.After)
	if err != nil {
		return nil, err
	}
	p := params{"limit": int64(first + 1)}
	where := "true"
	if cur != nil {
		where = keysetCondition("", "s.id", kg.Asc, nil, cur.ID, p)
	}
	pq := &pageQuery{page: "MATCH (s:Source) WHERE " + where + " RETURN s ORDER BY s.id LIMIT $limit", pageParams: p, first: first, cursor: cur != nil}
	if !q.SkipTotal {
		pq.count = "MATCH (s:Source) RETURN count(s) AS total"
	}
	return readTx(ctx, s, "list sources", func(tx neo4j.ManagedTransaction) (*kg.SourcePage, error) {
		items, more, total, err := runPage(ctx, tx, pq, func(rec *neo4j.Record) (*kg.Source, error) {
			n, err := recNode(rec, "s")
			if err != nil {
				return nil, err
			}
			return sourceFromNode(n)
		})
		if err != nil {
			return nil, err
		}
		return &kg.SourcePage{Items: items, HasNextPage: more, TotalCount: total}, nil
	})
}

// neighborsQuery compiles a neighbour query: for each entity id, a subquery takes the first
// page of its relations in time order and another counts them, all in one round trip.
func neighborsQuery(q kg.NeighborQuery) (query string, p params, first int, err error) {
	dir := q.Direction
	if dir == "" {
		dir = kg.DirectionBoth
	}
	if !dir.Valid() {
		return "", nil, 0, kg.Invalid("direction", "%q is not a valid direction", q.Direction)
	}
	for i, t := range q.Types {
		if !t.Valid() {
			return "", nil, 0, kg.Invalid(fmt.Sprintf("types[%d]", i), "%q is not a valid relation type", t)
		}
	}
	if first, err = pageSize(q.First); err != nil {
		return "", nil, 0, err
	}
	cur, err := kg.NeighborOrder.Decode(q.After)
	if err != nil {
		return "", nil, 0, err
	}
	alt, err := relTypeAlternation(q.Types)
	if err != nil {
		return "", nil, 0, err
	}
	var pattern string
	switch dir {
	case kg.DirectionOut:
		pattern = "(x)-[r" + alt + "]->()"
	case kg.DirectionIn:
		pattern = "(x)<-[r" + alt + "]-()"
	default:
		pattern = "(x)-[r" + alt + "]-()"
	}
	p = params{"ids": uniq(q.EntityIDs), "limit": int64(first + 1)}
	where := ""
	if cur != nil {
		key, _ := strconv.ParseInt(cur.Key, 10, 64) // Decode checked it
		where = " WHERE " + keysetCondition("r.t", "r.id", kg.Asc, key, cur.ID, p)
	}
	// DISTINCT because an undirected pattern meets a self-loop twice. The page is left out
	// when the count alone answers it (no rows asked, no cursor), the count when skipped.
	page, count := "[] AS rows", "0 AS total"
	ends := ""
	if q.WithEnds {
		for _, f := range endsFields() {
			ends += ", " + f[0] + ": " + f[1]
		}
	}
	var subs strings.Builder
	if first > 0 || cur != nil || q.SkipTotal {
		subs.WriteString(`
CALL (x) {
  MATCH ` + pattern + where + `
  WITH DISTINCT r
  ORDER BY r.t, r.id
  LIMIT $limit
  WITH r, startNode(r) AS a, endNode(r) AS b
  RETURN collect({r: r, from: a.id, to: b.id` + ends + `}) AS rows
}`)
		page = "rows"
	}
	if !q.SkipTotal {
		subs.WriteString(`
CALL (x) {
  MATCH ` + pattern + `
  RETURN count(DISTINCT r) AS total
}`)
		count = "total"
	}
	query = "UNWIND $ids AS id\nOPTIONAL MATCH (x:Entity {id: id})" + subs.String() + "\nRETURN id, " + page + ", " + count
	return query, p, first, nil
}

// Neighbors implements kg.Store in one query for every entity asked.
func (s *Store) Neighbors(ctx context.Context, q kg.NeighborQuery) (map[string]*kg.RelationPage, error) {
	query, p, first, err := neighborsQuery(q)
	if err != nil {
		return nil, err
	}
	if len(q.EntityIDs) == 0 {
		return map[string]*kg.RelationPage{}, nil
	}
	return readTx(ctx, s, "neighbors", func(tx neo4j.ManagedTransaction) (map[string]*kg.RelationPage, error) {
		recs, err := run(ctx, tx, query, p)
		if err != nil {
			return nil, err
		}
		out := make(map[string]*kg.RelationPage, len(q.EntityIDs))
		for _, rec := range recs {
			id, err := recString(rec, "id")
			if err != nil {
				return nil, err
			}
			page := &kg.RelationPage{Items: []*kg.Relation{}}
			if page.TotalCount, err = recInt(rec, "total"); err != nil {
				return nil, err
			}
			rowsV, _ := rec.Get("rows")
			rows, ok := rowsV.([]any)
			if !ok {
				return nil, fmt.Errorf("neo4j: neighbor rows are %T", rowsV)
			}
			if first == 0 && q.After == "" && !q.SkipTotal {
				page.HasNextPage = page.TotalCount > 0
			}
			for i, rowV := range rows {
				if i == first {
					page.HasNextPage = true
					break
				}
				row, ok := rowV.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("neo4j: neighbor row is %T", rowV)
				}
				rel, ok := row["r"].(neo4j.Relationship)
				if !ok {
					return nil, fmt.Errorf("neo4j: neighbor relation is %T", row["r"])
				}
				from, _ := row["from"].(string)
				to, _ := row["to"].(string)
				r, err := relationFromRel(rel, from, to)
				if err != nil {
					return nil, err
				}
				page.Items = append(page.Items, r)
				if q.WithEnds {
					if page.Ends == nil {
						page.Ends = map[string]*kg.Entity{}
					}
					if err := addEnds(page.Ends, row); err != nil {
						return nil, err
					}
				}
			}
			out[id] = page
		}
		for _, id := range q.EntityIDs {
			if out[id] == nil {
				out[id] = &kg.RelationPage{Items: []*kg.Relation{}}
			}
		}
		return out, nil
	})
}

// luceneSpecial are the characters Lucene's classic query parser gives a meaning.
const luceneSpecial = `+-&|!(){}[]^"~*?:\/`

func luceneEscape(term string) string {
	var b strings.Builder
	for _, r := range term {
		if strings.ContainsRune(luceneSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// luceneQuery builds the full-text query for search text: every word of kg.SearchTerms (split
// again at hyphens, as the index's analyzer splits the indexed text) as an exact, a prefix and,
// from four letters on, a fuzzy match; the words are alternatives, so more matching words rank
// higher. Matches in names and aliases (searchText) weigh more than in descriptions.
func luceneQuery(text string) string {
	var words []string
	for _, t := range kg.SearchTerms(text) {
		for _, w := range strings.Split(t, "-") {
			w = strings.Trim(w, "'")
			if w != "" {
				words = append(words, w)
			}
		}
	}
	if len(words) == 0 {
		return ""
	}
	var alts []string
	for _, w := range uniq(words) {
		e := luceneEscape(w)
		// Exact words weigh most, then prefixes; a word of four letters or more also
		// matches with one typo (one edit: two would let "zelenskyi" find "zelenska").
		forms := []string{e + "^3", e + "*^2"}
		if len([]rune(w)) >= 4 {
			forms = append(forms, e+"~1")
		}
		f := strings.Join(forms, " OR ")
		alts = append(alts, "searchText:("+f+")^4", "description:("+f+")")
	}
	return strings.Join(alts, " OR ")
}

// Search implements kg.Store with the full-text index.
func (s *Store) Search(ctx context.Context, q kg.SearchQuery) ([]kg.SearchHit, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	lq := luceneQuery(q.Text)
	if lq == "" {
		return []kg.SearchHit{}, nil
	}
	limit := q.Limit
	if limit == 0 { // as in the embedded store: no limit given means a default page
		limit = kg.DefaultPageSize
	}
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	p := map[string]any{"index": fulltextIndex, "q": lq, "kinds": kinds, "limit": int64(limit)}
	const query = `CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score
WHERE size($kinds) = 0 OR node.kind IN $kinds
RETURN node, score ORDER BY score DESC, node.id LIMIT $limit`
	return readTx(ctx, s, "search", func(tx neo4j.ManagedTransaction) ([]kg.SearchHit, error) {
		recs, err := run(ctx, tx, query, p)
		if err != nil {
			return nil, err
		}
		hits := make([]kg.SearchHit, 0, len(recs))
		for _, rec := range recs {
			n, err := recNode(rec, "node")
			if err != nil {
				return nil, err
			}
			e, err := entityFromNode(n)
			if err != nil {
				return nil, err
			}
			score, err := recFloat(rec, "score")
			if err != nil {
				return nil, err
			}
			hits = append(hits, kg.SearchHit{Entity: e, Score: score})
		}
		return hits, nil
	})
}
