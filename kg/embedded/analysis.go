package embedded

import (
	"cmp"
	"container/heap"
	"context"
	"slices"
	"strings"

	"github.com/factgraph/factgraph/kg"
)

// The graph queries walk the adjacency indexes (out, in) from the entities they start at, so
// their cost follows the part of the graph they touch, not the size of the graph. Where the
// answer is capped (a neighbourhood's limit, a path query's limit) they stop as soon as the
// capped answer is decided.

// Stats counts the graph, or the part q selects. The maps hold only the kinds, types,
// statuses and sources that occur, as a GROUP BY in the Neo4j store would.
func (s *Store) Stats(ctx context.Context, q kg.StatsQuery) (*kg.Stats, error) {
	if err := q.Entities.Check("entities"); err != nil {
		return nil, err
	}
	if err := q.Relations.Check("relations"); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	g := s.g
	st := &kg.Stats{
		Sources:  len(g.sources),
		ByKind:   map[kg.EntityKind]int{},
		ByType:   map[kg.RelationType]int{},
		ByStatus: map[kg.ClaimStatus]int{},
		BySource: map[string]int{},
	}
	countEntity := func(e *kg.Entity) {
		if q.Entities.MatchRelated(e, g.hasRelation) {
			st.Entities++
			st.ByKind[e.Kind]++
		}
	}
	if ids, ok := g.entityCandidates(q.Entities); ok {
		for _, id := range ids {
			if row := g.entities[id]; row != nil {
				countEntity(row.e)
			}
		}
	} else {
		stop := &stopper{ctx: ctx}
		for _, row := range g.entities {
			if stop.stop() {
				return nil, ctx.Err()
			}
			countEntity(row.e)
		}
	}
	countRelation := func(r *kg.Relation) {
		if q.Relations.Match(r) {
			st.Relations++
			st.ByType[r.Type]++
			st.ByStatus[r.Status]++
			for _, id := range r.SourceIDs {
				st.BySource[id]++
			}
		}
	}
	if ids, ok := g.relationCandidates(q.Relations); ok {
		for _, id := range ids {
			if row := g.relations[id]; row != nil {
				countRelation(row.r)
			}
		}
	} else {
		stop := &stopper{ctx: ctx}
		for _, row := range timeWindow(g.relationsByTime.rows, q.Relations) {
			if stop.stop() {
				return nil, ctx.Err()
			}
			countRelation(row.r)
		}
	}
	return st, nil
}

// Neighborhood returns the subgraph around q.ID by the rules on kg.Subgraph. It is a
// breadth-first search one whole level at a time: the nodes of a level are sorted by id, so
// the level that reaches the limit keeps its smallest ids, and no level beyond it is expanded,
// except to learn whether it holds anything (for Truncated).
func (s *Store) Neighborhood(ctx context.Context, q kg.NeighborhoodQuery) (*kg.Subgraph, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	g := s.g
	centre := g.entities[q.ID]
	if centre == nil {
		return nil, kg.NotFound("entity", q.ID)
	}
	follows := func(row *relationRow) bool { return q.Follows(row.r) }
	if len(q.Types) == 0 && len(q.Statuses) == 0 {
		follows = nil // every relation
	}

	sub := &kg.Subgraph{Nodes: []kg.SubgraphNode{{Entity: cloneEntity(centre.e), Distance: 0}}}
	kept := map[string]bool{q.ID: true}
	level := []string{q.ID}
	for d := 1; d <= q.Depth && len(level) > 0 && !sub.Truncated; d++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		room := q.Limit - len(sub.Nodes)
		if room == 0 {
			// Full: only whether anything lies at distance d matters now.
			sub.Truncated = g.anyNeighbor(level, follows, kept)
			break
		}
		next := g.nextLevel(level, follows, kept)
		slices.Sort(next)
		if len(next) > room {
			next, sub.Truncated = next[:room], true
		}
		for _, id := range next {
			kept[id] = true
			sub.Nodes = append(sub.Nodes, kg.SubgraphNode{Entity: cloneEntity(g.entities[id].e), Distance: d})
		}
		level = next
	}

	// The relations among the kept nodes. Each is in one out-group of its from end, which is
	// kept; a node with more neighbours than there are kept nodes (a hub) is asked for each
	// kept node instead of walking all its neighbours.
	var rels []*relationRow
	collect := func(rows []*relationRow) {
		for _, row := range rows {
			if follows == nil || follows(row) {
				rels = append(rels, row)
			}
		}
	}
	for _, n := range sub.Nodes {
		a := g.adj[n.Entity.ID]
		switch {
		case a == nil:
		case len(a.out) <= len(sub.Nodes):
			for other, rows := range a.out {
				if kept[other] {
					collect(rows)
				}
			}
		default:
			for _, m := range sub.Nodes {
				collect(a.out[m.Entity.ID])
			}
		}
	}
	slices.SortFunc(rels, compareRelations(kg.RelationOrderID))
	if max := q.MaxEdges(); len(rels) > max {
		rels, sub.Truncated = rels[:max], true
	}
	sub.Relations = make([]*kg.Relation, len(rels))
	for i, row := range rels {
		sub.Relations[i] = cloneRelation(row.r)
	}
	return sub, nil
}

// eachNeighbor calls f with every entity joined to id by a relation that follows accepts (nil:
// any), until f returns false. An entity joined in both directions may come twice; a
// self-loop's other end is id itself.
func (g *graph) eachNeighbor(id string, follows func(*relationRow) bool, f func(other string) bool) bool {
	a := g.adj[id]
	if a == nil {
		return true
	}
	for _, groups := range [2]map[string][]*relationRow{a.out, a.in} {
		for other, rows := range groups {
			if (follows == nil || slices.ContainsFunc(rows, follows)) && !f(other) {
				return false
			}
		}
	}
	return true
}

// nextLevel returns, unsorted and without repeats, the entities one followed relation away
// from level that are not in seen.
func (g *graph) nextLevel(level []string, follows func(*relationRow) bool, seen map[string]bool) []string {
	found := map[string]bool{}
	var next []string
	for _, id := range level {
		g.eachNeighbor(id, follows, func(other string) bool {
			if !seen[other] && !found[other] {
				found[other] = true
				next = append(next, other)
			}
			return true
		})
	}
	return next
}

// anyNeighbor reports whether some entity outside seen is one followed relation from level.
func (g *graph) anyNeighbor(level []string, follows func(*relationRow) bool, seen map[string]bool) bool {
	for _, id := range level {
		if !g.eachNeighbor(id, follows, func(other string) bool { return seen[other] }) {
			return true
		}
	}
	return false
}

// ShortestPaths returns the shortest paths from q.FromID to q.ToID, by the rules on
// kg.Store.ShortestPaths.
//
// A bidirectional breadth-first search finds the distance D, always growing the side whose
// frontier has fewer neighbours to visit, so that a hub near one end is not expanded when the
// other side can meet it. The entities that lie on some shortest path are then marked with
// their position (0..D) and a depth-first walk from FromID enumerates the paths: at every
// entity it takes the relations to the next position in id order, so paths come out in
// kg.PathKey order (all have D relations, and ids cannot contain the separator) and every
// branch reaches ToID. The walk therefore stops after q.Limit paths having done work in
// proportion to them, however many shortest paths there are.
func (s *Store) ShortestPaths(ctx context.Context, q kg.PathQuery) ([]kg.Path, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	g := s.g
	from, to := g.entities[q.FromID], g.entities[q.ToID]
	if from == nil {
		return nil, kg.NotFound("entity", q.FromID)
	}
	if to == nil {
		return nil, kg.NotFound("entity", q.ToID)
	}
	if q.FromID == q.ToID {
		return []kg.Path{{Entities: []*kg.Entity{cloneEntity(from.e)}}}, nil
	}
	pf := pathFinder{g: g, types: q.Types}
	pos, byPos, err := pf.positions(ctx, q.FromID, q.ToID, q.MaxDepth)
	if err != nil || pos == nil {
		return nil, err
	}

	// The steps from each entity to the next position, computed once per entity, by id.
	steps := map[string][]pathStep{}
	stepsOf := func(id string) []pathStep {
		st, ok := steps[id]
		if ok {
			return st
		}
		p, a := pos[id], g.adj[id]
		add := func(rows []*relationRow, other string) {
			for _, row := range rows {
				if pf.allowed(row) {
					st = append(st, pathStep{rel: row.r, to: other})
				}
			}
		}
		if next := byPos[p+1]; len(next) < a.neighbors() {
			for _, other := range next {
				out, in := a.between(other)
				add(out, other)
				add(in, other)
			}
		} else {
			for _, groups := range [2]map[string][]*relationRow{a.out, a.in} {
				for other, rows := range groups {
					if np, on := pos[other]; on && np == p+1 {
						add(rows, other)
					}
				}
			}
		}
		slices.SortFunc(st, func(a, b pathStep) int { return strings.Compare(a.rel.ID, b.rel.ID) })
		steps[id] = st
		return st
	}
	var paths []kg.Path
	var walked []pathStep
	var walk func(id string)
	walk = func(id string) {
		if id == q.ToID {
			p := kg.Path{Entities: []*kg.Entity{cloneEntity(from.e)}, Relations: make([]*kg.Relation, len(walked))}
			for i, st := range walked {
				p.Relations[i] = cloneRelation(st.rel)
				p.Entities = append(p.Entities, cloneEntity(g.entities[st.to].e))
			}
			paths = append(paths, p)
			return
		}
		for _, st := range stepsOf(id) {
			if len(paths) == q.Limit {
				return
			}
			walked = append(walked, st)
			walk(st.to)
			walked = walked[:len(walked)-1]
		}
	}
	walk(q.FromID)
	return paths, nil
}

type pathStep struct {
	rel *kg.Relation
	to  string
}

// pathFinder holds what a shortest-path search follows.
type pathFinder struct {
	g     *graph
	types []kg.RelationType
}

func (pf *pathFinder) allowed(row *relationRow) bool {
	return len(pf.types) == 0 || slices.Contains(pf.types, row.r.Type)
}

// joined reports whether a followed relation joins the entity of adjacency a and other.
func (pf *pathFinder) joined(a *adjacency, other string) bool {
	out, in := a.between(other)
	return slices.ContainsFunc(out, pf.allowed) || slices.ContainsFunc(in, pf.allowed)
}

// eachNeighbor calls f with every entity joined to id by a followed relation.
func (pf *pathFinder) eachNeighbor(id string, f func(other string)) {
	a := pf.g.adj[id]
	if a == nil {
		return
	}
	for _, groups := range [2]map[string][]*relationRow{a.out, a.in} {
		for other, rows := range groups {
			if slices.ContainsFunc(rows, pf.allowed) {
				f(other)
			}
		}
	}
}

// bfsSide is one end of a bidirectional search: distances from its start, by level.
type bfsSide struct {
	dist   map[string]int
	levels [][]string // levels[d]: the entities at distance d
}

func (s *bfsSide) depth() int         { return len(s.levels) - 1 }
func (s *bfsSide) frontier() []string { return s.levels[len(s.levels)-1] }

// cost is how many neighbours expanding the frontier would visit.
func (pf *pathFinder) cost(s *bfsSide) int {
	n := 0
	for _, id := range s.frontier() {
		n += pf.g.adj[id].neighbors()
	}
	return n
}

// positions returns, for every entity on a shortest path from a to b of at most maxDepth
// relations, its distance from a, and the entities at each position; nil when there is no
// such path.
func (pf *pathFinder) positions(ctx context.Context, a, b string, maxDepth int) (map[string]int, [][]string, error) {
	sa := &bfsSide{dist: map[string]int{a: 0}, levels: [][]string{{a}}}
	sb := &bfsSide{dist: map[string]int{b: 0}, levels: [][]string{{b}}}
	var meet []string
	for len(meet) == 0 {
		if sa.depth()+sb.depth() >= maxDepth {
			return nil, nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		grow, other := sa, sb
		if pf.cost(sb) < pf.cost(sa) {
			grow, other = sb, sa
		}
		if len(grow.frontier()) == 0 {
			return nil, nil, nil // that side's component is exhausted: no path at any depth
		}
		d := grow.depth() + 1
		var next []string
		for _, id := range grow.frontier() {
			pf.eachNeighbor(id, func(o string) {
				if _, seen := grow.dist[o]; !seen {
					grow.dist[o] = d
					next = append(next, o)
					if _, ok := other.dist[o]; ok {
						meet = append(meet, o)
					}
				}
			})
		}
		grow.levels = append(grow.levels, next)
	}
	// Before this level no entity was reached from both sides, so every entity reached from
	// both now lies on a shortest path, at the same position, and D = depth(a) + depth(b).
	total := sa.depth() + sb.depth()
	pos := map[string]int{}
	byPos := make([][]string, total+1)
	mark := func(id string, p int) {
		pos[id] = p
		byPos[p] = append(byPos[p], id)
	}
	for _, id := range meet {
		mark(id, sa.dist[id])
	}
	// Walk from the meeting entities back to a along falling distance from a, and on to b
	// along falling distance from b: what is reached lies on a shortest path.
	for _, side := range []struct {
		s     *bfsSide
		posOf func(d int) int
	}{
		{sa, func(d int) int { return d }},
		{sb, func(d int) int { return total - d }},
	} {
		level := meet
		for d := side.s.dist[meet[0]]; d > 0; d-- {
			var prev []string
			candidates := side.s.levels[d-1]
			for _, id := range level {
				adj := pf.g.adj[id]
				take := func(o string) {
					if _, marked := pos[o]; !marked {
						mark(o, side.posOf(d-1))
						prev = append(prev, o)
					}
				}
				if len(candidates) < adj.neighbors() {
					for _, o := range candidates {
						if pf.joined(adj, o) {
							take(o)
						}
					}
				} else {
					pf.eachNeighbor(id, func(o string) {
						if od, ok := side.s.dist[o]; ok && od == d-1 {
							take(o)
						}
					})
				}
			}
			level = prev
		}
	}
	return pos, byPos, nil
}

// Degrees returns the entities with the most relations by the rules on kg.EntityDegree. It
// walks the adjacency index, which holds only entities that have relations; without a type
// filter the counts kept there answer in O(1) per entity. The best q.Limit are kept in a heap
// rather than sorting them all.
func (s *Store) Degrees(ctx context.Context, q kg.DegreeQuery) ([]kg.EntityDegree, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	g := s.g
	typed := func(groups map[string][]*relationRow, skip string) int {
		n := 0
		for other, rows := range groups {
			if other == skip {
				continue
			}
			for _, row := range rows {
				if slices.Contains(q.Types, row.r.Type) {
					n++
				}
			}
		}
		return n
	}
	top := &degreeHeap{}
	stop := &stopper{ctx: ctx}
	for id, a := range g.adj {
		if stop.stop() {
			return nil, ctx.Err()
		}
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, g.entities[id].e.Kind) {
			continue
		}
		n := 0
		switch {
		case len(q.Types) == 0 && q.Direction == kg.DirectionOut:
			n = a.nOut
		case len(q.Types) == 0 && q.Direction == kg.DirectionIn:
			n = a.nIn
		case len(q.Types) == 0:
			n = a.nOut + a.nIn - a.nSelf
		case q.Direction == kg.DirectionOut:
			n = typed(a.out, "")
		case q.Direction == kg.DirectionIn:
			n = typed(a.in, "")
		default:
			n = typed(a.out, "") + typed(a.in, id) // self-loops once, from out
		}
		if n == 0 {
			continue
		}
		d := degreeRow{id, n}
		if top.Len() < q.Limit {
			heap.Push(top, d)
		} else if compareDegrees(d, (*top)[0]) < 0 {
			(*top)[0] = d
			heap.Fix(top, 0)
		}
	}
	rows := []degreeRow(*top)
	slices.SortFunc(rows, compareDegrees)
	out := make([]kg.EntityDegree, len(rows))
	for i, d := range rows {
		out[i] = kg.EntityDegree{Entity: cloneEntity(g.entities[d.id].e), Degree: d.n}
	}
	return out, nil
}

type degreeRow struct {
	id string
	n  int
}

// compareDegrees orders a degree list: more relations first, then by id.
func compareDegrees(a, b degreeRow) int {
	if c := cmp.Compare(b.n, a.n); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// degreeHeap keeps the best rows seen with the worst of them on top.
type degreeHeap []degreeRow

func (h degreeHeap) Len() int           { return len(h) }
func (h degreeHeap) Less(i, j int) bool { return compareDegrees(h[i], h[j]) > 0 }
func (h degreeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *degreeHeap) Push(x any)        { *h = append(*h, x.(degreeRow)) }
func (h *degreeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
