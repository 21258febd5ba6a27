package kg

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Page sizes: a request without `first` gets DefaultPageSize items, and none gets more than
// MaxPageSize, so a client cannot ask one query for the whole graph.
const (
	DefaultPageSize = 20
	MaxPageSize     = 500
)

// MaxNodeIDs bounds the ids of one lookup by id (the nodes query), like a page: the stores
// read them in one batch per kind.
const MaxNodeIDs = 500

// PageSize checks a requested page size; nil means the default.
func PageSize(first *int) (int, error) {
	if first == nil {
		return DefaultPageSize, nil
	}
	if *first < 0 || *first > MaxPageSize {
		return 0, Invalid("first", "%d is outside 0..%d", *first, MaxPageSize)
	}
	return *first, nil
}

// EntityFilter selects entities. Fields combine with AND; And, Or and Not nest filters.
type EntityFilter struct {
	Kinds []EntityKind
	IDs   []string
	// NameContains matches, ignoring case, a substring of the name or of an alias.
	NameContains string
	// Category matches the kind-specific subtype exactly, ignoring case.
	Category string
	// SourceID selects entities described by this source.
	SourceID string
	// HasRelation selects entities with at least one relation matching the predicate.
	HasRelation *RelationPredicate
	// OccurredFrom and OccurredTo select events whose occurredAt instant is in [From, To);
	// entities without occurredAt never match a window.
	OccurredFrom *time.Time
	OccurredTo   *time.Time
	And          []EntityFilter
	Or           []EntityFilter
	Not          *EntityFilter
}

// Check validates a filter, naming fields under path (e.g. "filter.or[1].kinds").
func (f *EntityFilter) Check(path string) error {
	var errs fieldErrs
	f.check(&errs, path, 0)
	return errs.err()
}

func (f *EntityFilter) check(errs *fieldErrs, path string, depth int) {
	if f == nil {
		return
	}
	if depth > maxFilterDepth {
		errs.add(path, "nests deeper than %d levels", maxFilterDepth)
		return
	}
	for i, k := range f.Kinds {
		if !k.Valid() {
			errs.add(fmt.Sprintf("%s.kinds[%d]", path, i), "%q is not a valid kind", k)
		}
	}
	if len(f.IDs) > MaxBatch {
		errs.add(path+".ids", "has more than %d items", MaxBatch)
	}
	checkText(errs, path+".nameContains", f.NameContains, maxNameLen)
	if p := f.HasRelation; p != nil {
		if p.Direction != "" && !p.Direction.Valid() {
			errs.add(path+".hasRelation.direction", "%q is not a valid direction", p.Direction)
		}
		for i, t := range p.Types {
			if !t.Valid() {
				errs.add(fmt.Sprintf("%s.hasRelation.types[%d]", path, i), "%q is not a valid relation type", t)
			}
		}
		for i, st := range p.Statuses {
			if !st.Valid() {
				errs.add(fmt.Sprintf("%s.hasRelation.statuses[%d]", path, i), "%q is not a valid claim status", st)
			}
		}
	}
	if f.OccurredFrom != nil && f.OccurredTo != nil && f.OccurredTo.Before(*f.OccurredFrom) {
		errs.add(path+".occurredTo", "is before occurredFrom")
	}
	checkBound(errs, path+".occurredFrom", f.OccurredFrom)
	checkBound(errs, path+".occurredTo", f.OccurredTo)
	for i := range f.And {
		f.And[i].check(errs, fmt.Sprintf("%s.and[%d]", path, i), depth+1)
	}
	for i := range f.Or {
		f.Or[i].check(errs, fmt.Sprintf("%s.or[%d]", path, i), depth+1)
	}
	f.Not.check(errs, path+".not", depth+1)
}

// Match reports whether e passes a filter that has no HasRelation anywhere in it (those
// need the graph: see MatchRelated).
func (f *EntityFilter) Match(e *Entity) bool { return f.MatchRelated(e, nil) }

// HasRelationFunc reports whether entity id has a relation matching p.
type HasRelationFunc func(id string, p *RelationPredicate) bool

// MatchRelated reports whether e passes the filter, asking has about HasRelation predicates
// (a nil has matches none). The embedded store uses it directly; the Neo4j store compiles the
// same filter to Cypher, and the contract suite holds the two equal.
func (f *EntityFilter) MatchRelated(e *Entity, has HasRelationFunc) bool {
	if f == nil {
		return true
	}
	if f.HasRelation != nil && (has == nil || !has(e.ID, f.HasRelation)) {
		return false
	}
	if f.OccurredFrom != nil || f.OccurredTo != nil {
		if e.OccurredAt == nil {
			return false
		}
		// Instants compared as times, not UnixNano, which is undefined outside 1678..2262
		// (Check holds filter bounds to that range too, but Match must not depend on it).
		at := e.OccurredAt.At
		if f.OccurredFrom != nil && at.Before(*f.OccurredFrom) || f.OccurredTo != nil && !at.Before(*f.OccurredTo) {
			return false
		}
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind) {
		return false
	}
	if len(f.IDs) > 0 && !slices.Contains(f.IDs, e.ID) {
		return false
	}
	if f.NameContains != "" {
		needle := Fold(f.NameContains)
		found := strings.Contains(Fold(e.Name), needle)
		for _, a := range e.Aliases {
			found = found || strings.Contains(Fold(a), needle)
		}
		if !found {
			return false
		}
	}
	if f.Category != "" && Fold(f.Category) != Fold(e.Category) {
		return false
	}
	if f.SourceID != "" && !slices.Contains(e.SourceIDs, f.SourceID) {
		return false
	}
	for i := range f.And {
		if !f.And[i].MatchRelated(e, has) {
			return false
		}
	}
	if len(f.Or) > 0 {
		any := false
		for i := range f.Or {
			any = any || f.Or[i].MatchRelated(e, has)
		}
		if !any {
			return false
		}
	}
	return f.Not == nil || !f.Not.MatchRelated(e, has)
}

// RelationPredicate describes a relation an entity must have (EntityFilter.HasRelation).
type RelationPredicate struct {
	// Types: any of these types; empty means any type.
	Types []RelationType
	// Direction: which end the entity is on; empty means BOTH.
	Direction Direction
	// OtherID: the entity at the other end, if given.
	OtherID string
	// Statuses: any of these claim statuses; empty means any.
	Statuses []ClaimStatus
}

// Matches reports whether r, a relation of entity id, satisfies the predicate.
func (p *RelationPredicate) Matches(id string, r *Relation) bool {
	d := p.Direction
	if d == "" {
		d = DirectionBoth
	}
	if !MatchNeighbor(r, id, d, p.Types) || len(p.Statuses) > 0 && !slices.Contains(p.Statuses, r.Status) {
		return false
	}
	if p.OtherID == "" {
		return true
	}
	switch {
	case r.FromID == id && r.ToID == p.OtherID && d != DirectionIn:
		return true
	case r.ToID == id && r.FromID == p.OtherID && d != DirectionOut:
		return true
	}
	return false
}

// Fold is the case folding used for case-insensitive matching and name ordering. Both stores
// use this one function (the Neo4j store stores its result), so they agree on every script.
func Fold(s string) string { return strings.ToLower(s) }

// SearchText is the text an entity is found by: its name and aliases, folded, separated by a
// newline so a substring never spans two of them. The Neo4j store stores and indexes it.
func SearchText(e *Entity) string {
	return Fold(strings.Join(append([]string{e.Name}, e.Aliases...), "\n"))
}

// EntityOrderField is what entities are sorted by; ties break on id.
type EntityOrderField string

// The entity sort fields.
const (
	EntityOrderName EntityOrderField = "NAME"
	EntityOrderID   EntityOrderField = "ID"
)

// EntityOrder orders entities.
type EntityOrder struct {
	Field     EntityOrderField
	Direction SortDirection
}

// RelationOrderField is what relations are sorted by; ties break on id.
type RelationOrderField string

// The relation sort fields.
const (
	// RelationOrderTime sorts by when the relation occurred (or began to hold); undated
	// relations come last in ascending order.
	RelationOrderTime RelationOrderField = "TIME"
	RelationOrderID   RelationOrderField = "ID"
)

// RelationOrder orders relations.
type RelationOrder struct {
	Field     RelationOrderField
	Direction SortDirection
}

// SortKey is the value entities are ordered by before their id.
func (o EntityOrder) SortKey(e *Entity) string {
	if o.Field == EntityOrderName {
		return Fold(e.Name)
	}
	return ""
}

// UndatedSortKey is the time sort key of an undated relation: after every real instant.
const UndatedSortKey = math.MaxInt64

// RelationTimeKey is the integer a relation is ordered by in time: Unix nanoseconds of its
// SortTime, or UndatedSortKey. Integers compare the same way in Go and Cypher.
func RelationTimeKey(r *Relation) int64 {
	if t, ok := r.SortTime(); ok {
		return t.UnixNano()
	}
	return UndatedSortKey
}

// SortKey is the value relations are ordered by before their id.
func (o RelationOrder) SortKey(r *Relation) string {
	if o.Field == RelationOrderTime {
		return strconv.FormatInt(RelationTimeKey(r), 10)
	}
	return ""
}

// Cursor is a decoded keyset cursor: the sort key and id of the last row seen. Keyset cursors
// neither skip nor repeat rows when rows are inserted between page requests, as offsets do.
type Cursor struct {
	Order string `json:"o"`
	Key   string `json:"k,omitempty"`
	ID    string `json:"i"`
}

// Encode makes the opaque string handed to clients.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses an opaque cursor made for the ordering named order. An empty string
// means "from the start" and yields nil.
func DecodeCursor(s, order string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, Invalid("after", "is not a cursor returned by this API")
	}
	if c.Order != order {
		return nil, Invalid("after", "was made for ordering %s, not %s", c.Order, order)
	}
	return &c, nil
}

func (o EntityOrder) name() string   { return "E." + string(o.Field) + "." + string(o.Direction) }
func (o RelationOrder) name() string { return "R." + string(o.Field) + "." + string(o.Direction) }

// Cursor returns the cursor that points just after e in this ordering.
func (o EntityOrder) Cursor(e *Entity) string {
	return Cursor{Order: o.name(), Key: o.SortKey(e), ID: e.ID}.Encode()
}

// Cursor returns the cursor that points just after r in this ordering.
func (o RelationOrder) Cursor(r *Relation) string {
	return Cursor{Order: o.name(), Key: o.SortKey(r), ID: r.ID}.Encode()
}

// Decode parses an `after` cursor for this ordering.
func (o EntityOrder) Decode(after string) (*Cursor, error) { return DecodeCursor(after, o.name()) }

// Decode parses an `after` cursor for this ordering; for TIME it checks the key is a number.
func (o RelationOrder) Decode(after string) (*Cursor, error) {
	c, err := DecodeCursor(after, o.name())
	if err == nil && c != nil && o.Field == RelationOrderTime {
		if _, perr := strconv.ParseInt(c.Key, 10, 64); perr != nil {
			return nil, Invalid("after", "is not a cursor returned by this API")
		}
	}
	return c, err
}

// Normalize fills in the default ordering (NAME ascending) and checks the field.
func (o *EntityOrder) Normalize() error {
	if o.Field == "" {
		o.Field = EntityOrderName
	}
	if o.Direction == "" {
		o.Direction = Asc
	}
	if o.Field != EntityOrderName && o.Field != EntityOrderID {
		return Invalid("orderBy.field", "%q is not a valid entity order", o.Field)
	}
	if o.Direction != Asc && o.Direction != Desc {
		return Invalid("orderBy.direction", "%q is not ASC or DESC", o.Direction)
	}
	return nil
}

// Normalize fills in the default ordering (TIME ascending) and checks the field.
func (o *RelationOrder) Normalize() error {
	if o.Field == "" {
		o.Field = RelationOrderTime
	}
	if o.Direction == "" {
		o.Direction = Asc
	}
	if o.Field != RelationOrderTime && o.Field != RelationOrderID {
		return Invalid("orderBy.field", "%q is not a valid relation order", o.Field)
	}
	if o.Direction != Asc && o.Direction != Desc {
		return Invalid("orderBy.direction", "%q is not ASC or DESC", o.Direction)
	}
	return nil
}

// After reports whether a row with (key, id) comes after the cursor in this direction.
// Keys of NAME and ID orderings compare as strings, TIME keys as integers.
func After(c *Cursor, dir SortDirection, numeric bool, key, id string) bool {
	if c == nil {
		return true
	}
	cmp := 0
	if numeric {
		a, _ := strconv.ParseInt(key, 10, 64)
		b, _ := strconv.ParseInt(c.Key, 10, 64)
		cmp = compareInt(a, b)
	} else {
		cmp = strings.Compare(key, c.Key)
	}
	if cmp == 0 {
		cmp = strings.Compare(id, c.ID)
	}
	if dir == Desc {
		return cmp < 0
	}
	return cmp > 0
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// EntityQuery asks for one page of entities.
type EntityQuery struct {
	Filter  *EntityFilter
	OrderBy EntityOrder
	First   int
	After   string
	// SkipTotal says the caller does not need TotalCount: the store leaves it 0 and does not
	// count, which for a large match is most of the work.
	SkipTotal bool
}

// EntityPage is one page of entities. TotalCount counts every match, not just this page.
type EntityPage struct {
	Items       []*Entity
	HasNextPage bool
	TotalCount  int
}

// RelationFilter selects relations; every field set must hold.
type RelationFilter struct {
	IDs      []string
	Types    []RelationType
	Statuses []ClaimStatus
	FromID   string
	ToID     string
	// EntityID selects relations with this entity at either end.
	EntityID string
	// EntityIDs selects relations with any of these entities at either end.
	EntityIDs []string
	// DisputesIDs selects the relations that dispute any of these relations (one query
	// answers Relation.disputedBy for a whole page of relations).
	DisputesIDs []string
	ClaimedByID string
	SourceID    string
	// OccurredFrom and OccurredTo bound the relation's sort time: From inclusive, To exclusive.
	// An undated relation never falls inside a window.
	OccurredFrom *time.Time
	OccurredTo   *time.Time
	// MinConfidence keeps relations whose confidence is at least this; unassessed ones drop.
	MinConfidence *float64
}

// Check validates a relation filter.
func (f *RelationFilter) Check(path string) error {
	if f == nil {
		return nil
	}
	var errs fieldErrs
	for i, t := range f.Types {
		if !t.Valid() {
			errs.add(fmt.Sprintf("%s.types[%d]", path, i), "%q is not a valid relation type", t)
		}
	}
	for i, s := range f.Statuses {
		if !s.Valid() {
			errs.add(fmt.Sprintf("%s.statuses[%d]", path, i), "%q is not a valid claim status", s)
		}
	}
	if len(f.IDs) > MaxBatch {
		errs.add(path+".ids", "has more than %d items", MaxBatch)
	}
	if len(f.EntityIDs) > MaxBatch {
		errs.add(path+".entityIds", "has more than %d items", MaxBatch)
	}
	if len(f.DisputesIDs) > MaxBatch {
		errs.add(path+".disputesIds", "has more than %d items", MaxBatch)
	}
	if f.OccurredFrom != nil && f.OccurredTo != nil && f.OccurredTo.Before(*f.OccurredFrom) {
		errs.add(path+".occurredTo", "is before occurredFrom")
	}
	checkBound(&errs, path+".occurredFrom", f.OccurredFrom)
	checkBound(&errs, path+".occurredTo", f.OccurredTo)
	if c := f.MinConfidence; c != nil && (math.IsNaN(*c) || *c < 0 || *c > 1) {
		errs.add(path+".minConfidence", "%v is outside 0..1", *c)
	}
	return errs.err()
}

// Match reports whether r passes the filter.
func (f *RelationFilter) Match(r *Relation) bool {
	if f == nil {
		return true
	}
	switch {
	case len(f.IDs) > 0 && !slices.Contains(f.IDs, r.ID),
		len(f.Types) > 0 && !slices.Contains(f.Types, r.Type),
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, r.Status),
		f.FromID != "" && r.FromID != f.FromID,
		f.ToID != "" && r.ToID != f.ToID,
		f.EntityID != "" && r.FromID != f.EntityID && r.ToID != f.EntityID,
		len(f.EntityIDs) > 0 && !slices.Contains(f.EntityIDs, r.FromID) && !slices.Contains(f.EntityIDs, r.ToID),
		len(f.DisputesIDs) > 0 && !slices.ContainsFunc(r.DisputesIDs, func(id string) bool { return slices.Contains(f.DisputesIDs, id) }),
		f.ClaimedByID != "" && r.ClaimedByID != f.ClaimedByID,
		f.SourceID != "" && !slices.Contains(r.SourceIDs, f.SourceID),
		f.MinConfidence != nil && (r.Confidence == nil || *r.Confidence < *f.MinConfidence):
		return false
	}
	if f.OccurredFrom != nil || f.OccurredTo != nil {
		key := RelationTimeKey(r)
		if key == UndatedSortKey {
			return false
		}
		if f.OccurredFrom != nil && key < f.OccurredFrom.UnixNano() {
			return false
		}
		if f.OccurredTo != nil && key >= f.OccurredTo.UnixNano() {
			return false
		}
	}
	return true
}

// RelationQuery asks for one page of relations.
type RelationQuery struct {
	Filter  *RelationFilter
	OrderBy RelationOrder
	First   int
	After   string
	// SkipTotal says the caller does not need TotalCount: the store leaves it 0 and does not
	// count, which for a large match is most of the work.
	SkipTotal bool
	// WithEnds asks for the entities that the page's relations name (from, to and
	// claimedBy) in the page's Ends, read with the page: what a response showing relations
	// with their ends needs next, without another round trip.
	WithEnds bool
}

// RelationPage is one page of relations.
type RelationPage struct {
	Items       []*Relation
	HasNextPage bool
	TotalCount  int
	// Ends holds, when the query asked WithEnds, every entity the items name as from, to
	// or claimedBy, by id; else it is nil.
	Ends map[string]*Entity
}

// NeighborQuery asks for the relations of several entities at once, one page per entity, so
// that a dataloader can fetch every entity's relations in a GraphQL response in one trip.
// Relations come in time order (RelationOrder{TIME, ASC}).
type NeighborQuery struct {
	EntityIDs []string
	Direction Direction
	Types     []RelationType
	First     int
	After     string
	// SkipTotal says the caller does not need TotalCount: the store leaves it 0 and does not
	// count, which for a large match is most of the work.
	SkipTotal bool
	// WithEnds asks for the entities that the page's relations name (from, to and
	// claimedBy) in the page's Ends, read with the page: what a response showing relations
	// with their ends needs next, without another round trip.
	WithEnds bool
}

// NeighborOrder is the fixed ordering of NeighborQuery pages.
var NeighborOrder = RelationOrder{Field: RelationOrderTime, Direction: Asc}

// MatchNeighbor reports whether r is a relation of entity id in direction d with one of types.
func MatchNeighbor(r *Relation, id string, d Direction, types []RelationType) bool {
	if len(types) > 0 && !slices.Contains(types, r.Type) {
		return false
	}
	switch d {
	case DirectionOut:
		return r.FromID == id
	case DirectionIn:
		return r.ToID == id
	default:
		return r.FromID == id || r.ToID == id
	}
}

// SourceQuery asks for one page of sources, in id order.
type SourceQuery struct {
	First int
	After string
	// SkipTotal says the caller does not need TotalCount: the store leaves it 0 and does not
	// count, which for a large match is most of the work.
	SkipTotal bool
}

// SourceOrder is the ordering of source pages.
var SourceOrder = EntityOrder{Field: EntityOrderID, Direction: Asc}

// SourcePage is one page of sources.
type SourcePage struct {
	Items       []*Source
	HasNextPage bool
	TotalCount  int
}

// SearchQuery is a full-text search over entity names, aliases and descriptions.
type SearchQuery struct {
	Text  string
	Kinds []EntityKind
	Limit int
}

// Check validates a search.
func (q *SearchQuery) Check() error {
	var errs fieldErrs
	if len(SearchTerms(q.Text)) == 0 {
		errs.add("query", "needs at least one word")
	}
	checkText(&errs, "query", q.Text, maxSearchQueryLen)
	for i, k := range q.Kinds {
		if !k.Valid() {
			errs.add(fmt.Sprintf("kinds[%d]", i), "%q is not a valid kind", k)
		}
	}
	if q.Limit < 0 || q.Limit > MaxPageSize {
		errs.add("first", "%d is outside 0..%d", q.Limit, MaxPageSize)
	}
	return errs.err()
}

// SearchTerms splits search text into folded words of letters and digits.
func SearchTerms(text string) []string {
	return strings.FieldsFunc(Fold(text), func(r rune) bool {
		return !(r == '\'' || r == '-' || isWordRune(r))
	})
}

func isWordRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && !strings.ContainsRune("\u2018\u2019\u201c\u201d\u2013\u2014", r)
}

// SearchHit is one search result; higher scores are better. Scores rank hits within one
// response; they are not comparable across stores.
type SearchHit struct {
	Entity *Entity
	Score  float64
}

// Stats counts the graph.
type Stats struct {
	Entities  int
	Relations int
	Sources   int
	ByKind    map[EntityKind]int
	ByType    map[RelationType]int
	ByStatus  map[ClaimStatus]int
	// BySource counts relations per source id.
	BySource map[string]int
}

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (f *EntityOrderField) UnmarshalGQL(v any) (err error) {
	*f, err = unmarshalEnum(v, func(f EntityOrderField) bool { return f == EntityOrderName || f == EntityOrderID }, "EntityOrderField")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (f EntityOrderField) MarshalGQL(w io.Writer) { marshalEnum(w, string(f)) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (f *RelationOrderField) UnmarshalGQL(v any) (err error) {
	*f, err = unmarshalEnum(v, func(f RelationOrderField) bool { return f == RelationOrderTime || f == RelationOrderID }, "RelationOrderField")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (f RelationOrderField) MarshalGQL(w io.Writer) { marshalEnum(w, string(f)) }

// checkBound rejects a window bound outside the years stored times may have (see checkTime):
// the stores compare windows as Unix nanoseconds, which do not reach further.
func checkBound(errs *fieldErrs, field string, t *time.Time) {
	if t != nil && (t.Year() < minYear || t.Year() > maxYear) {
		errs.add(field, "year %d is outside %d..%d", t.Year(), minYear, maxYear)
	}
}
