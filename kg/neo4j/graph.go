package neo4jstore

import (
	"context"
	"fmt"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The graph queries: Stats, Neighborhood, ShortestPaths and Degrees. Each runs in one read
// transaction; the rules they follow are kg's (kg/analysis.go), which the embedded store
// implements too and kg/storetest holds both to.

// statsQueries compiles a Stats query: entities grouped by kind, relations grouped by type
// and status, and relations per source.
func statsQueries(q kg.StatsQuery) (entities, relations, sources string, ep, rp params, err error) {
	if err = q.Entities.Check("entities"); err != nil {
		return
	}
	if err = q.Relations.Check("relations"); err != nil {
		return
	}
	ep, rp = params{}, params{}
	ematch, err := entityMatch(q.Entities, ep)
	if err != nil {
		return
	}
	where, err := compileEntityFilter(q.Entities, "n", ep)
	if err != nil {
		return
	}
	entities = ematch + " WHERE " + where + " RETURN n.kind AS k, count(*) AS c"
	match, err := relationMatch(q.Relations, rp)
	if err != nil {
		return
	}
	rel := match + " WHERE " + compileRelationFilter(q.Relations, rp)
	relations = rel + " RETURN type(r) AS t, r.status AS s, count(*) AS c"
	// sourceIds has no repeats (kg normalises it), so a row per element is a relation per
	// source.
	sources = rel + " UNWIND r.sourceIds AS sid RETURN sid, count(*) AS c"
	return
}

// Stats implements kg.Store: three grouped counts and the source total. Unfiltered, the
// entity count reads the kind index and the relation counts scan the relationships once each.
func (s *Store) Stats(ctx context.Context, q kg.StatsQuery) (*kg.Stats, error) {
	entities, relations, sources, ep, rp, err := statsQueries(q)
	if err != nil {
		return nil, err
	}
	return readTx(ctx, s, "stats", func(tx neo4j.ManagedTransaction) (*kg.Stats, error) {
		st := &kg.Stats{
			ByKind:   map[kg.EntityKind]int{},
			ByType:   map[kg.RelationType]int{},
			ByStatus: map[kg.ClaimStatus]int{},
			BySource: map[string]int{},
		}
		recs, err := run(ctx, tx, entities, ep)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			k, err := recString(rec, "k")
			if err != nil {
				return nil, err
			}
			c, err := recInt(rec, "c")
			if err != nil {
				return nil, err
			}
			st.ByKind[kg.EntityKind(k)] += c
			st.Entities += c
		}
		if recs, err = run(ctx, tx, relations, rp); err != nil {
			return nil, err
		}
		for _, rec := range recs {
			t, err := recString(rec, "t")
			if err != nil {
				return nil, err
			}
			status, err := recString(rec, "s")
			if err != nil {
				return nil, err
			}
			c, err := recInt(rec, "c")
			if err != nil {
				return nil, err
			}
			st.ByType[kg.RelationType(t)] += c
			st.ByStatus[kg.ClaimStatus(status)] += c
			st.Relations += c
		}
		if recs, err = run(ctx, tx, sources, rp); err != nil {
			return nil, err
		}
		for _, rec := range recs {
			id, err := recString(rec, "sid")
			if err != nil {
				return nil, err
			}
			c, err := recInt(rec, "c")
			if err != nil {
				return nil, err
			}
			st.BySource[id] += c
		}
		st.Sources, err = runCount(ctx, tx, "MATCH (s:Source) RETURN count(s) AS total", nil)
		return st, err
	})
}

// neighborhoodQueries are the two queries of a neighbourhood: one level of the breadth-first
// search, and the relations among the kept entities. The followed types restrict the
// patterns; the statuses are a parameter.
//
// The seeks by id carry USING INDEX SEEK: on a database that had been wiped and reloaded many
// times (the test database), the planner was seen choosing, per UNWIND row, a scan of the
// whole id index filtered by id (NodeIndexScan + Filter: 242,300 db hits for 100 ids, 66 ms)
// where the seek costs 200 (4 ms). A plain USING INDEX did not prevent it: a scan satisfies
// that hint too. The index is the entity_id constraint's, which migrate always creates.
type neighborhoodQueries struct {
	level, relations string
}

func compileNeighborhood(q *kg.NeighborhoodQuery) (neighborhoodQueries, error) {
	alt, err := relTypeAlternation(q.Types)
	if err != nil {
		return neighborhoodQueries{}, err
	}
	status := ""
	if len(q.Statuses) > 0 {
		status = " AND r.status IN $statuses"
	}
	return neighborhoodQueries{
		// The entities one followed relation from the frontier, in either direction, not yet
		// visited: DISTINCT since several frontier entities may reach one, ordered by id and
		// cut at the room left plus one (which tells that the level did not fit). b needs no
		// :Entity check: relationships only ever join entities (UpsertRelations MATCHes both
		// ends as :Entity), and the check costs a read per expanded relation (around a hub of
		// 12,000: 18 ms with it, 14 ms without).
		level: "UNWIND $frontier AS fid MATCH (f:Entity {id: fid})-[r" + alt + "]-(b) USING INDEX SEEK f:Entity(id)" +
			" WHERE NOT b.id IN $visited" + status +
			" WITH DISTINCT b ORDER BY b.id LIMIT $limit RETURN b",
		// Each relation among the kept entities once, from its start node's side. The far
		// end of every expanded relation is tested by element id (valid within the
		// transaction that read the nodes), which is no property read: around a hub that
		// halves the cost (measured: 13 ms instead of 28 ms with a kept hub of 12,000
		// relations). The start nodes are seeked by id, not element id: on a small database
		// the planner would scan every relationship rather than seek by element id.
		relations: "UNWIND $ids AS id MATCH (a:Entity {id: id})-[r" + alt + "]->(b) USING INDEX SEEK a:Entity(id)" +
			" WHERE elementId(b) IN $eids" + status +
			" RETURN r, a.id AS from, b.id AS to ORDER BY r.id LIMIT $limit",
	}, nil
}

// Neighborhood implements kg.Store by the rules on kg.Subgraph, as the embedded store does: a
// breadth-first search one whole level per query (at most kg.MaxNeighborhoodDepth of them),
// each level's new entities sorted by id and cut at the room left, so the level that reaches
// the limit keeps its smallest ids and no level beyond it is expanded, except to learn
// whether it holds anything. Then one query for the relations among the kept entities. All
// run in one read transaction (Neo4j reads at read-committed, so a write committed between
// two of them can show in the later ones; every relation returned still has both ends among
// the nodes returned, because the last query checks that itself).
func (s *Store) Neighborhood(ctx context.Context, q kg.NeighborhoodQuery) (*kg.Subgraph, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	nq, err := compileNeighborhood(&q)
	if err != nil {
		return nil, err
	}
	statuses := statusStrings(q.Statuses)
	return readTx(ctx, s, "neighborhood", func(tx neo4j.ManagedTransaction) (*kg.Subgraph, error) {
		recs, err := run(ctx, tx, "MATCH (n:Entity {id: $id}) RETURN n", map[string]any{"id": q.ID})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, kg.NotFound("entity", q.ID)
		}
		n, err := recNode(recs[0], "n")
		if err != nil {
			return nil, err
		}
		centre, err := entityFromNode(n)
		if err != nil {
			return nil, err
		}
		sub := &kg.Subgraph{Nodes: []kg.SubgraphNode{{Entity: centre, Distance: 0}}}
		visited := []string{q.ID}
		elementIDs := []string{n.ElementId}
		frontier := []string{q.ID}
		for d := 1; d <= q.Depth && len(frontier) > 0 && !sub.Truncated; d++ {
			room := q.Limit - len(sub.Nodes)
			recs, err := run(ctx, tx, nq.level, map[string]any{
				"frontier": frontier, "visited": visited, "statuses": statuses, "limit": int64(room + 1),
			})
			if err != nil {
				return nil, err
			}
			var next []string
			for i, rec := range recs {
				if i == room {
					// Level d holds more than there is room for (with no room left, the query
					// only asked whether it holds anything): the rest is left out.
					sub.Truncated = true
					break
				}
				n, err := recNode(rec, "b")
				if err != nil {
					return nil, err
				}
				e, err := entityFromNode(n)
				if err != nil {
					return nil, err
				}
				sub.Nodes = append(sub.Nodes, kg.SubgraphNode{Entity: e, Distance: d})
				next = append(next, e.ID)
				visited = append(visited, e.ID)
				elementIDs = append(elementIDs, n.ElementId)
			}
			frontier = next
		}
		maxEdges := q.MaxEdges()
		recs, err = run(ctx, tx, nq.relations, map[string]any{
			"ids": visited, "eids": elementIDs, "statuses": statuses, "limit": int64(maxEdges + 1),
		})
		if err != nil {
			return nil, err
		}
		sub.Relations = make([]*kg.Relation, 0, min(len(recs), maxEdges))
		for i, rec := range recs {
			if i == maxEdges {
				sub.Truncated = true
				break
			}
			r, err := relationFromRecord(rec)
			if err != nil {
				return nil, err
			}
			sub.Relations = append(sub.Relations, r)
		}
		return sub, nil
	})
}

// pathScanCap bounds how many shortest paths one path query reads from Neo4j before sorting
// them by kg.PathKey. Between two hubs the number of shortest paths grows as the product of
// their degrees (two entities sharing 10,000 neighbours have 10,000 paths of length 2), and
// Neo4j must produce every one of them to sort; the cap keeps such a query's cost bounded.
// Up to the cap the answer is exact (the lowest PathKeys of all shortest paths, as the
// embedded store returns); beyond it, it is the lowest of the first pathScanCap paths Neo4j
// enumerates, and the store logs a warning.
const pathScanCap = 10000

// shortestPathsQuery finds every shortest path (relations followed in either direction, of
// the given types, at most maxDepth long) between $from and $to, reads at most $scan of them,
// and returns the $limit lowest by kg.PathKey with how many were read. A path's relation ids
// as a list compare in Cypher element by element, which for paths of one length orders them
// as PathKey's joined string does (ids never contain its separator, which sorts below every id
// character).
func shortestPathsQuery(types []kg.RelationType, maxDepth int) (string, error) {
	alt, err := relTypeAlternation(types)
	if err != nil {
		return "", err
	}
	bound, err := depthBound(maxDepth)
	if err != nil {
		return "", err
	}
	return "MATCH (a:Entity {id: $from}), (b:Entity {id: $to}) USING INDEX SEEK a:Entity(id) USING INDEX SEEK b:Entity(id)" +
		" MATCH p = allShortestPaths((a)-[x" + alt + bound + "]-(b))" +
		" WITH p LIMIT $scan" +
		" WITH collect(p) AS ps" +
		" UNWIND ps AS p" +
		" WITH p, size(ps) AS found, [r IN relationships(p) | r.id] AS key" +
		" ORDER BY key LIMIT $limit" +
		" RETURN p, found", nil
}

// ShortestPaths implements kg.Store. Neo4j's allShortestPaths runs a bidirectional
// breadth-first search from the two index-seeked ends; the paths come back sorted by PathKey
// and cut at the limit, so one path (q.All false) is the lowest PathKey, the same path the
// embedded store picks. See pathScanCap for where the two can differ.
func (s *Store) ShortestPaths(ctx context.Context, q kg.PathQuery) ([]kg.Path, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	query, err := shortestPathsQuery(q.Types, q.MaxDepth)
	if err != nil {
		return nil, err
	}
	return readTx(ctx, s, "shortest paths", func(tx neo4j.ManagedTransaction) ([]kg.Path, error) {
		ends, err := fetchEntities(ctx, tx, []string{q.FromID, q.ToID})
		if err != nil {
			return nil, err
		}
		for _, id := range []string{q.FromID, q.ToID} {
			if ends[id] == nil {
				return nil, kg.NotFound("entity", id)
			}
		}
		if q.FromID == q.ToID {
			// Neo4j's shortest-path search refuses equal ends; the path of no relations is it.
			return []kg.Path{{Entities: []*kg.Entity{ends[q.FromID]}}}, nil
		}
		recs, err := run(ctx, tx, query, map[string]any{
			"from": q.FromID, "to": q.ToID, "scan": int64(pathScanCap), "limit": int64(q.Limit),
		})
		if err != nil {
			return nil, err
		}
		var paths []kg.Path
		for _, rec := range recs {
			found, err := recInt(rec, "found")
			if err != nil {
				return nil, err
			}
			if found == pathScanCap && len(paths) == 0 {
				s.log.Warn("shortest paths: more than the scan cap; the result is the lowest of the first paths found",
					"from", q.FromID, "to", q.ToID, "cap", pathScanCap)
			}
			v, _ := rec.Get("p")
			p, ok := v.(neo4j.Path)
			if !ok {
				return nil, fmt.Errorf("neo4j: column p is %T, want path", v)
			}
			path, err := pathFromNeo(p)
			if err != nil {
				return nil, err
			}
			paths = append(paths, path)
		}
		return paths, nil
	})
}

// pathFromNeo maps a Neo4j path, whose nodes run from the start to the end, to a kg.Path.
func pathFromNeo(p neo4j.Path) (kg.Path, error) {
	out := kg.Path{Entities: make([]*kg.Entity, len(p.Nodes)), Relations: make([]*kg.Relation, len(p.Relationships))}
	ids := make(map[string]string, len(p.Nodes))
	for i, n := range p.Nodes {
		e, err := entityFromNode(n)
		if err != nil {
			return kg.Path{}, err
		}
		out.Entities[i] = e
		ids[n.ElementId] = e.ID
	}
	for i, rel := range p.Relationships {
		r, err := relationFromRel(rel, ids[rel.StartElementId], ids[rel.EndElementId])
		if err != nil {
			return kg.Path{}, err
		}
		out.Relations[i] = r
	}
	return out, nil
}

// degreesQuery ranks entities by their number of relations of the given types in direction
// d. COUNT over a pattern with no other condition is planned as a degree read (GetDegree),
// which Neo4j answers from the node's relationship counts without expanding them; an
// undirected pattern counts a self-loop once, as kg does.
func degreesQuery(q *kg.DegreeQuery) (string, params, error) {
	alt, err := relTypeAlternation(q.Types)
	if err != nil {
		return "", nil, err
	}
	var pattern string
	switch q.Direction {
	case kg.DirectionOut:
		pattern = "(n)-[x" + alt + "]->()"
	case kg.DirectionIn:
		pattern = "(n)<-[x" + alt + "]-()"
	default:
		pattern = "(n)-[x" + alt + "]-()"
	}
	p := params{"limit": int64(q.Limit)}
	where := ""
	if len(q.Kinds) > 0 {
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		where = " WHERE n.kind IN " + p.add(kinds)
	}
	return "MATCH (n:Entity)" + where +
		" WITH n, COUNT { " + pattern + " } AS degree WHERE degree > 0" +
		" RETURN n, degree ORDER BY degree DESC, n.id LIMIT $limit", p, nil
}

// Degrees implements kg.Store.
func (s *Store) Degrees(ctx context.Context, q kg.DegreeQuery) ([]kg.EntityDegree, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	query, p, err := degreesQuery(&q)
	if err != nil {
		return nil, err
	}
	return readTx(ctx, s, "degrees", func(tx neo4j.ManagedTransaction) ([]kg.EntityDegree, error) {
		recs, err := run(ctx, tx, query, p)
		if err != nil {
			return nil, err
		}
		out := make([]kg.EntityDegree, 0, len(recs))
		for _, rec := range recs {
			n, err := recNode(rec, "n")
			if err != nil {
				return nil, err
			}
			e, err := entityFromNode(n)
			if err != nil {
				return nil, err
			}
			d, err := recInt(rec, "degree")
			if err != nil {
				return nil, err
			}
			out = append(out, kg.EntityDegree{Entity: e, Degree: d})
		}
		return out, nil
	})
}
