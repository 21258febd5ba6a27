package embedded

import (
	"time"

	"slices"

	"github.com/factgraph/factgraph/kg"
)

// idSet is a set of ids; the indexes below map an id to the ids that refer to it.
type idSet map[string]struct{}

// graph is the in-memory state. The maps own their values: nothing inside is ever handed out,
// only copies, and nothing passed in is stored without copying.
type graph struct {
	entities  map[string]*entityRow
	relations map[string]*relationRow
	sources   map[string]*kg.Source

	// adj: entity id → its relations, so that Neighbors, DeleteEntity and the graph queries
	// look at an entity's relations, not at all of them. Entities without relations have none.
	adj map[string]*adjacency
	// claims: entity id → ids of relations it is the claimedBy of.
	claims map[string]idSet
	// disputedBy: relation id → ids of relations that list it in DisputesIDs.
	disputedBy map[string]idSet

	// The orderings, kept sorted ascending by (sort key, id) as writes land, so that a listing
	// is one pass over a sorted slice instead of a sort of every match on every query.
	entitiesByName, entitiesByID   sorted[*entityRow]
	relationsByTime, relationsByID sorted[*relationRow]
	sourcesByID                    sorted[*kg.Source]
}

// sorted is a slice kept in ascending order by cmp.
type sorted[T any] struct {
	rows []T
	cmp  func(a, b T) int
}

// replace removes the rows old (which must be in x) and merges added in. Both steps find
// positions by binary search and move the rows between them as whole chunks, so a write of
// k rows into n costs O(k log n) comparisons plus one copy of the slice, not a re-sort.
func (x *sorted[T]) replace(old, added []T) {
	if len(old) == 0 && len(added) == 0 {
		return
	}
	drop := make([]int, 0, len(old))
	for _, row := range old {
		if i, ok := slices.BinarySearchFunc(x.rows, row, x.cmp); ok {
			drop = append(drop, i)
		}
	}
	slices.Sort(drop)
	kept := x.rows
	if len(drop) > 0 {
		kept = make([]T, 0, len(x.rows)-len(drop))
		prev := 0
		for _, i := range drop {
			kept = append(kept, x.rows[prev:i]...)
			prev = i + 1
		}
		kept = append(kept, x.rows[prev:]...)
	}
	added = slices.Clone(added)
	slices.SortFunc(added, x.cmp)
	merged := make([]T, 0, len(kept)+len(added))
	prev := 0
	for _, row := range added {
		i, _ := slices.BinarySearchFunc(kept[prev:], row, x.cmp)
		merged = append(merged, kept[prev:prev+i]...)
		merged = append(merged, row)
		prev += i
	}
	x.rows = append(merged, kept[prev:]...)
}

// entityRow is a stored entity with what listing and search derive from it, computed once
// per write rather than once per query.
type entityRow struct {
	e       *kg.Entity
	nameKey string // kg.Fold(e.Name): the NAME sort key
	terms   entityTerms
}

// adjacency is one entity's relations grouped by the entity at the other end: a walk visits
// each neighbour once however many relations join them, and the relations between two given
// entities are one lookup away (what keeps a hub cheap when the other end is known).
type adjacency struct {
	out map[string][]*relationRow // to id → the relations from this entity to it
	in  map[string][]*relationRow // from id → the relations from it to this entity
	// How many relations: from it, to it (a self-loop is in both), and self-loops.
	nOut, nIn, nSelf int
}

// neighbors is how many distinct entities the adjacency joins in either direction (an entity
// joined both ways counts twice): the cost of walking it.
func (a *adjacency) neighbors() int {
	if a == nil {
		return 0
	}
	return len(a.out) + len(a.in)
}

// between returns the relations from this entity to other (out) and from other to it (in).
func (a *adjacency) between(other string) (out, in []*relationRow) {
	if a == nil {
		return nil, nil
	}
	return a.out[other], a.in[other]
}

// relationRow is a stored relation with its TIME sort key.
type relationRow struct {
	r       *kg.Relation
	timeKey int64 // kg.RelationTimeKey(r)
}

func newGraph() *graph {
	return &graph{
		entities:        map[string]*entityRow{},
		relations:       map[string]*relationRow{},
		sources:         map[string]*kg.Source{},
		adj:             map[string]*adjacency{},
		claims:          map[string]idSet{},
		disputedBy:      map[string]idSet{},
		entitiesByName:  sorted[*entityRow]{cmp: compareEntities(kg.EntityOrderName)},
		entitiesByID:    sorted[*entityRow]{cmp: compareEntities(kg.EntityOrderID)},
		relationsByTime: sorted[*relationRow]{cmp: compareRelations(kg.RelationOrderTime)},
		relationsByID:   sorted[*relationRow]{cmp: compareRelations(kg.RelationOrderID)},
		sourcesByID:     sorted[*kg.Source]{cmp: compareSources},
	}
}

// entityIndex is the index that holds entities in order by field, ascending.
func (g *graph) entityIndex(field kg.EntityOrderField) []*entityRow {
	if field == kg.EntityOrderName {
		return g.entitiesByName.rows
	}
	return g.entitiesByID.rows
}

// relationIndex is the index that holds relations in order by field, ascending.
func (g *graph) relationIndex(field kg.RelationOrderField) []*relationRow {
	if field == kg.RelationOrderTime {
		return g.relationsByTime.rows
	}
	return g.relationsByID.rows
}

func addRef(m map[string]idSet, key, id string) {
	set := m[key]
	if set == nil {
		set = idSet{}
		m[key] = set
	}
	set[id] = struct{}{}
}

func dropRef(m map[string]idSet, key, id string) {
	if set := m[key]; set != nil {
		delete(set, id)
		if len(set) == 0 {
			delete(m, key)
		}
	}
}

// change is what one write call does, computed in full before anything is committed so that
// the same value can be persisted and then applied.
type change struct {
	// at is when the change is written: the updatedAt of what it writes, its revisions' time.
	at              time.Time
	revisions       []*revRow    // numbered by commit
	entities        []*kg.Entity // created or replaced
	sources         []*kg.Source
	relations       []*kg.Relation
	deleteEntities  []string
	deleteRelations []string
}

func (c *change) empty() bool {
	return len(c.entities) == 0 && len(c.sources) == 0 && len(c.relations) == 0 &&
		len(c.deleteEntities) == 0 && len(c.deleteRelations) == 0
}

// apply makes c the in-memory state. Deletions go first so that a relation rewritten in the
// same change (one whose DisputesIDs lost a deleted id) is indexed against the final state.
func (g *graph) apply(c *change) {
	// old* are the rows that leave the sorted indexes (deleted or replaced), new* those that
	// enter them.
	var oldE, newE []*entityRow
	var oldR, newR []*relationRow
	var oldS []*kg.Source
	for _, id := range c.deleteRelations {
		if row := g.removeRelation(id); row != nil {
			oldR = append(oldR, row)
		}
	}
	for _, id := range c.deleteEntities {
		if row := g.entities[id]; row != nil {
			oldE = append(oldE, row)
			delete(g.entities, id)
		}
	}
	for _, src := range c.sources {
		if prev := g.sources[src.ID]; prev != nil {
			oldS = append(oldS, prev)
		}
		g.sources[src.ID] = src
	}
	for _, e := range c.entities {
		if row := g.entities[e.ID]; row != nil {
			oldE = append(oldE, row)
		}
		newE = append(newE, g.putEntity(e))
	}
	for _, r := range c.relations {
		if row := g.removeRelation(r.ID); row != nil {
			oldR = append(oldR, row)
		}
		newR = append(newR, g.putRelation(r))
	}
	g.entitiesByName.replace(oldE, newE)
	g.entitiesByID.replace(oldE, newE)
	g.relationsByTime.replace(oldR, newR)
	g.relationsByID.replace(oldR, newR)
	g.sourcesByID.replace(oldS, c.sources)
}

func (g *graph) putEntity(e *kg.Entity) *entityRow {
	row := &entityRow{e: e, nameKey: kg.Fold(e.Name), terms: termsOf(e)}
	g.entities[e.ID] = row
	return row
}

// putRelation stores and indexes r; an old version must have been removed first.
func (g *graph) putRelation(r *kg.Relation) *relationRow {
	row := &relationRow{r: r, timeKey: kg.RelationTimeKey(r)}
	g.relations[r.ID] = row
	from, to := g.adjacencyOf(r.FromID), g.adjacencyOf(r.ToID)
	from.out[r.ToID] = append(from.out[r.ToID], row)
	from.nOut++
	to.in[r.FromID] = append(to.in[r.FromID], row)
	to.nIn++
	if r.FromID == r.ToID {
		from.nSelf++
	}
	if r.ClaimedByID != "" {
		addRef(g.claims, r.ClaimedByID, r.ID)
	}
	for _, d := range r.DisputesIDs {
		addRef(g.disputedBy, d, r.ID)
	}
	return row
}

// removeRelation drops a relation and its index entries (not from the sorted indexes) and
// returns its row; a missing id is a no-op returning nil.
func (g *graph) removeRelation(id string) *relationRow {
	row := g.relations[id]
	if row == nil {
		return nil
	}
	r := row.r
	from, to := g.adj[r.FromID], g.adj[r.ToID]
	dropRow(from.out, r.ToID, row)
	from.nOut--
	dropRow(to.in, r.FromID, row)
	to.nIn--
	if r.FromID == r.ToID {
		from.nSelf--
	}
	for _, end := range []string{r.FromID, r.ToID} {
		if a := g.adj[end]; a != nil && a.nOut == 0 && a.nIn == 0 {
			delete(g.adj, end)
		}
	}
	if r.ClaimedByID != "" {
		dropRef(g.claims, r.ClaimedByID, id)
	}
	for _, d := range r.DisputesIDs {
		dropRef(g.disputedBy, d, id)
	}
	delete(g.relations, id)
	return row
}

// adjacencyOf returns the adjacency of id, making it if it has none yet.
func (g *graph) adjacencyOf(id string) *adjacency {
	a := g.adj[id]
	if a == nil {
		a = &adjacency{out: map[string][]*relationRow{}, in: map[string][]*relationRow{}}
		g.adj[id] = a
	}
	return a
}

// dropRow removes row from the relations listed under key.
func dropRow(m map[string][]*relationRow, key string, row *relationRow) {
	rows := slices.DeleteFunc(m[key], func(x *relationRow) bool { return x == row })
	if len(rows) == 0 {
		delete(m, key)
	} else {
		m[key] = rows
	}
}

// eachRelation calls f with every relation of entity id at the given end(s), in no order. A
// self-loop comes once.
func (g *graph) eachRelation(id string, d kg.Direction, f func(row *relationRow)) {
	a := g.adj[id]
	if a == nil {
		return
	}
	if d != kg.DirectionIn {
		for _, rows := range a.out {
			for _, row := range rows {
				f(row)
			}
		}
	}
	if d != kg.DirectionOut {
		for other, rows := range a.in {
			if d == kg.DirectionIn || other != id {
				for _, row := range rows {
					f(row)
				}
			}
		}
	}
}

// relationsOf returns the ids of the relations with entity id at the given end(s), sorted so
// that callers are deterministic. A self-loop appears once.
func (g *graph) relationsOf(id string, d kg.Direction) []string {
	var ids []string
	g.eachRelation(id, d, func(row *relationRow) { ids = append(ids, row.r.ID) })
	slices.Sort(ids)
	return ids
}

// degree is how many relations entity id has at either end (a self-loop counts twice): an
// upper bound used to choose between indexes.
func (g *graph) degree(id string) int {
	if a := g.adj[id]; a != nil {
		return a.nOut + a.nIn
	}
	return 0
}

// sortedIDs returns the ids of a set in ascending order.
func sortedIDs(set idSet) []string {
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// The clone functions make deep copies: the stored values are shared by every reader, and a
// caller (a resolver, a test) may mutate what it gets back.

// clonePtr copies the value behind p; for *kg.Time that is a deep copy, as time.Time is a value.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

func cloneEntity(e *kg.Entity) *kg.Entity {
	c := *e
	c.Aliases = slices.Clone(e.Aliases)
	c.SourceIDs = slices.Clone(e.SourceIDs)
	c.ValidFrom, c.ValidTo, c.OccurredAt = clonePtr(e.ValidFrom), clonePtr(e.ValidTo), clonePtr(e.OccurredAt)
	c.DurationMinutes = clonePtr(e.DurationMinutes)
	return &c
}

func cloneSource(s *kg.Source) *kg.Source {
	c := *s
	c.PublishedAt = clonePtr(s.PublishedAt)
	return &c
}

func cloneRelation(r *kg.Relation) *kg.Relation {
	c := *r
	c.SourceIDs = slices.Clone(r.SourceIDs)
	c.DisputesIDs = slices.Clone(r.DisputesIDs)
	c.Confidence = clonePtr(r.Confidence)
	c.OccurredAt, c.ValidFrom, c.ValidTo = clonePtr(r.OccurredAt), clonePtr(r.ValidFrom), clonePtr(r.ValidTo)
	return &c
}
