package embedded

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/factgraph/factgraph/kg"
)

// Listing works the same way for every connection. The rows come in ascending (key, id)
// order: from a sorted index the store keeps for each ordering, or, when the filter names ids
// or an entity, from the few candidates the adjacency indexes give, sorted on the spot. cut
// walks them in the requested direction, finds the cursor's place by binary search (kg.After
// is monotone along the walk) and takes one page, counting every match for TotalCount, which
// ignores the cursor. A listing is thus one pass over the rows, with no per-query sort.

// cut walks asc (sorted ascending) in direction dir and returns at most first of the rows
// after the cursor that match (nil match: all do), whether more follow, and, when count is
// set, how many rows match in all (else 0). Without count the walk starts at the cursor and
// stops at the first match past the page, so a selective page costs what it returns, not a
// pass over every row.
func cut[T any](asc []T, dir kg.SortDirection, after, match func(T) bool, first int, count bool) (page []T, more bool, total int) {
	n := len(asc)
	at := func(i int) T { return asc[i] }
	if dir == kg.Desc {
		at = func(i int) T { return asc[n-1-i] }
	}
	start := sort.Search(n, func(i int) bool { return after(at(i)) })
	if match == nil {
		page = make([]T, 0, max(0, min(first, n-start)))
		for i := start; i < min(start+first, n); i++ {
			page = append(page, at(i))
		}
		if count {
			total = n
		}
		return page, n-start > first, total
	}
	from := start
	if count {
		from = 0
	}
	for i := from; i < n; i++ {
		row := at(i)
		if !match(row) {
			continue
		}
		total++
		if i >= start {
			if len(page) < first {
				page = append(page, row)
			} else {
				more = true
				if !count {
					break
				}
			}
		}
	}
	if !count {
		total = 0
	}
	return page, more, total
}

func checkFirst(first int) error {
	if first < 0 || first > kg.MaxPageSize {
		return kg.Invalid("first", "%d is outside 0..%d", first, kg.MaxPageSize)
	}
	return nil
}

// entityKey is the row's sort key as kg.After wants it (kg.EntityOrder.SortKey, precomputed).
func entityKey(field kg.EntityOrderField, row *entityRow) string {
	if field == kg.EntityOrderName {
		return row.nameKey
	}
	return ""
}

// compareEntities orders entity rows ascending by field, then id.
func compareEntities(field kg.EntityOrderField) func(a, b *entityRow) int {
	return func(a, b *entityRow) int {
		if c := strings.Compare(entityKey(field, a), entityKey(field, b)); c != 0 {
			return c
		}
		return strings.Compare(a.e.ID, b.e.ID)
	}
}

// relationKey is the row's sort key as kg.After wants it: TIME keys as decimal integers.
func relationKey(field kg.RelationOrderField, row *relationRow) string {
	if field == kg.RelationOrderTime {
		return strconv.FormatInt(row.timeKey, 10)
	}
	return ""
}

// compareRelations orders relation rows ascending by field, then id.
func compareRelations(field kg.RelationOrderField) func(a, b *relationRow) int {
	return func(a, b *relationRow) int {
		if field == kg.RelationOrderTime {
			if c := cmp.Compare(a.timeKey, b.timeKey); c != 0 {
				return c
			}
		}
		return strings.Compare(a.r.ID, b.r.ID)
	}
}

func compareSources(a, b *kg.Source) int { return strings.Compare(a.ID, b.ID) }

// relationPage cuts one page from asc in order o after cursor c, returning copies.
func relationPage(asc []*relationRow, o kg.RelationOrder, c *kg.Cursor, match func(*relationRow) bool, first int, count bool) *kg.RelationPage {
	numeric := o.Field == kg.RelationOrderTime
	page, more, total := cut(asc, o.Direction, func(row *relationRow) bool {
		return kg.After(c, o.Direction, numeric, relationKey(o.Field, row), row.r.ID)
	}, match, first, count)
	items := make([]*kg.Relation, len(page))
	for i, row := range page {
		items[i] = cloneRelation(row.r)
	}
	return &kg.RelationPage{Items: items, HasNextPage: more, TotalCount: total}
}

// Entities returns one page of the entities matching q.Filter.
func (s *Store) Entities(ctx context.Context, q kg.EntityQuery) (*kg.EntityPage, error) {
	if err := q.Filter.Check("filter"); err != nil {
		return nil, err
	}
	o := q.OrderBy
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	c, err := o.Decode(q.After)
	if err != nil {
		return nil, err
	}
	if err := checkFirst(q.First); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()

	var match func(*entityRow) bool
	if f := q.Filter; f != nil {
		match = func(row *entityRow) bool { return f.MatchRelated(row.e, s.g.hasRelation) }
		if f.NameContains != "" {
			// Rule most rows out on the folded name and aliases kept with each row, before
			// MatchRelated folds them again for the few that pass.
			needle, full := kg.Fold(f.NameContains), match
			match = func(row *entityRow) bool {
				return (strings.Contains(row.nameKey, needle) || slices.ContainsFunc(row.aliasesFold, func(a string) bool {
					return strings.Contains(a, needle)
				})) && full(row)
			}
		}
	}
	asc := s.g.entityIndex(o.Field)
	if ids, ok := s.g.entityCandidates(q.Filter); ok {
		asc = nil
		for _, id := range ids {
			if row := s.g.entities[id]; row != nil {
				asc = append(asc, row)
			}
		}
		slices.SortFunc(asc, compareEntities(o.Field))
	}
	page, more, total := cut(asc, o.Direction, func(row *entityRow) bool {
		return kg.After(c, o.Direction, false, entityKey(o.Field, row), row.e.ID)
	}, stoppable(ctx, match), q.First, !q.SkipTotal)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	items := make([]*kg.Entity, len(page))
	for i, row := range page {
		items[i] = cloneEntity(row.e)
	}
	return &kg.EntityPage{Items: items, HasNextPage: more, TotalCount: total}, nil
}

// Relations returns one page of the relations matching q.Filter.
func (s *Store) Relations(ctx context.Context, q kg.RelationQuery) (*kg.RelationPage, error) {
	if err := q.Filter.Check("filter"); err != nil {
		return nil, err
	}
	o := q.OrderBy
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	c, err := o.Decode(q.After)
	if err != nil {
		return nil, err
	}
	if err := checkFirst(q.First); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()

	var match func(*relationRow) bool
	if q.Filter != nil {
		match = func(row *relationRow) bool { return q.Filter.Match(row.r) }
	}
	asc := s.g.relationIndex(o.Field)
	if ids, ok := s.g.relationCandidates(q.Filter); ok {
		asc = nil
		for _, id := range ids {
			if row := s.g.relations[id]; row != nil {
				asc = append(asc, row)
			}
		}
		slices.SortFunc(asc, compareRelations(o.Field))
	} else if o.Field == kg.RelationOrderTime {
		asc = timeWindow(asc, q.Filter)
	}
	page := relationPage(asc, o, c, stoppable(ctx, match), q.First, !q.SkipTotal)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.WithEnds {
		page.Ends = s.g.ends(page.Items)
	}
	return page, nil
}

// ends returns copies of the entities that relations name as from, to or claimedBy.
func (g *graph) ends(rs []*kg.Relation) map[string]*kg.Entity {
	out := make(map[string]*kg.Entity, 2*len(rs))
	add := func(id string) {
		if _, ok := out[id]; !ok && id != "" {
			if row := g.entities[id]; row != nil {
				out[id] = cloneEntity(row.e)
			}
		}
	}
	for _, r := range rs {
		add(r.FromID)
		add(r.ToID)
		add(r.ClaimedByID)
	}
	return out
}

// timeWindow narrows rows sorted by (time key, id) to those a filter's occurredFrom/To window
// can match: a contiguous run, found by binary search. Rows outside it never match, so the
// page, the cursor's place and the total count are the same as over all rows.
func timeWindow(asc []*relationRow, f *kg.RelationFilter) []*relationRow {
	if f == nil || f.OccurredFrom == nil && f.OccurredTo == nil {
		return asc
	}
	lo, hi := 0, len(asc)
	if f.OccurredFrom != nil {
		from := f.OccurredFrom.UnixNano()
		lo = sort.Search(len(asc), func(i int) bool { return asc[i].timeKey >= from })
	}
	// Undated relations (kg.UndatedSortKey) sort last and never fall inside a window.
	to := int64(kg.UndatedSortKey)
	if f.OccurredTo != nil {
		to = min(to, f.OccurredTo.UnixNano())
	}
	hi = sort.Search(len(asc), func(i int) bool { return asc[i].timeKey >= to })
	if hi < lo {
		return nil
	}
	return asc[lo:hi]
}

// relationCandidates narrows a relation filter through the indexes: a filter on an end, on
// ids or on the relation disputed only needs those relations looked at (the filter is still
// applied to each). Of the fields set, it uses the one with the fewest candidates. ok is false
// when the filter narrows nothing and every relation is a candidate.
func (g *graph) relationCandidates(f *kg.RelationFilter) (ids []string, ok bool) {
	if f == nil {
		return nil, false
	}
	best, pick := -1, func() []string { return nil }
	consider := func(n int, list func() []string) {
		if best < 0 || n < best {
			best, pick = n, list
		}
	}
	if f.FromID != "" && f.ToID != "" {
		rows, _ := g.adj[f.FromID].between(f.ToID)
		consider(len(rows), func() []string {
			ids := make([]string, len(rows))
			for i, row := range rows {
				ids[i] = row.r.ID
			}
			return ids
		})
	}
	if a := g.adj[f.FromID]; f.FromID != "" {
		consider(outDegree(a), func() []string { return g.relationsOf(f.FromID, kg.DirectionOut) })
	}
	if a := g.adj[f.ToID]; f.ToID != "" {
		consider(inDegree(a), func() []string { return g.relationsOf(f.ToID, kg.DirectionIn) })
	}
	if f.EntityID != "" {
		consider(g.degree(f.EntityID), func() []string { return g.relationsOf(f.EntityID, kg.DirectionBoth) })
	}
	if len(f.IDs) > 0 {
		consider(len(f.IDs), func() []string { return uniq(f.IDs) })
	}
	if len(f.DisputesIDs) > 0 {
		n := 0
		for _, id := range uniq(f.DisputesIDs) {
			n += len(g.disputedBy[id])
		}
		consider(n, func() []string {
			var ids []string
			for _, id := range uniq(f.DisputesIDs) {
				ids = append(ids, sortedIDs(g.disputedBy[id])...)
			}
			return uniq(ids)
		})
	}
	if len(f.EntityIDs) > 0 {
		n := 0
		for _, id := range uniq(f.EntityIDs) {
			n += g.degree(id)
		}
		consider(n, func() []string {
			var ids []string
			for _, id := range uniq(f.EntityIDs) {
				ids = append(ids, g.relationsOf(id, kg.DirectionBoth)...)
			}
			return uniq(ids) // a relation between two listed entities comes up twice
		})
	}
	if best < 0 {
		return nil, false
	}
	return pick(), true
}

// entityCandidates narrows an entity filter through the indexes, as relationCandidates does
// for relations: an id list needs no scan, nor does a top-level HasRelation naming the entity
// at the other end (only that entity's neighbours can match). ok is false when every entity is
// a candidate.
func (g *graph) entityCandidates(f *kg.EntityFilter) (ids []string, ok bool) {
	if f == nil {
		return nil, false
	}
	if len(f.IDs) > 0 {
		return uniq(f.IDs), true
	}
	if p := f.HasRelation; p != nil && p.OtherID != "" {
		if a := g.adj[p.OtherID]; a != nil {
			for other := range a.out {
				ids = append(ids, other)
			}
			for other := range a.in {
				ids = append(ids, other)
			}
		}
		return uniq(ids), true
	}
	return nil, false
}

// hasRelation reports whether entity id has a relation matching p: the kg.HasRelationFunc
// that EntityFilter.MatchRelated asks. It looks only at the entity's own relations, and with
// p.OtherID only at those between the two.
func (g *graph) hasRelation(id string, p *kg.RelationPredicate) bool {
	a := g.adj[id]
	if a == nil {
		return false
	}
	d := p.Direction
	if d == "" {
		d = kg.DirectionBoth
	}
	match := func(groups map[string][]*relationRow) bool {
		if p.OtherID != "" {
			return slices.ContainsFunc(groups[p.OtherID], func(row *relationRow) bool { return p.Matches(id, row.r) })
		}
		for _, rows := range groups {
			if slices.ContainsFunc(rows, func(row *relationRow) bool { return p.Matches(id, row.r) }) {
				return true
			}
		}
		return false
	}
	return d != kg.DirectionIn && match(a.out) || d != kg.DirectionOut && match(a.in)
}

func outDegree(a *adjacency) int {
	if a == nil {
		return 0
	}
	return a.nOut
}

func inDegree(a *adjacency) int {
	if a == nil {
		return 0
	}
	return a.nIn
}

// Sources returns one page of sources in id order.
func (s *Store) Sources(ctx context.Context, q kg.SourceQuery) (*kg.SourcePage, error) {
	c, err := kg.SourceOrder.Decode(q.After)
	if err != nil {
		return nil, err
	}
	if err := checkFirst(q.First); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()

	page, more, total := cut(s.g.sourcesByID.rows, kg.Asc,
		func(src *kg.Source) bool { return kg.After(c, kg.Asc, false, "", src.ID) }, nil, q.First, !q.SkipTotal)
	items := make([]*kg.Source, len(page))
	for i, src := range page {
		items[i] = cloneSource(src)
	}
	return &kg.SourcePage{Items: items, HasNextPage: more, TotalCount: total}, nil
}

// Neighbors returns, for every id asked, one page of its relations in kg.NeighborOrder. An id
// with no relations, or no entity, gets an empty page.
func (s *Store) Neighbors(ctx context.Context, q kg.NeighborQuery) (map[string]*kg.RelationPage, error) {
	dir := q.Direction
	if dir == "" {
		dir = kg.DirectionBoth
	}
	if !dir.Valid() {
		return nil, kg.Invalid("direction", "%q is not OUT, IN or BOTH", q.Direction)
	}
	for i, t := range q.Types {
		if !t.Valid() {
			return nil, kg.Invalid("types["+strconv.Itoa(i)+"]", "%q is not a valid relation type", t)
		}
	}
	c, err := kg.NeighborOrder.Decode(q.After)
	if err != nil {
		return nil, err
	}
	if err := checkFirst(q.First); err != nil {
		return nil, err
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()

	out := make(map[string]*kg.RelationPage, len(q.EntityIDs))
	for _, id := range q.EntityIDs {
		if out[id] != nil {
			continue
		}
		var asc []*relationRow
		s.g.eachRelation(id, dir, func(row *relationRow) {
			if kg.MatchNeighbor(row.r, id, dir, q.Types) {
				asc = append(asc, row)
			}
		})
		var page *kg.RelationPage
		if q.First == 0 && c == nil {
			// A count (Entity.degree): no page to order.
			page = &kg.RelationPage{Items: []*kg.Relation{}, HasNextPage: len(asc) > 0}
			if !q.SkipTotal {
				page.TotalCount = len(asc)
			}
		} else {
			total := len(asc)
			if c != nil {
				asc = slices.DeleteFunc(asc, func(row *relationRow) bool {
					return !kg.After(c, kg.Asc, true, relationKey(kg.RelationOrderTime, row), row.r.ID)
				})
			}
			// The page and one more row (to tell whether more follow), in order; a hub's
			// thousands of relations are not sorted to return the first twenty.
			asc = smallest(asc, q.First+1, compareRelations(kg.NeighborOrder.Field))
			page = relationPage(asc, kg.NeighborOrder, nil, nil, q.First, false)
			if !q.SkipTotal {
				page.TotalCount = total
			}
		}
		if q.WithEnds {
			page.Ends = s.g.ends(page.Items)
		}
		out[id] = page
	}
	return out, nil
}

// smallest returns the n smallest rows by cmp, sorted, reusing rows' storage: a bounded
// insertion into a sorted prefix, O(len(rows) log n) comparisons when n is small next to
// len(rows), and a plain sort otherwise.
func smallest[T any](rows []T, n int, cmp func(a, b T) int) []T {
	if n <= 0 {
		return rows[:0]
	}
	if 4*n >= len(rows) {
		slices.SortFunc(rows, cmp)
		return rows[:min(n, len(rows))]
	}
	top := make([]T, 0, n+1)
	for _, row := range rows {
		if len(top) == n && cmp(row, top[n-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, row, cmp)
		top = slices.Insert(top, i, row)
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// uniq returns ids without repeats, in first-seen order.
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
