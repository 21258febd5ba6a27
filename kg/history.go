package kg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"time"
)

// History: every write appends one revision per object it creates, changes or deletes, in the
// same transaction as the write, numbered by one store-wide sequence. The sequence is the
// spine of history (one object's revisions), asOf (an object at an instant), the changes feed
// and live subscriptions: a client that has seen sequence number n asks for what came after n
// and misses nothing.

// ObjectType says what a revision is of.
type ObjectType string

// The object types.
const (
	ObjectEntity   ObjectType = "ENTITY"
	ObjectRelation ObjectType = "RELATION"
	ObjectSource   ObjectType = "SOURCE"
)

// ObjectTypes lists the object types.
var ObjectTypes = []ObjectType{ObjectEntity, ObjectRelation, ObjectSource}

// Valid reports whether o is an object type.
func (o ObjectType) Valid() bool { return slices.Contains(ObjectTypes, o) }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (o *ObjectType) UnmarshalGQL(v any) (err error) {
	*o, err = unmarshalEnum(v, ObjectType.Valid, "ObjectType")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (o ObjectType) MarshalGQL(w io.Writer) { marshalEnum(w, string(o)) }

// ChangeOp says what a revision did to its object.
type ChangeOp string

// The operations.
const (
	OpCreate ChangeOp = "CREATE"
	OpUpdate ChangeOp = "UPDATE"
	// OpDelete marks a tombstone: the object was deleted; the revision has no state.
	OpDelete ChangeOp = "DELETE"
)

// Valid reports whether op is an operation.
func (op ChangeOp) Valid() bool { return op == OpCreate || op == OpUpdate || op == OpDelete }

// UnmarshalGQL implements gqlgen's Unmarshaler.
func (op *ChangeOp) UnmarshalGQL(v any) (err error) {
	*op, err = unmarshalEnum(v, ChangeOp.Valid, "ChangeOperation")
	return err
}

// MarshalGQL implements gqlgen's Marshaler.
func (op ChangeOp) MarshalGQL(w io.Writer) { marshalEnum(w, string(op)) }

// Revision is one change to one object.
type Revision struct {
	// Seq is the revision's place in the store-wide sequence: 1, 2, 3, ... in commit order.
	Seq int64
	// At is when the write happened (the object's updatedAt).
	At time.Time
	// Writer names who wrote it (kg.WriterFrom of the write's context); "" when anonymous.
	Writer string
	Op     ChangeOp
	Object ObjectType
	ID     string
	// Entity, Relation or Source is the object's state after the change, as the input that
	// would write it whole (ModeReplace); all nil on a tombstone.
	Entity   *EntityInput
	Relation *RelationInput
	Source   *SourceInput
	// Changed names the fields the change set or cleared, by their GraphQL input names; on a
	// create, every field it set; on a tombstone, none.
	Changed []string
	// Kind is an entity's kind and Type a relation's type, From and To its ends: kept on
	// tombstones too, so that feeds can be filtered by them.
	Kind     EntityKind
	Type     RelationType
	From, To string
}

// State returns the revision's state as the JSON object an upsert input would be; nil on a
// tombstone.
func (r *Revision) State() (map[string]any, error) {
	var v any
	switch {
	case r.Entity != nil:
		v = r.Entity
	case r.Relation != nil:
		v = r.Relation
	case r.Source != nil:
		v = r.Source
	default:
		return nil, nil
	}
	return jsonMap(v)
}

// Touches reports whether the revision is of entity id or of a relation from or to it.
func (r *Revision) Touches(id string) bool {
	return r.ID == id && r.Object == ObjectEntity || r.Object == ObjectRelation && (r.From == id || r.To == id)
}

func jsonMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// changedFields lists the keys whose values differ between two JSON states (nil old: every
// key of new), sorted. Values compare as the bytes one encoder wrote for them.
func changedFields(old, new any) ([]string, error) {
	n, err := rawFields(new)
	if err != nil {
		return nil, err
	}
	var o map[string]json.RawMessage
	if !reflect.ValueOf(old).IsNil() {
		if o, err = rawFields(old); err != nil {
			return nil, err
		}
	}
	var out []string
	for k, v := range n {
		if k != "id" && !bytes.Equal(o[k], v) {
			out = append(out, k)
		}
	}
	for k := range o {
		if _, ok := n[k]; !ok && k != "id" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func rawFields(v any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	return m, json.Unmarshal(b, &m)
}

// Input returns the input that writes e whole.
func (e *Entity) Input() EntityInput {
	return EntityInput{
		ID: e.ID, Kind: e.Kind, Name: e.Name, Aliases: e.Aliases, Description: e.Description,
		SourceIDs: e.SourceIDs, Category: e.Category, CountryCode: e.CountryCode,
		AgreementStatus: e.AgreementStatus, Scope: e.Scope, ValidFrom: e.ValidFrom,
		ValidTo: e.ValidTo, OccurredAt: e.OccurredAt, DurationMinutes: e.DurationMinutes,
		Mode: ModeReplace,
	}
}

// Input returns the input that writes s whole.
func (s *Source) Input() SourceInput {
	return SourceInput{
		ID: s.ID, Title: s.Title, URL: s.URL, Publisher: s.Publisher, Author: s.Author,
		PublishedAt: s.PublishedAt, Category: s.Category, Mode: ModeReplace,
	}
}

// Input returns the input that writes r whole.
func (r *Relation) Input() RelationInput {
	return RelationInput{
		ID: r.ID, Type: r.Type, FromID: r.FromID, ToID: r.ToID, Status: r.Status,
		ClaimedByID: r.ClaimedByID, SourceIDs: r.SourceIDs, Quote: r.Quote,
		Confidence: r.Confidence, Role: r.Role, Description: r.Description,
		OccurredAt: r.OccurredAt, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo,
		DisputesIDs: r.DisputesIDs, Mode: ModeReplace,
	}
}

// EntityRevision is the revision of writing e (new when old is nil, else an update of old);
// e nil with old set is old's tombstone. Seq is left for the store to number.
func EntityRevision(at time.Time, writer string, old, e *Entity) (*Revision, error) {
	ref := e
	if ref == nil {
		ref = old
	}
	r := &Revision{At: at, Writer: writer, Object: ObjectEntity, ID: ref.ID, Kind: ref.Kind}
	var oldIn *EntityInput
	if old != nil {
		in := old.Input()
		oldIn = &in
	}
	return r, r.fill(oldIn, e != nil, func() any { in := e.Input(); r.Entity = &in; return r.Entity })
}

// SourceRevision is EntityRevision for sources.
func SourceRevision(at time.Time, writer string, old, s *Source) (*Revision, error) {
	ref := s
	if ref == nil {
		ref = old
	}
	r := &Revision{At: at, Writer: writer, Object: ObjectSource, ID: ref.ID}
	var oldIn *SourceInput
	if old != nil {
		in := old.Input()
		oldIn = &in
	}
	return r, r.fill(oldIn, s != nil, func() any { in := s.Input(); r.Source = &in; return r.Source })
}

// RelationRevision is EntityRevision for relations.
func RelationRevision(at time.Time, writer string, old, rel *Relation) (*Revision, error) {
	ref := rel
	if ref == nil {
		ref = old
	}
	r := &Revision{At: at, Writer: writer, Object: ObjectRelation, ID: ref.ID, Type: ref.Type, From: ref.FromID, To: ref.ToID}
	var oldIn *RelationInput
	if old != nil {
		in := old.Input()
		oldIn = &in
	}
	return r, r.fill(oldIn, rel != nil, func() any { in := rel.Input(); r.Relation = &in; return r.Relation })
}

// fill sets Op, the state and Changed.
func (r *Revision) fill(old any, exists bool, state func() any) error {
	switch {
	case !exists:
		r.Op = OpDelete
		return nil
	case reflect.ValueOf(old).IsNil():
		r.Op = OpCreate
	default:
		r.Op = OpUpdate
	}
	var err error
	r.Changed, err = changedFields(old, state())
	return err
}

// revisionJSON is a revision's stored form in both stores: explicit names, so that renaming a
// Go field cannot change what is on disk.
type revisionJSON struct {
	Seq      int64          `json:"seq"`
	At       time.Time      `json:"at"`
	Writer   string         `json:"writer,omitempty"`
	Op       ChangeOp       `json:"op"`
	Object   ObjectType     `json:"object"`
	ID       string         `json:"id"`
	Entity   *EntityInput   `json:"entity,omitempty"`
	Relation *RelationInput `json:"relation,omitempty"`
	Source   *SourceInput   `json:"source,omitempty"`
	Changed  []string       `json:"changed,omitempty"`
	Kind     EntityKind     `json:"kind,omitempty"`
	Type     RelationType   `json:"type,omitempty"`
	From     string         `json:"from,omitempty"`
	To       string         `json:"to,omitempty"`
}

// EncodeRevision encodes a revision for storage.
func EncodeRevision(r *Revision) ([]byte, error) {
	return json.Marshal(revisionJSON{
		Seq: r.Seq, At: r.At.UTC(), Writer: r.Writer, Op: r.Op, Object: r.Object, ID: r.ID,
		Entity: r.Entity, Relation: r.Relation, Source: r.Source, Changed: r.Changed,
		Kind: r.Kind, Type: r.Type, From: r.From, To: r.To,
	})
}

// DecodeRevision decodes what EncodeRevision wrote.
func DecodeRevision(b []byte) (*Revision, error) {
	var j revisionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("decode revision: %w", err)
	}
	r := &Revision{
		Seq: j.Seq, At: j.At.UTC(), Writer: j.Writer, Op: j.Op, Object: j.Object, ID: j.ID,
		Entity: j.Entity, Relation: j.Relation, Source: j.Source, Changed: j.Changed,
		Kind: j.Kind, Type: j.Type, From: j.From, To: j.To,
	}
	for _, in := range []*EntityInput{r.Entity} {
		if in != nil {
			in.Mode = ModeReplace
		}
	}
	if r.Relation != nil {
		r.Relation.Mode = ModeReplace
	}
	if r.Source != nil {
		r.Source.Mode = ModeReplace
	}
	return r, nil
}

// HistoryQuery asks for the revisions of one object, oldest first, keyset-paged by sequence
// number.
type HistoryQuery struct {
	Object ObjectType
	ID     string
	// After is the sequence number of the last revision already seen; 0 starts at the first.
	After int64
	First int
}

// ChangeFilter selects revisions for the changes feed and subscriptions; zero selects all.
// The conditions hold together.
type ChangeFilter struct {
	// Objects keeps revisions of these object types.
	Objects []ObjectType
	// EntityID keeps revisions of that entity and of relations from or to it.
	EntityID string
	// Kinds keeps revisions of entities of these kinds (and no relations or sources).
	Kinds []EntityKind
	// Types keeps revisions of relations of these types (and no entities or sources).
	Types []RelationType
}

// Check validates the filter; field names the argument for messages.
func (f *ChangeFilter) Check(field string) error {
	if f == nil {
		return nil
	}
	var errs fieldErrs
	for i, o := range f.Objects {
		if !o.Valid() {
			errs.add(fmt.Sprintf("%s.objects[%d]", field, i), "%q is not an object type", o)
		}
	}
	for i, k := range f.Kinds {
		if !k.Valid() {
			errs.add(fmt.Sprintf("%s.kinds[%d]", field, i), "%q is not a valid kind", k)
		}
	}
	for i, t := range f.Types {
		if !t.Valid() {
			errs.add(fmt.Sprintf("%s.types[%d]", field, i), "%q is not a valid relation type", t)
		}
	}
	if len(f.Objects) > maxListLen || len(f.Kinds) > maxListLen || len(f.Types) > maxListLen {
		errs.add(field, "lists at most %d values per condition", maxListLen)
	}
	return errs.err()
}

// Match reports whether the filter keeps r.
func (f *ChangeFilter) Match(r *Revision) bool {
	if f == nil {
		return true
	}
	if len(f.Objects) > 0 && !slices.Contains(f.Objects, r.Object) {
		return false
	}
	if f.EntityID != "" && !r.Touches(f.EntityID) {
		return false
	}
	if len(f.Kinds) > 0 && (r.Object != ObjectEntity || !slices.Contains(f.Kinds, r.Kind)) {
		return false
	}
	if len(f.Types) > 0 && (r.Object != ObjectRelation || !slices.Contains(f.Types, r.Type)) {
		return false
	}
	return true
}

// ChangesQuery asks for the store-wide revisions after a sequence number, in sequence order.
type ChangesQuery struct {
	After  int64
	First  int
	Filter *ChangeFilter
}

// RevisionPage is one page of revisions.
type RevisionPage struct {
	Items       []*Revision
	HasNextPage bool
	// Through is, for Changes, the sequence number to ask for changes after next: the last
	// item's when there is a next page, else the last committed revision's.
	Through int64
	// Last is, for Changes, the last committed revision's sequence number.
	Last int64
}

// MaxChangesPage bounds one page of the changes feed; the feed is for catching up in bulk.
const MaxChangesPage = 1000

// CheckHistoryQuery validates a history query.
func (q *HistoryQuery) Check() error {
	var errs fieldErrs
	if !q.Object.Valid() {
		errs.add("object", "%q is not an object type", q.Object)
	}
	checkID(&errs, "id", q.ID)
	checkPage(&errs, q.After, q.First, 0, MaxPageSize)
	return errs.err()
}

// Check validates a changes query.
func (q *ChangesQuery) Check() error {
	var errs fieldErrs
	checkPage(&errs, q.After, q.First, 1, MaxChangesPage)
	if err := errs.err(); err != nil {
		return err
	}
	return q.Filter.Check("filter")
}

func checkPage(errs *fieldErrs, after int64, first, least, most int) {
	if after < 0 {
		errs.add("after", "must not be negative")
	}
	if first < least || first > most {
		errs.add("first", "%d is outside %d..%d", first, least, most)
	}
}

// HistoryPruned reports that the revisions a request needs, named by field, were removed by
// the retention setting.
func HistoryPruned(field, format string, args ...any) error {
	return Invalid(field, format, args...)
}

// CheckAsOf validates the object of an asOf question.
func CheckAsOf(object ObjectType, id string) error {
	var errs fieldErrs
	if !object.Valid() {
		errs.add("object", "%q is not an object type", object)
	}
	checkID(&errs, "id", id)
	return errs.err()
}
