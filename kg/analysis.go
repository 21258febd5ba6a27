package kg

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Limits of the graph queries: they keep a hub node or a long path search from returning or
// exploring the whole graph.
const (
	MaxNeighborhoodDepth = 3
	DefaultNeighborhood  = 100
	MaxNeighborhood      = 1000
	edgesPerNode         = 4
	MaxPathDepth         = 6
	DefaultPathDepth     = 4
	DefaultPathLimit     = 10
	MaxPathLimit         = 100
	DefaultTimelineLimit = 100
	DefaultDegreeLimit   = 10
)

// NeighborhoodQuery asks for the subgraph within Depth hops of an entity, for drawing.
// Relations are followed in both directions.
type NeighborhoodQuery struct {
	ID       string
	Depth    int // 1..MaxNeighborhoodDepth; 0 means 1
	Types    []RelationType
	Statuses []ClaimStatus
	// Limit caps the entities returned, the centre included; 0 means DefaultNeighborhood.
	Limit int
}

// Normalize fills defaults and checks the query.
func (q *NeighborhoodQuery) Normalize() error {
	var errs fieldErrs
	if q.Depth == 0 {
		q.Depth = 1
	}
	if q.Limit == 0 {
		q.Limit = DefaultNeighborhood
	}
	checkID(&errs, "id", q.ID)
	if q.Depth < 1 || q.Depth > MaxNeighborhoodDepth {
		errs.add("depth", "%d is outside 1..%d", q.Depth, MaxNeighborhoodDepth)
	}
	if q.Limit < 1 || q.Limit > MaxNeighborhood {
		errs.add("limit", "%d is outside 1..%d", q.Limit, MaxNeighborhood)
	}
	checkTypesStatuses(&errs, q.Types, q.Statuses)
	return errs.err()
}

// MaxEdges is how many relations a neighbourhood of this query may return.
func (q *NeighborhoodQuery) MaxEdges() int { return q.Limit * edgesPerNode }

// Follows reports whether the traversal may use relation r.
func (q *NeighborhoodQuery) Follows(r *Relation) bool {
	return (len(q.Types) == 0 || slices.Contains(q.Types, r.Type)) &&
		(len(q.Statuses) == 0 || slices.Contains(q.Statuses, r.Status))
}

func checkTypesStatuses(errs *fieldErrs, types []RelationType, statuses []ClaimStatus) {
	for i, t := range types {
		if !t.Valid() {
			errs.add(fmt.Sprintf("types[%d]", i), "%q is not a valid relation type", t)
		}
	}
	for i, s := range statuses {
		if !s.Valid() {
			errs.add(fmt.Sprintf("statuses[%d]", i), "%q is not a valid claim status", s)
		}
	}
}

// SubgraphNode is an entity of a neighbourhood with its distance in hops from the centre.
type SubgraphNode struct {
	Entity   *Entity
	Distance int
}

// Subgraph is a neighbourhood. Nodes are the centre and then the nearest entities, ordered
// by (distance, id), at most Limit of them; Relations are the followed relations between
// those nodes, ordered by id, at most Limit*4. Truncated says something reachable within the
// depth was left out (an entity or a relation).
type Subgraph struct {
	Nodes     []SubgraphNode
	Relations []*Relation
	Truncated bool
}

// PathQuery asks for the shortest paths between two entities, following relations in either
// direction.
type PathQuery struct {
	FromID, ToID string
	MaxDepth     int // 1..MaxPathDepth; 0 means DefaultPathDepth
	Types        []RelationType
	// All asks for every shortest path (up to Limit) rather than one.
	All   bool
	Limit int
}

// Normalize fills defaults and checks the query.
func (q *PathQuery) Normalize() error {
	var errs fieldErrs
	if q.MaxDepth == 0 {
		q.MaxDepth = DefaultPathDepth
	}
	if q.Limit == 0 {
		q.Limit = DefaultPathLimit
	}
	if !q.All {
		q.Limit = 1
	}
	checkID(&errs, "from", q.FromID)
	checkID(&errs, "to", q.ToID)
	if q.MaxDepth < 1 || q.MaxDepth > MaxPathDepth {
		errs.add("maxDepth", "%d is outside 1..%d", q.MaxDepth, MaxPathDepth)
	}
	if q.Limit < 1 || q.Limit > MaxPathLimit {
		errs.add("limit", "%d is outside 1..%d", q.Limit, MaxPathLimit)
	}
	checkTypesStatuses(&errs, q.Types, nil)
	return errs.err()
}

// Path is a walk from one entity to another: Entities[i] and Entities[i+1] are the ends of
// Relations[i], in either direction.
type Path struct {
	Entities  []*Entity
	Relations []*Relation
}

// PathKey orders paths: by their relation ids, joined. Stores sort all-shortest-paths by it so
// that both return the same paths in the same order.
func PathKey(p Path) string {
	ids := make([]string, len(p.Relations))
	for i, r := range p.Relations {
		ids[i] = r.ID
	}
	return strings.Join(ids, "\x00")
}

// DegreeQuery asks for the most connected entities.
type DegreeQuery struct {
	Kinds     []EntityKind
	Types     []RelationType
	Direction Direction // "" means BOTH
	Limit     int       // 0 means DefaultDegreeLimit
}

// Normalize fills defaults and checks the query.
func (q *DegreeQuery) Normalize() error {
	var errs fieldErrs
	if q.Direction == "" {
		q.Direction = DirectionBoth
	}
	if q.Limit == 0 {
		q.Limit = DefaultDegreeLimit
	}
	for i, k := range q.Kinds {
		if !k.Valid() {
			errs.add(fmt.Sprintf("kinds[%d]", i), "%q is not a valid kind", k)
		}
	}
	if !q.Direction.Valid() {
		errs.add("direction", "%q is not a valid direction", q.Direction)
	}
	if q.Limit < 1 || q.Limit > MaxPageSize {
		errs.add("first", "%d is outside 1..%d", q.Limit, MaxPageSize)
	}
	checkTypesStatuses(&errs, q.Types, nil)
	return errs.err()
}

// EntityDegree is an entity and how many relations it has (of the asked types, direction).
// Lists of them are ordered by degree, highest first, then id; entities without relations
// are left out.
type EntityDegree struct {
	Entity *Entity
	Degree int
}

// StatsQuery restricts Stats: entity counts to entities matching Entities, relation counts
// (by type, status and source) to relations matching Relations. Sources counts every source.
type StatsQuery struct {
	Entities  *EntityFilter
	Relations *RelationFilter
}

// ViolationTiming says how sure it is that an attack fell inside an agreement's validity.
type ViolationTiming string

// The timings.
const (
	// Within: the attack's whole time interval lies inside the validity window.
	TimingWithin ViolationTiming = "WITHIN"
	// PossiblyWithin: the times are too imprecise to tell; the intervals overlap.
	TimingPossiblyWithin ViolationTiming = "POSSIBLY_WITHIN"
)

// MarshalGQL implements gqlgen's Marshaler.
func (v ViolationTiming) MarshalGQL(w io.Writer) { marshalEnum(w, string(v)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (v *ViolationTiming) UnmarshalGQL(x any) (err error) {
	*v, err = unmarshalEnum(x, func(v ViolationTiming) bool { return v == TimingWithin || v == TimingPossiblyWithin }, "ViolationTiming")
	return err
}

// Violation is an attack that may break an agreement.
type Violation struct {
	Attack *Relation
	Timing ViolationTiming
	// Explanation says why, in words, e.g. which time was imprecise.
	Explanation string
}

// Violations finds the attacks that may break an agreement: ATTACKED relations from a party
// to the agreement (PARTY_TO or AGREED it) against what the agreement covers (COVERS, and what
// is PART_OF that, three levels down), dated inside its validity window. Imprecise times that
// overlap the window count as possibly within. It is built on Store queries, so both stores
// answer it alike.
func Violations(ctx context.Context, s Store, agreementID string) ([]Violation, error) {
	a, err := GetEntity(ctx, s, agreementID)
	if err != nil {
		return nil, err
	}
	if a.Kind != KindAgreement {
		return nil, Invalid("agreementId", "%q is a %s, not an AGREEMENT", agreementID, a.Kind)
	}
	in, err := allNeighbors(ctx, s, []string{a.ID}, DirectionIn, RelPartyTo, RelAgreed)
	if err != nil {
		return nil, err
	}
	parties := map[string]bool{}
	for _, r := range in {
		parties[r.FromID] = true
	}
	out, err := allNeighbors(ctx, s, []string{a.ID}, DirectionOut, RelCovers)
	if err != nil {
		return nil, err
	}
	covered := map[string]bool{}
	frontier := []string{}
	for _, r := range out {
		if !covered[r.ToID] {
			covered[r.ToID] = true
			frontier = append(frontier, r.ToID)
		}
	}
	for level := 0; level < 3 && len(frontier) > 0; level++ {
		parts, err := allNeighbors(ctx, s, frontier, DirectionIn, RelPartOf)
		if err != nil {
			return nil, err
		}
		frontier = nil
		for _, r := range parts {
			if !covered[r.FromID] {
				covered[r.FromID] = true
				frontier = append(frontier, r.FromID)
			}
		}
	}
	targets := make([]string, 0, len(covered))
	for id := range covered {
		targets = append(targets, id)
	}
	slices.Sort(targets)
	attacks, err := allNeighbors(ctx, s, targets, DirectionIn, RelAttacked)
	if err != nil {
		return nil, err
	}
	var vs []Violation
	seen := map[string]bool{}
	for _, r := range attacks {
		if seen[r.ID] || !parties[r.FromID] || !covered[r.ToID] {
			continue
		}
		seen[r.ID] = true
		if v, ok := violationTiming(a, r); ok {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(x, y Violation) int {
		if c := compareInt(RelationTimeKey(x.Attack), RelationTimeKey(y.Attack)); c != 0 {
			return c
		}
		return strings.Compare(x.Attack.ID, y.Attack.ID)
	})
	return vs, nil
}

// violationTiming places an attack against an agreement's validity window.
func violationTiming(a *Entity, r *Relation) (Violation, bool) {
	when := r.OccurredAt
	if when == nil {
		when = r.ValidFrom
	}
	if when == nil {
		return Violation{}, false // undated: cannot be placed in the window
	}
	aStart, aEnd := when.Window()
	// The window's bounds: certainly-started after vFromLate, possibly from vFromEarly; the
	// same at the end. A missing bound leaves that side open.
	vFromEarly, vFromLate := time.Time{}, time.Time{}
	if a.ValidFrom != nil {
		vFromEarly, vFromLate = a.ValidFrom.Window()
	}
	vToEarly, vToLate := time.Unix(1<<62, 0), time.Unix(1<<62, 0)
	if a.ValidTo != nil {
		vToEarly, vToLate = a.ValidTo.Window()
	}
	if !aEnd.After(vFromEarly) || !aStart.Before(vToLate) {
		return Violation{}, false
	}
	if !aStart.Before(vFromLate) && !aEnd.After(vToEarly) {
		return Violation{Attack: r, Timing: TimingWithin, Explanation: "the attack falls inside the agreement's validity window"}, true
	}
	var why []string
	if when.Precision != PrecisionSecond || when.Note != "" {
		why = append(why, fmt.Sprintf("the attack is dated only to the %s", strings.ToLower(string(when.Precision))))
		if when.Note != "" {
			why[len(why)-1] += fmt.Sprintf(" (%q)", when.Note)
		}
	}
	if a.ValidFrom != nil && aStart.Before(vFromLate) {
		why = append(why, fmt.Sprintf("the agreement's start is known only to the %s", strings.ToLower(string(a.ValidFrom.Precision))))
	}
	if a.ValidTo != nil && aEnd.After(vToEarly) {
		why = append(why, fmt.Sprintf("the agreement's end is known only to the %s", strings.ToLower(string(a.ValidTo.Precision))))
	}
	return Violation{Attack: r, Timing: TimingPossiblyWithin,
		Explanation: "possibly within the validity window: " + strings.Join(why, "; ")}, true
}

// allNeighbors pages through every relation of the given types at the ids.
func allNeighbors(ctx context.Context, s Store, ids []string, d Direction, types ...RelationType) ([]*Relation, error) {
	var out []*Relation
	pending := ids
	after := map[string]string{}
	for len(pending) > 0 {
		// Every id in one call shares one cursor, so ids whose pages differ go one at a time.
		batch := pending
		cursor := after[pending[0]]
		if cursor != "" {
			batch = pending[:1]
		}
		pages, err := s.Neighbors(ctx, NeighborQuery{EntityIDs: batch, Direction: d, Types: types, First: MaxPageSize, After: cursor})
		if err != nil {
			return nil, err
		}
		var next []string
		for _, id := range batch {
			p := pages[id]
			if p == nil {
				continue
			}
			out = append(out, p.Items...)
			if p.HasNextPage && len(p.Items) > 0 {
				after[id] = NeighborOrder.Cursor(p.Items[len(p.Items)-1])
				next = append(next, id)
			}
		}
		pending = append(next, pending[len(batch):]...)
	}
	return out, nil
}

// TimelineQuery asks for what happened between From and To (either may be open).
type TimelineQuery struct {
	From, To  *time.Time
	EntityIDs []string
	Types     []RelationType
	Statuses  []ClaimStatus
	Limit     int // 0 means DefaultTimelineLimit
}

// TimelineEntry is a dated relation or an event.
type TimelineEntry struct {
	Time     *Time
	Relation *Relation
	Event    *Entity
}

// Timeline lists dated relations and events in time order (then by id). Events come in when
// no relation type or status is asked for, and, with EntityIDs, only events among those ids or
// at an end of a listed relation. Truncated says the limit cut the list.
func Timeline(ctx context.Context, s Store, q TimelineQuery) (entries []TimelineEntry, truncated bool, err error) {
	if q.Limit == 0 {
		q.Limit = DefaultTimelineLimit
	}
	var errs fieldErrs
	if q.Limit < 1 || q.Limit > MaxPageSize {
		errs.add("limit", "%d is outside 1..%d", q.Limit, MaxPageSize)
	}
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		errs.add("to", "is before from")
	}
	checkBound(&errs, "from", q.From)
	checkBound(&errs, "to", q.To)
	if len(q.EntityIDs) > MaxBatch {
		errs.add("entityIds", "has more than %d items", MaxBatch)
	}
	checkTypesStatuses(&errs, q.Types, q.Statuses)
	if err := errs.err(); err != nil {
		return nil, false, err
	}
	from, to := q.From, q.To
	// Open ends become the first and last instants a stored time may have (see minYear):
	// still bounds, so that undated relations stay out.
	if from == nil {
		t := time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
		from = &t
	}
	if to == nil {
		t := time.Date(maxYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
		to = &t
	}
	rf := &RelationFilter{Types: q.Types, Statuses: q.Statuses, EntityIDs: q.EntityIDs, OccurredFrom: from, OccurredTo: to}
	// One more than the limit tells whether the limit cuts; a page cannot exceed MaxPageSize,
	// and there HasNextPage tells the same.
	rels, err := s.Relations(ctx, RelationQuery{Filter: rf, OrderBy: NeighborOrder, First: min(q.Limit+1, MaxPageSize)})
	if err != nil {
		return nil, false, err
	}
	truncated = rels.HasNextPage
	for _, r := range rels.Items {
		t := r.OccurredAt
		if t == nil {
			t = r.ValidFrom
		}
		entries = append(entries, TimelineEntry{Time: t, Relation: r})
	}
	if len(q.Types) == 0 && len(q.Statuses) == 0 {
		ef := &EntityFilter{Kinds: []EntityKind{KindEvent}, OccurredFrom: from, OccurredTo: to}
		if len(q.EntityIDs) > 0 {
			ids := slices.Clone(q.EntityIDs)
			for _, r := range rels.Items {
				ids = append(ids, r.FromID, r.ToID)
			}
			// An id filter holds at most MaxBatch ids: past that, events at the far ends of
			// listed relations are left out and the timeline says it was cut.
			ids = normList(ids)
			if len(ids) > MaxBatch {
				ids, truncated = normList(append(slices.Clone(q.EntityIDs), ids...))[:MaxBatch], true
			}
			ef.IDs = ids
		}
		evs, err := s.Entities(ctx, EntityQuery{Filter: ef, OrderBy: EntityOrder{Field: EntityOrderID, Direction: Asc}, First: MaxPageSize})
		if err != nil {
			return nil, false, err
		}
		truncated = truncated || evs.HasNextPage
		for _, e := range evs.Items {
			entries = append(entries, TimelineEntry{Time: e.OccurredAt, Event: e})
		}
	}
	key := func(e TimelineEntry) (int64, string) {
		if e.Event != nil {
			return e.Event.OccurredAt.At.UnixNano(), e.Event.ID
		}
		return RelationTimeKey(e.Relation), e.Relation.ID
	}
	slices.SortFunc(entries, func(a, b TimelineEntry) int {
		ka, ia := key(a)
		kb, ib := key(b)
		if c := compareInt(ka, kb); c != 0 {
			return c
		}
		return strings.Compare(ia, ib)
	})
	if len(entries) > q.Limit {
		entries, truncated = entries[:q.Limit], true
	}
	return entries, truncated, nil
}
