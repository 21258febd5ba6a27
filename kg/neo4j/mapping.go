package neo4jstore

import (
	"encoding/hex"
	"fmt"
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

// reader reads typed values out of a property map, remembering the first type mismatch.
type reader struct {
	p   map[string]any
	err error
}

func (r *reader) fail(k string, v any, want string) {
	if r.err == nil {
		r.err = fmt.Errorf("neo4j: property %q is %T, want %s", k, v, want)
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
		if !ok {
			r.fail(k, it, "list of strings")
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (r *reader) instant(k string) (time.Time, bool) {
	v, ok := r.p[k]
	if !ok || v == nil {
		return time.Time{}, false
	}
	t, ok := v.(time.Time)
	if !ok {
		r.fail(k, v, "datetime")
		return time.Time{}, false
	}
	return fromNeoTime(t), true
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
	return &kg.Time{At: at, Precision: kg.TimePrecision(r.str(k + "Precision")), Note: r.str(k + "Note")}
}

func (r *reader) intPtr(k string) *int {
	v, ok := r.p[k]
	if !ok || v == nil {
		return nil
	}
	n, ok := v.(int64)
	if !ok {
		r.fail(k, v, "integer")
		return nil
	}
	i := int(n)
	return &i
}

func (r *reader) floatPtr(k string) *float64 {
	v, ok := r.p[k]
	if !ok || v == nil {
		return nil
	}
	switch f := v.(type) {
	case float64:
		return &f
	case int64:
		x := float64(f)
		return &x
	}
	r.fail(k, v, "float")
	return nil
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
func entityProjection(n string) string {
	return n + " {." + strings.Join(entityFields, ", .") + "}"
}

func entityFromNode(n neo4j.Node) (*kg.Entity, error) {
	return entityFromProps(n.Props)
}

// entityFromProps reads an entity from its properties: a node's, or entityProjection's map.
func entityFromProps(props map[string]any) (*kg.Entity, error) {
	r := &reader{p: props}
	e := &kg.Entity{
		ID:              r.str("id"),
		Kind:            kg.EntityKind(r.str("kind")),
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
	if r.err != nil {
		return nil, fmt.Errorf("entity %q: %w", e.ID, r.err)
	}
	return e, nil
}

func sourceFromNode(n neo4j.Node) (*kg.Source, error) {
	r := &reader{p: n.Props}
	s := &kg.Source{
		ID:          r.str("id"),
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
	return s, nil
}

func relationFromRel(rel neo4j.Relationship, from, to string) (*kg.Relation, error) {
	r := &reader{p: rel.Props}
	out := &kg.Relation{
		ID:          r.str("id"),
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
	if r.err != nil {
		return nil, fmt.Errorf("relation %q: %w", out.ID, r.err)
	}
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
