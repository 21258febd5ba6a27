package neo4jstore

import (
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Property maps. A nil or empty field is not stored at all (an absent property), and reads
// back as the zero value or nil, so a round trip through Neo4j gives what kg.Normalize* made.

type props map[string]any

func (p props) str(k, v string) {
	if v != "" {
		p[k] = v
	}
}

func (p props) list(k string, v []string) {
	if len(v) > 0 {
		p[k] = v
	}
}

// time flattens a kg.Time into <k> (a DATETIME keeping the offset), <k>Precision and <k>Note.
func (p props) time(k string, t *kg.Time) {
	if t == nil {
		return
	}
	p[k] = toNeoTime(t.At)
	p[k+"Precision"] = string(t.Precision)
	p.str(k+"Note", t.Note)
}

// toNeoTime makes the driver send t as a DATETIME with its UTC offset. The driver sends a
// time.Time as an offset datetime only when its zone is named "Offset"; any other zone is
// sent by name (Location().String()), which Neo4j rejects for Go's FixedZone("") and which
// would turn a given offset into a region's rules for "Local".
func toNeoTime(t time.Time) time.Time {
	_, off := t.Zone()
	return t.In(time.FixedZone("Offset", off))
}

// fromNeoTime is the inverse: UTC for offset 0, else an unnamed fixed zone, as time.Parse
// gives for an RFC 3339 string.
func fromNeoTime(t time.Time) time.Time {
	_, off := t.Zone()
	if off == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", off))
}

// normTime gives t the location a read from Neo4j would, so that what an upsert returns equals
// what later reads return.
func normTime(t *kg.Time) *kg.Time {
	if t == nil {
		return nil
	}
	c := *t
	c.At = fromNeoTime(c.At)
	return &c
}

// nameKey is the key NAME order sorts on: the folded name's UTF-8 bytes in hex. kg orders
// names as Go compares strings, bytewise (by code point). Neo4j compares strings in predicates
// by UTF-16 code unit, which puts characters beyond the BMP (emoji, 𝔣) before U+E000–U+FFFF,
// while a range index hands back rows in its own byte order — so sorting on the text itself
// would disagree with the embedded store and, worse, with its own cursor predicates. Hex
// digits compare the same in all three.
func nameKey(folded string) string { return hex.EncodeToString([]byte(folded)) }

func entityProps(e *kg.Entity) props {
	p := props{
		"id":         e.ID,
		"kind":       string(e.Kind),
		"name":       e.Name,
		"nameFold":   kg.Fold(e.Name),
		"nameKey":    nameKey(kg.Fold(e.Name)),
		"searchText": kg.SearchText(e),
		"createdAt":  toNeoTime(e.CreatedAt.UTC()),
		"updatedAt":  toNeoTime(e.UpdatedAt.UTC()),
	}
	p.list("aliases", e.Aliases)
	if len(e.Aliases) > 0 {
		folded := make([]string, len(e.Aliases))
		for i, a := range e.Aliases {
			folded[i] = kg.Fold(a)
		}
		// Only for a nameContains needle that holds a newline, which searchText cannot
		// answer exactly (see compileEntityFilter).
		p["aliasesFold"] = folded
	}
	p.str("description", e.Description)
	p.list("sourceIds", e.SourceIDs)
	p.str("category", e.Category)
	p.str("categoryFold", kg.Fold(e.Category))
	p.str("countryCode", e.CountryCode)
	p.str("agreementStatus", string(e.AgreementStatus))
	p.str("scope", e.Scope)
	p.time("validFrom", e.ValidFrom)
	p.time("validTo", e.ValidTo)
	p.time("occurredAt", e.OccurredAt)
	if e.DurationMinutes != nil {
		p["durationMinutes"] = int64(*e.DurationMinutes)
	}
	return p
}

func sourceProps(s *kg.Source) props {
	p := props{
		"id":        s.ID,
		"title":     s.Title,
		"createdAt": toNeoTime(s.CreatedAt.UTC()),
		"updatedAt": toNeoTime(s.UpdatedAt.UTC()),
	}
	p.str("url", s.URL)
	p.str("publisher", s.Publisher)
	p.str("author", s.Author)
	p.time("publishedAt", s.PublishedAt)
	p.str("category", s.Category)
	return p
}

// relationProps are the relationship's properties; its type and end nodes are the
// relationship itself. t is kg.RelationTimeKey, the integer relations are ordered and
// windowed by.
func relationProps(r *kg.Relation) props {
	p := props{
		"id":        r.ID,
		"status":    string(r.Status),
		"t":         kg.RelationTimeKey(r),
		"createdAt": toNeoTime(r.CreatedAt.UTC()),
		"updatedAt": toNeoTime(r.UpdatedAt.UTC()),
	}
	p.str("claimedBy", r.ClaimedByID)
	p.list("sourceIds", r.SourceIDs)
	p.str("quote", r.Quote)
	if r.Confidence != nil {
		p["confidence"] = *r.Confidence
	}
	p.str("role", r.Role)
	p.str("description", r.Description)
	p.time("occurredAt", r.OccurredAt)
	p.time("validFrom", r.ValidFrom)
	p.time("validTo", r.ValidTo)
	p.list("disputes", r.DisputesIDs)
	return p
}

// reader reads typed values out of a property map. The server writes every property with
// its type, but a database is also written by others (LOAD CSV leaves strings, a hand-written
// CREATE forgets a property): a value of the wrong type in an optional property reads as
// absent, and the problem is logged, so one bad value costs that value, never the listing it
// is in. Only what an item cannot be served without (its id, a valid kind, relation type or
// status) makes it an error (required).
type reader struct {
	p        map[string]any
	err      error
	problems []string
}

func (r *reader) fail(k string, v any, want string) {
	r.problems = append(r.problems, fmt.Sprintf("property %q is %T, want %s", k, v, want))
}

// required records a problem that leaves the item unusable.
func (r *reader) required(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("neo4j: "+format, args...)
	}
}

// done logs what was read leniently. Mapping runs deep in query loops with no logger at hand,
// so it logs to slog's default logger, which cmd/factgraph sets to its own.
func (r *reader) done(what, id string) {
	if len(r.problems) > 0 {
		slog.Warn("neo4j: data not written by factgraph; served without the bad values", "item", what, "id", id, "problems", r.problems)
	}
}

func (r *reader) str(k string) string {
	v, ok := r.p[k]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.fail(k, v, "string")
	}
	return s
}

func (r *reader) list(k string) []string {
	v, ok := r.p[k]
	if !ok || v == nil {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		r.fail(k, v, "list")
		return nil
	}
	if len(items) == 0 {
		return nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok || s == "" {
			r.fail(k, it, "list of non-empty strings")
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (r *reader) instant(k string) (time.Time, bool) {
	v, ok := r.p[k]
	if !ok || v == nil {
		return time.Time{}, false
	}
	switch t := v.(type) {
	case time.Time:
		return fromNeoTime(t), true
	case neo4j.Date:
		return t.Time().UTC(), true
	case neo4j.LocalDateTime:
		return t.Time().UTC(), true
	case string:
		// As LOAD CSV leaves it: an RFC 3339 instant or a date.
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if at, err := time.Parse(layout, t); err == nil {
				r.problems = append(r.problems, fmt.Sprintf("property %q is a string; read as a datetime", k))
				return fromNeoTime(at), true
			}
		}
	}
	r.fail(k, v, "datetime")
	return time.Time{}, false
}

func (r *reader) stamp(k string) time.Time {
	t, _ := r.instant(k)
	return t.UTC()
}

func (r *reader) time(k string) *kg.Time {
	at, ok := r.instant(k)
	if !ok {
		return nil
	}
	p := kg.TimePrecision(r.str(k + "Precision"))
	if !p.Valid() {
		if p != "" {
			r.fail(k+"Precision", string(p), "a TimePrecision")
		}
		p = kg.PrecisionSecond // what kg gives a time without one
	}
	return &kg.Time{At: at, Precision: p, Note: r.str(k + "Note")}
}

func (r *reader) intPtr(k string) *int {
	v, ok := r.p[k]
	if !ok || v == nil {
		return nil
	}
	switch n := v.(type) {
	case int64:
		i := int(n)
		return &i
	case float64:
		if n == float64(int(n)) {
			i := int(n)
			return &i
		}
	}
	r.fail(k, v, "integer")
	return nil
}

func (r *reader) floatPtr(k string) *float64 {
	v, ok := r.p[k]
	if !ok || v == nil {
		return nil
	}
	switch f := v.(type) {
	case float64:
		if f >= 0 && f <= 1 {
			return &f
		}
	case int64:
		if f == 0 || f == 1 {
			x := float64(f)
			return &x
		}
	}
	r.fail(k, v, "a number in 0..1")
	return nil
}

// kind is the entity's kind: the one kind label the node carries, which is what kind
// listings match and their counts count (docs/neo4j-model.md); the kind property only when
// the labels name no single kind. A disagreeing property is logged. A node with neither
// cannot be served as any type.
func (r *reader) kind(labels []string) kg.EntityKind {
	k := kg.EntityKind(r.str("kind"))
	var found []kg.EntityKind
	for _, c := range kg.EntityKinds {
		if slices.Contains(labels, c.Label()) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		if k != found[0] {
			r.problems = append(r.problems, fmt.Sprintf("property \"kind\" is %q; kind %s taken from the node's label", k, found[0]))
		}
		return found[0]
	}
	if k.Valid() {
		return k
	}
	r.required("kind %q is not an entity kind and the labels %v name no single kind", k, labels)
	return ""
}

// id is the item's public id, which nothing can stand in for.
func (r *reader) id() string {
	id := r.str("id")
	if id == "" {
		r.required("no id (property \"id\" missing, empty or not a string)")
	}
	return id
}

// entityFields are the entity properties that reads return: what kg.Entity holds, without
// the keys derived for filtering and ordering (nameFold, nameKey, searchText, aliasesFold,
// categoryFold), which are much of a node's bytes and which no caller reads back.
var entityFields = []string{"id", "kind", "name", "aliases", "description", "sourceIds", "category",
	"countryCode", "agreementStatus", "scope",
	"validFrom", "validFromPrecision", "validFromNote", "validTo", "validToPrecision", "validToNote",
	"occurredAt", "occurredAtPrecision", "occurredAtNote", "durationMinutes", "createdAt", "updatedAt"}

// entityProjection is the Cypher map projection of entityFields from node variable n, e.g.
// `n {.id, .kind, ...}`; entityFromProps reads its result.
//
// It also carries the node's labels, under a key no property of ours uses, so that a node
// written without its kind property (not by factgraph) still reads as its kind.
func entityProjection(n string) string {
	return n + " {." + strings.Join(entityFields, ", .") + ", " + labelsKey + ": labels(" + n + ")}"
}

// labelsKey holds a node's labels in entityProjection's map.
const labelsKey = "`_labels`"

func entityFromNode(n neo4j.Node) (*kg.Entity, error) {
	return entityFrom(n.Props, n.Labels)
}

// entityFromProps reads an entity from entityProjection's map.
func entityFromProps(props map[string]any) (*kg.Entity, error) {
	var labels []string
	if l, ok := props[strings.Trim(labelsKey, "`")].([]any); ok {
		for _, v := range l {
			if s, ok := v.(string); ok {
				labels = append(labels, s)
			}
		}
	}
	return entityFrom(props, labels)
}

// entityFrom reads an entity from a node's properties and labels.
func entityFrom(props map[string]any, labels []string) (*kg.Entity, error) {
	r := &reader{p: props}
	e := &kg.Entity{
		ID:              r.id(),
		Kind:            r.kind(labels),
		Name:            r.str("name"),
		Aliases:         r.list("aliases"),
		Description:     r.str("description"),
		SourceIDs:       r.list("sourceIds"),
		Category:        r.str("category"),
		CountryCode:     r.str("countryCode"),
		AgreementStatus: kg.AgreementStatus(r.str("agreementStatus")),
		Scope:           r.str("scope"),
		ValidFrom:       r.time("validFrom"),
		ValidTo:         r.time("validTo"),
		OccurredAt:      r.time("occurredAt"),
		DurationMinutes: r.intPtr("durationMinutes"),
		CreatedAt:       r.stamp("createdAt"),
		UpdatedAt:       r.stamp("updatedAt"),
	}
	if !e.AgreementStatus.Valid() && e.AgreementStatus != "" {
		r.fail("agreementStatus", string(e.AgreementStatus), "an AgreementStatus")
		e.AgreementStatus = ""
	}
	if r.err != nil {
		return nil, fmt.Errorf("entity %q: %w", e.ID, r.err)
	}
	r.done("entity", e.ID)
	return e, nil
}

func sourceFromNode(n neo4j.Node) (*kg.Source, error) {
	r := &reader{p: n.Props}
	s := &kg.Source{
		ID:          r.id(),
		Title:       r.str("title"),
		URL:         r.str("url"),
		Publisher:   r.str("publisher"),
		Author:      r.str("author"),
		PublishedAt: r.time("publishedAt"),
		Category:    r.str("category"),
		CreatedAt:   r.stamp("createdAt"),
		UpdatedAt:   r.stamp("updatedAt"),
	}
	if r.err != nil {
		return nil, fmt.Errorf("source %q: %w", s.ID, r.err)
	}
	r.done("source", s.ID)
	return s, nil
}

func relationFromRel(rel neo4j.Relationship, from, to string) (*kg.Relation, error) {
	r := &reader{p: rel.Props}
	out := &kg.Relation{
		ID:          r.id(),
		Type:        kg.RelationType(rel.Type),
		FromID:      from,
		ToID:        to,
		Status:      kg.ClaimStatus(r.str("status")),
		ClaimedByID: r.str("claimedBy"),
		SourceIDs:   r.list("sourceIds"),
		Quote:       r.str("quote"),
		Confidence:  r.floatPtr("confidence"),
		Role:        r.str("role"),
		Description: r.str("description"),
		OccurredAt:  r.time("occurredAt"),
		ValidFrom:   r.time("validFrom"),
		ValidTo:     r.time("validTo"),
		DisputesIDs: r.list("disputes"),
		CreatedAt:   r.stamp("createdAt"),
		UpdatedAt:   r.stamp("updatedAt"),
	}
	if !out.Type.Valid() {
		r.required("relationship type %q is not a relation type", rel.Type)
	}
	if !out.Status.Valid() {
		r.required("status %q is not a claim status", out.Status)
	}
	if r.err != nil {
		return nil, fmt.Errorf("relation %q: %w", out.ID, r.err)
	}
	r.done("relation", out.ID)
	return out, nil
}

// Record access: queries name their columns, so a missing or mistyped column is a bug here,
// reported as an error rather than a panic.

func recNode(rec *neo4j.Record, key string) (neo4j.Node, error) {
	v, ok := rec.Get(key)
	if !ok {
		return neo4j.Node{}, fmt.Errorf("neo4j: record has no column %q", key)
	}
	n, ok := v.(neo4j.Node)
	if !ok {
		return neo4j.Node{}, fmt.Errorf("neo4j: column %q is %T, want node", key, v)
	}
	return n, nil
}

// recEntity reads an entity from a column holding entityProjection's map.
func recEntity(rec *neo4j.Record, key string) (*kg.Entity, error) {
	v, ok := rec.Get(key)
	if !ok {
		return nil, fmt.Errorf("neo4j: record has no column %q", key)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("neo4j: column %q is %T, want map", key, v)
	}
	return entityFromProps(m)
}

func recString(rec *neo4j.Record, key string) (string, error) {
	v, ok := rec.Get(key)
	if !ok {
		return "", fmt.Errorf("neo4j: record has no column %q", key)
	}
	s, ok := v.(string)
	if !ok && v != nil {
		return "", fmt.Errorf("neo4j: column %q is %T, want string", key, v)
	}
	return s, nil
}

func recInt(rec *neo4j.Record, key string) (int, error) {
	v, ok := rec.Get(key)
	if !ok {
		return 0, fmt.Errorf("neo4j: record has no column %q", key)
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("neo4j: column %q is %T, want integer", key, v)
	}
	return int(n), nil
}

func recFloat(rec *neo4j.Record, key string) (float64, error) {
	v, ok := rec.Get(key)
	if !ok {
		return 0, fmt.Errorf("neo4j: record has no column %q", key)
	}
	switch f := v.(type) {
	case float64:
		return f, nil
	case int64:
		return float64(f), nil
	}
	return 0, fmt.Errorf("neo4j: column %q is %T, want float", key, v)
}

// relationFromRecord reads the columns r, from and to that relation queries return.
func relationFromRecord(rec *neo4j.Record) (*kg.Relation, error) {
	v, ok := rec.Get("r")
	if !ok {
		return nil, fmt.Errorf("neo4j: record has no column %q", "r")
	}
	rel, ok := v.(neo4j.Relationship)
	if !ok {
		return nil, fmt.Errorf("neo4j: column r is %T, want relationship", v)
	}
	from, err := recString(rec, "from")
	if err != nil {
		return nil, err
	}
	to, err := recString(rec, "to")
	if err != nil {
		return nil, err
	}
	return relationFromRel(rel, from, to)
}
