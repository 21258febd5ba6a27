package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// GeneratedRelationTypes are the relation types Generate draws from.
var GeneratedRelationTypes = []kg.RelationType{
	kg.RelSpokeWith, kg.RelMemberOf, kg.RelLocatedIn, kg.RelPartOf, kg.RelAffected, kg.RelMediated,
}

// Generate builds a deterministic synthetic graph, for the contract suite and for benchmarks:
// the same arguments always give the same inputs. It makes three sources, `entities`
// entities of every kind ("gen:e00000", ...), and `relations` relations ("gen:r00000", ...)
// of GeneratedRelationTypes with random statuses, sources, confidences and times (a fifth
// undated, the rest within March–April 2025 in several UTC offsets). Two fifths of the
// relations have one end on one of `hubs` hub countries spread over the id range, so with
// relations > 250*hubs every hub has a degree above 100; the rest join two random entities
// (parallel relations happen; self loops never do). Events get an occurredAt.
//
// Entities must be at least 2 and above hubs. Write the result with WriteAll.
func Generate(seed int64, entities, relations, hubs int) ([]kg.SourceInput, []kg.EntityInput, []kg.RelationInput) {
	if entities < 2 || hubs < 0 || hubs >= entities || relations < 0 {
		panic(fmt.Sprintf("storetest.Generate: bad sizes: %d entities, %d relations, %d hubs", entities, relations, hubs))
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6b67_5eed))
	zones := []*time.Location{time.UTC, zKyiv, zMoscow, zWashington}
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	when := func() time.Time {
		return base.Add(time.Duration(rng.IntN(60*24*60)) * time.Minute).In(zones[rng.IntN(len(zones))])
	}

	sources := make([]kg.SourceInput, 3)
	for i := range sources {
		sources[i] = kg.SourceInput{ID: fmt.Sprintf("src:gen-%d", i), Title: fmt.Sprintf("Generated source %d", i),
			URL: fmt.Sprintf("https://example.org/generated/%d", i), Category: "article"}
	}
	pickSources := func() []string {
		a := rng.IntN(len(sources))
		if rng.IntN(3) > 0 {
			return []string{sources[a].ID}
		}
		b := (a + 1 + rng.IntN(len(sources)-1)) % len(sources)
		return []string{sources[a].ID, sources[b].ID}
	}

	isHub := make([]bool, entities)
	hubIdx := make([]int, hubs)
	for k := range hubs {
		hubIdx[k] = (2*k + 1) * entities / (2 * hubs)
		isHub[hubIdx[k]] = true
	}
	ents := make([]kg.EntityInput, entities)
	for i := range ents {
		kind := kg.EntityKinds[rng.IntN(len(kg.EntityKinds))]
		if isHub[i] {
			kind = kg.KindCountry
		}
		e := kg.EntityInput{
			ID: fmt.Sprintf("gen:e%05d", i), Kind: kind,
			Name:      fmt.Sprintf("Generated %s %d", strings.ToLower(string(kind)), i),
			SourceIDs: []string{sources[rng.IntN(len(sources))].ID},
		}
		if kind == kg.KindEvent {
			e.OccurredAt = &kg.Time{At: when(), Precision: kg.PrecisionMinute}
		}
		ents[i] = e
	}

	rels := make([]kg.RelationInput, relations)
	hubCount := 0
	for j := range rels {
		var from, to int
		if hubs > 0 && j%5 < 2 {
			h := hubIdx[hubCount%hubs]
			hubCount++
			o := rng.IntN(entities - 1)
			if o >= h {
				o++
			}
			from, to = h, o
			if rng.IntN(2) == 0 {
				from, to = o, h
			}
		} else {
			from = rng.IntN(entities)
			to = rng.IntN(entities - 1)
			if to >= from {
				to++
			}
		}
		r := kg.RelationInput{
			ID:   fmt.Sprintf("gen:r%05d", j),
			Type: GeneratedRelationTypes[rng.IntN(len(GeneratedRelationTypes))], FromID: ents[from].ID, ToID: ents[to].ID,
			Status:     kg.ClaimStatuses[rng.IntN(len(kg.ClaimStatuses))],
			SourceIDs:  pickSources(),
			Confidence: ptr(float64(rng.IntN(101)) / 100),
		}
		if rng.IntN(5) > 0 {
			r.OccurredAt = &kg.Time{At: when(), Precision: kg.PrecisionMinute}
		}
		rels[j] = r
	}
	return sources, ents, rels
}

// WriteAll writes sources, then entities, then relations, in batches of at most kg.MaxBatch.
func WriteAll(ctx context.Context, s kg.Store, sources []kg.SourceInput, entities []kg.EntityInput, relations []kg.RelationInput) error {
	for b := range slices.Chunk(sources, kg.MaxBatch) {
		if _, _, err := s.UpsertSources(ctx, b); err != nil {
			return fmt.Errorf("UpsertSources: %w", err)
		}
	}
	for b := range slices.Chunk(entities, kg.MaxBatch) {
		if _, _, err := s.UpsertEntities(ctx, b); err != nil {
			return fmt.Errorf("UpsertEntities: %w", err)
		}
	}
	for b := range slices.Chunk(relations, kg.MaxBatch) {
		if _, _, err := s.UpsertRelations(ctx, b); err != nil {
			return fmt.Errorf("UpsertRelations: %w", err)
		}
	}
	return nil
}

// refGraph is a reference model of a graph for the suite's expectations: plain maps and
// breadth-first searches over the inputs, independent of every store.
type refGraph struct {
	ents   map[string]kg.EntityInput
	entIDs []string // sorted
	rels   map[string]kg.RelationInput
	relIDs []string // sorted
	// adj lists the relations at each entity, in id order; a self loop once.
	adj map[string][]kg.RelationInput
}

func newRefGraph(ents []kg.EntityInput, rels []kg.RelationInput) *refGraph {
	g := &refGraph{ents: map[string]kg.EntityInput{}, rels: map[string]kg.RelationInput{}, adj: map[string][]kg.RelationInput{}}
	for _, e := range ents {
		g.ents[e.ID] = e
		g.entIDs = append(g.entIDs, e.ID)
	}
	slices.Sort(g.entIDs)
	for _, r := range rels {
		g.rels[r.ID] = r
		g.relIDs = append(g.relIDs, r.ID)
	}
	slices.Sort(g.relIDs)
	for _, id := range g.relIDs {
		r := g.rels[id]
		g.adj[r.FromID] = append(g.adj[r.FromID], r)
		if r.ToID != r.FromID {
			g.adj[r.ToID] = append(g.adj[r.ToID], r)
		}
	}
	return g
}

func follows(r kg.RelationInput, types []kg.RelationType, statuses []kg.ClaimStatus) bool {
	return (len(types) == 0 || slices.Contains(types, r.Type)) && (len(statuses) == 0 || slices.Contains(statuses, r.Status))
}

func otherEnd(r kg.RelationInput, id string) string {
	if r.FromID == id {
		return r.ToID
	}
	return r.FromID
}

// distances is a breadth-first search from id over relations in both directions, at most
// maxDepth hops.
func (g *refGraph) distances(id string, maxDepth int, types []kg.RelationType, statuses []kg.ClaimStatus) map[string]int {
	dist := map[string]int{id: 0}
	frontier := []string{id}
	for d := 1; d <= maxDepth && len(frontier) > 0; d++ {
		var next []string
		for _, u := range frontier {
			for _, r := range g.adj[u] {
				if v := otherEnd(r, u); follows(r, types, statuses) {
					if _, seen := dist[v]; !seen {
						dist[v] = d
						next = append(next, v)
					}
				}
			}
		}
		frontier = next
	}
	return dist
}

// refSubgraph is the expected answer to a neighbourhood query, as strings for comparison.
type refSubgraph struct {
	nodes     []string // "id@distance"
	relations []string
	truncated bool
}

// neighborhood computes kg.Subgraph's rules: every entity within the depth ordered by
// (distance, id), cut at Limit; the followed relations between the kept entities in id
// order, cut at MaxEdges; truncated when either cut dropped something.
func (g *refGraph) neighborhood(q kg.NeighborhoodQuery) refSubgraph {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	dist := g.distances(q.ID, q.Depth, q.Types, q.Statuses)
	ids := make([]string, 0, len(dist))
	for id := range dist {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if dist[a] != dist[b] {
			return dist[a] - dist[b]
		}
		return strings.Compare(a, b)
	})
	var out refSubgraph
	if len(ids) > q.Limit {
		ids, out.truncated = ids[:q.Limit], true
	}
	kept := map[string]bool{}
	for _, id := range ids {
		kept[id] = true
		out.nodes = append(out.nodes, fmt.Sprintf("%s@%d", id, dist[id]))
	}
	for _, id := range g.relIDs {
		r := g.rels[id]
		if kept[r.FromID] && kept[r.ToID] && follows(r, q.Types, q.Statuses) {
			out.relations = append(out.relations, id)
		}
	}
	if len(out.relations) > q.MaxEdges() {
		out.relations, out.truncated = out.relations[:q.MaxEdges()], true
	}
	return out
}

// shortestPaths returns the length of the shortest paths from one entity to another (-1 when
// there are none within maxDepth), how many there are (saturating at 1<<40), and the first
// limit of them in kg.PathKey order, each as its relation ids.
func (g *refGraph) shortestPaths(from, to string, maxDepth int, types []kg.RelationType, limit int) (length int, total int64, paths [][]string) {
	df := g.distances(from, maxDepth, types, nil)
	d, ok := df[to]
	if !ok {
		return -1, 0, nil
	}
	dt := g.distances(to, d, types, nil)
	// onPath(v, k): v can be the k-th entity of a shortest path.
	onPath := func(v string, k int) bool {
		a, okA := df[v]
		b, okB := dt[v]
		return okA && okB && a == k && b == d-k
	}
	// Count paths from each entity to `to` along the shortest-path DAG.
	count := map[string]int64{}
	var cnt func(u string, k int) int64
	cnt = func(u string, k int) int64 {
		if k == d {
			return 1
		}
		if c, ok := count[u]; ok {
			return c
		}
		var c int64
		for _, r := range g.adj[u] {
			if v := otherEnd(r, u); v != u && follows(r, types, nil) && onPath(v, k+1) {
				c = min(c+cnt(v, k+1), 1<<40)
			}
		}
		count[u] = c
		return c
	}
	total = cnt(from, 0)
	// Relations in id order at every step enumerate paths in PathKey order (all have the
	// same length, and PathKey compares relation ids one by one).
	var walk func(u string, k int, prefix []string)
	walk = func(u string, k int, prefix []string) {
		if len(paths) >= limit {
			return
		}
		if k == d {
			paths = append(paths, slices.Clone(prefix))
			return
		}
		for _, r := range g.adj[u] {
			if v := otherEnd(r, u); v != u && follows(r, types, nil) && onPath(v, k+1) {
				walk(v, k+1, append(prefix, r.ID))
			}
		}
	}
	walk(from, 0, nil)
	return d, total, paths
}

// degrees computes kg.EntityDegree lists: count relations of the types per entity in the
// direction, drop entities of other kinds and those without any, order by degree
// descending then id, cut at Limit. Results are "id=degree".
func (g *refGraph) degrees(q kg.DegreeQuery) []string {
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	deg := map[string]int{}
	for _, r := range g.rels {
		if !follows(r, q.Types, nil) {
			continue
		}
		if q.Direction != kg.DirectionIn {
			deg[r.FromID]++
		}
		if q.Direction != kg.DirectionOut && (q.Direction == kg.DirectionIn || r.ToID != r.FromID) {
			deg[r.ToID]++
		}
	}
	var ids []string
	for id, n := range deg {
		if n > 0 && (len(q.Kinds) == 0 || slices.Contains(q.Kinds, g.ents[id].Kind)) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		if deg[a] != deg[b] {
			return deg[b] - deg[a]
		}
		return strings.Compare(a, b)
	})
	if len(ids) > q.Limit {
		ids = ids[:q.Limit]
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("%s=%d", id, deg[id])
	}
	return out
}
