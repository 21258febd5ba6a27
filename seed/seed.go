// Package seed reads, checks and loads seed files: YAML documents of sources, entities and
// sourced relations, one file per article (see data/). The server loads the built-in data
// into an empty embedded store with Apply; the seed CLI reads files with Load, which checks
// the references the files do not define against the target server, and does its own
// batching over the GraphQL API.
//
// A seed file has four top-level keys, all optional:
//
//	timezone:  "+00:00"     # UTC offset for date-only times ("2025-03-18"); default UTC
//	sources:   [...]        # SourceInput fields, camelCase as in the GraphQL inputs
//	entities:  [...]        # EntityInput fields
//	relations: [...]        # RelationInput fields (from, to, claimedBy, sourceIds, disputes)
//
// Decoding is strict: an unknown key anywhere is an error, so a typo cannot silently drop a
// fact. Every item remembers its file and line, and every problem is reported against them.
//
// Times are written either as a string or as a map:
//
//	"2025"                        YEAR precision
//	"2025-03"                     MONTH precision
//	"2025-03-18"                  DAY precision, at 00:00 in the file's timezone
//	"2025-03-18T14:05Z"           MINUTE precision (an offset is required)
//	"2025-03-18T14:05:00-04:00"   SECOND precision (RFC 3339)
//	{at: "2025-03-18", precision: DAY, note: "less than an hour after the call"}
//
// In the map form precision may be coarser than the string shows (an instant known only to
// the hour), never finer (a bare date cannot be HOUR-precise). Date-only times take the file's
// fixed offset, not a zone name: the offset is data, it must not depend on the machine's
// time-zone database.
package seed

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/factgraph/factgraph/kg"
)

//go:embed data/*.yaml
var builtinFS embed.FS

// Origin says where a bundle item was read from.
type Origin struct {
	// File is the name the file was parsed under ("data/2025-03-energy-ceasefire.yaml").
	File string
	// Line is the line the entry starts on (1-based); 0 when unknown.
	Line int
	// Index is the entry's position in its section ("relations") of that file.
	Index int
	// Fields maps each key of the entry ("confidence", "validFrom") to its line.
	Fields map[string]int
}

// line returns the line of field (the first path element of e.g. "validFrom.at"), or the
// entry's line when the field is not a key of the entry.
func (o Origin) line(field string) int {
	if i := strings.IndexAny(field, ".["); i >= 0 {
		field = field[:i]
	}
	if l, ok := o.Fields[field]; ok {
		return l
	}
	return o.Line
}

// Bundle is the content of one or more seed files, ready to validate and apply. The Origin
// slices run parallel to the item slices; a bundle built in code may leave them short, and
// its problems are then reported without file and line.
type Bundle struct {
	Sources   []kg.SourceInput
	Entities  []kg.EntityInput
	Relations []kg.RelationInput

	SourceOrigins   []Origin
	EntityOrigins   []Origin
	RelationOrigins []Origin

	// unreadable maps the ids of entries that could not be decoded to their section: their
	// problem is reported, and references to them are not reported again as undefined.
	unreadable map[string]string
}

// Len is the number of items in the bundle.
func (b *Bundle) Len() int { return len(b.Sources) + len(b.Entities) + len(b.Relations) }

func originAt(os []Origin, i int) Origin {
	if i < len(os) {
		return os[i]
	}
	return Origin{Index: i}
}

// Builtin returns the seed data compiled into the binary (data/*.yaml, in file-name order),
// parsed, merged and validated.
func Builtin() (*Bundle, error) {
	names, err := fs.Glob(builtinFS, "data/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var parts []*Bundle
	for _, name := range names {
		data, err := builtinFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		b, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		parts = append(parts, b)
	}
	b, err := Merge(parts...)
	if err != nil {
		return nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// Lookup finds ids on the server a seed is loaded into: it returns the section ("sources",
// "entities" or "relations") of each of ids that exists there. The seed CLI asks the target
// server in one GraphQL request.
type Lookup func(ctx context.Context, ids []string) (map[string]string, error)

// Load parses the files, merges them and validates the result in one pass: every problem of
// every file (syntax, unknown fields, misread values, invalid items, duplicate ids, broken
// references) comes back in one *Error, sorted by file and line. References that no file
// defines are looked up with lookup (nil: they are errors), so a file may build on what the
// server already holds. The bundle is returned with the error so a caller can say what it
// would have written.
func Load(ctx context.Context, lookup Lookup, paths ...string) (*Bundle, error) {
	var errs problems
	var parts []*Bundle
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			errs.add(Problem{File: p, Message: err.Error()})
			continue
		}
		b, list := parse(p, data)
		errs.list = append(errs.list, list...)
		parts = append(parts, b)
	}
	b, list := merge(parts...)
	errs.list = append(errs.list, list...)
	b.validate(ctx, lookup, &errs)
	return b, errs.err()
}

// Merge concatenates bundles. An id that occurs twice (in any section, in any two bundles) is
// an error naming both places.
func Merge(parts ...*Bundle) (*Bundle, error) {
	out, list := merge(parts...)
	if len(list) > 0 {
		return nil, &Error{Problems: list}
	}
	return out, nil
}

// merge is Merge returning the bundle whatever its problems.
func merge(parts ...*Bundle) (*Bundle, []Problem) {
	out := &Bundle{}
	for _, p := range parts {
		if p == nil {
			continue
		}
		// Items and origins are appended together, so the slices stay parallel even when a
		// part was built in code without origins.
		for i, s := range p.Sources {
			out.Sources = append(out.Sources, s)
			out.SourceOrigins = append(out.SourceOrigins, originAt(p.SourceOrigins, i))
		}
		for i, e := range p.Entities {
			out.Entities = append(out.Entities, e)
			out.EntityOrigins = append(out.EntityOrigins, originAt(p.EntityOrigins, i))
		}
		for i, r := range p.Relations {
			out.Relations = append(out.Relations, r)
			out.RelationOrigins = append(out.RelationOrigins, originAt(p.RelationOrigins, i))
		}
		for id, section := range p.unreadable {
			out.markUnreadable(id, section)
		}
	}
	var errs problems
	out.checkDuplicates(&errs)
	return out, errs.list
}

func (b *Bundle) markUnreadable(id, section string) {
	if id = strings.TrimSpace(id); id == "" {
		return
	}
	if b.unreadable == nil {
		b.unreadable = map[string]string{}
	}
	b.unreadable[id] = section
}

// The YAML shapes of the items. Field names are the GraphQL input names; the conversion to
// kg inputs is by hand so that the kg types need no YAML tags.

type fileDoc struct {
	Timezone  string     `yaml:"timezone"`
	Sources   []ast.Node `yaml:"sources"`
	Entities  []ast.Node `yaml:"entities"`
	Relations []ast.Node `yaml:"relations"`
}

type sourceDoc struct {
	ID          string   `yaml:"id"`
	Title       string   `yaml:"title"`
	URL         string   `yaml:"url"`
	Publisher   string   `yaml:"publisher"`
	Author      string   `yaml:"author"`
	PublishedAt *timeDoc `yaml:"publishedAt"`
	Category    string   `yaml:"category"`
}

type entityDoc struct {
	ID              string   `yaml:"id"`
	Kind            string   `yaml:"kind"`
	Name            string   `yaml:"name"`
	Aliases         []string `yaml:"aliases"`
	Description     string   `yaml:"description"`
	SourceIDs       []string `yaml:"sourceIds"`
	Category        string   `yaml:"category"`
	CountryCode     string   `yaml:"countryCode"`
	AgreementStatus string   `yaml:"agreementStatus"`
	Scope           string   `yaml:"scope"`
	ValidFrom       *timeDoc `yaml:"validFrom"`
	ValidTo         *timeDoc `yaml:"validTo"`
	OccurredAt      *timeDoc `yaml:"occurredAt"`
	DurationMinutes *intDoc  `yaml:"durationMinutes"`
}

type relationDoc struct {
	ID          string   `yaml:"id"`
	Type        string   `yaml:"type"`
	From        string   `yaml:"from"`
	To          string   `yaml:"to"`
	Status      string   `yaml:"status"`
	ClaimedBy   string   `yaml:"claimedBy"`
	SourceIDs   []string `yaml:"sourceIds"`
	Quote       string   `yaml:"quote"`
	Confidence  *float64 `yaml:"confidence"`
	Role        string   `yaml:"role"`
	Description string   `yaml:"description"`
	OccurredAt  *timeDoc `yaml:"occurredAt"`
	ValidFrom   *timeDoc `yaml:"validFrom"`
	ValidTo     *timeDoc `yaml:"validTo"`
	Disputes    []string `yaml:"disputes"`
}

// Parse reads one seed file; name is used in error messages. It reports every entry that
// cannot be read (syntax, unknown or mistyped fields, malformed times, flow-style values that
// YAML readers disagree on) in one *Error. It checks nothing beyond that: call Validate.
func Parse(name string, data []byte) (*Bundle, error) {
	b, list := parse(name, data)
	if len(list) > 0 {
		return nil, &Error{Problems: sortProblems(list)}
	}
	return b, nil
}

// parse reads what it can of one seed file: the entries that decode, and the problems of
// the rest (whose ids it marks unreadable). The bundle is never nil.
func parse(name string, data []byte) (*Bundle, []Problem) {
	var errs problems
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		errs.addYAML(name, err)
		return &Bundle{}, errs.list
	}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			errs.add(Problem{File: name, Line: nodeLine(doc.Body), Message: "a seed file holds one YAML document"})
			return &Bundle{}, errs.list
		}
		body = doc.Body
	}
	b := &Bundle{}
	if body == nil { // an empty file is an empty bundle
		return b, nil
	}
	checkFlow(&errs, name, body, false)
	var doc fileDoc
	if err := yaml.NodeToValue(body, &doc, yaml.DisallowUnknownField()); err != nil {
		errs.addYAML(name, err)
		return b, errs.list
	}
	loc, err := parseTimezone(doc.Timezone)
	if err != nil {
		errs.add(Problem{File: name, Line: keyLine(body, "timezone"), Field: "timezone", Message: err.Error()})
		loc = time.UTC // keep checking the entries
	}

	for i, n := range doc.Sources {
		o := origin(name, i, n)
		var d sourceDoc
		if !decodeItem(&errs, o, "sources", n, &d) {
			b.markUnreadable(idOf(n), "sources")
			continue
		}
		tp := timeParser{errs: &errs, o: o, section: "sources", id: d.ID, loc: loc}
		b.Sources = append(b.Sources, kg.SourceInput{
			ID: d.ID, Title: d.Title, URL: d.URL, Publisher: d.Publisher, Author: d.Author,
			PublishedAt: tp.parse("publishedAt", d.PublishedAt), Category: d.Category,
			Clear: emptyKeys(n, kg.SourceInput{}.ClearableFields()),
		})
		b.SourceOrigins = append(b.SourceOrigins, o)
	}
	for i, n := range doc.Entities {
		o := origin(name, i, n)
		var d entityDoc
		if !decodeItem(&errs, o, "entities", n, &d) {
			b.markUnreadable(idOf(n), "entities")
			continue
		}
		tp := timeParser{errs: &errs, o: o, section: "entities", id: d.ID, loc: loc}
		b.Entities = append(b.Entities, kg.EntityInput{
			ID: d.ID, Kind: kg.EntityKind(d.Kind), Name: d.Name, Aliases: d.Aliases,
			Description: d.Description, SourceIDs: d.SourceIDs, Category: d.Category,
			CountryCode: d.CountryCode, AgreementStatus: kg.AgreementStatus(d.AgreementStatus),
			Scope: d.Scope, ValidFrom: tp.parse("validFrom", d.ValidFrom),
			ValidTo: tp.parse("validTo", d.ValidTo), OccurredAt: tp.parse("occurredAt", d.OccurredAt),
			DurationMinutes: d.DurationMinutes.ptr(),
			Clear:           emptyKeys(n, kg.EntityInput{}.ClearableFields()),
		})
		b.EntityOrigins = append(b.EntityOrigins, o)
	}
	for i, n := range doc.Relations {
		o := origin(name, i, n)
		var d relationDoc
		if !decodeItem(&errs, o, "relations", n, &d) {
			b.markUnreadable(idOf(n), "relations")
			continue
		}
		tp := timeParser{errs: &errs, o: o, section: "relations", id: d.ID, loc: loc}
		b.Relations = append(b.Relations, kg.RelationInput{
			ID: d.ID, Type: kg.RelationType(d.Type), FromID: d.From, ToID: d.To,
			Status: kg.ClaimStatus(d.Status), ClaimedByID: d.ClaimedBy, SourceIDs: d.SourceIDs,
			Quote: d.Quote, Confidence: d.Confidence, Role: d.Role, Description: d.Description,
			OccurredAt: tp.parse("occurredAt", d.OccurredAt), ValidFrom: tp.parse("validFrom", d.ValidFrom),
			ValidTo: tp.parse("validTo", d.ValidTo), DisputesIDs: d.Disputes,
			Clear: emptyKeys(n, kg.RelationInput{}.ClearableFields()),
		})
		b.RelationOrigins = append(b.RelationOrigins, o)
	}
	return b, errs.list
}

// checkFlow reports what YAML readers disagree on inside flow collections ({...} and
// [...]), where the library reads on without a word and a fact would be stored wrong:
//
//   - a value holding ": " — "{from: person:a to: person:b}" (a comma missing) reads as
//     from = "person:a to: person:b";
//   - a ':' with no space after it — "{id:rel:x}" is the key "id:rel:x" to YAML 1.2 readers
//     and id = "rel:x" to this one, and "[source:a]" inside {...} reads here as the mapping
//     {source: a}.
func checkFlow(errs *problems, file string, n ast.Node, flow bool) {
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, v := range n.Values {
			checkFlow(errs, file, v, flow || n.IsFlowStyle)
		}
	case *ast.MappingValueNode:
		flow = flow || n.IsFlowStyle
		if flow && n.Start != nil && n.Start.Position != nil && n.Value != nil {
			if vt := n.Value.GetToken(); vt != nil && vt.Position != nil &&
				vt.Position.Line == n.Start.Position.Line && vt.Position.Column == n.Start.Position.Column+1 {
				text := keyString(n.Key) + ":" + vt.Value
				errs.add(Problem{File: file, Line: n.Start.Position.Line,
					Message: fmt.Sprintf("%q inside {...} or [...] is ambiguous (one string, or the key %q with the value %q): quote it, or put a space after ':'", text, keyString(n.Key), vt.Value)})
			}
		}
		checkFlow(errs, file, n.Key, flow)
		checkFlow(errs, file, n.Value, flow)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			checkFlow(errs, file, v, flow || n.IsFlowStyle)
		}
	case *ast.StringNode:
		if flow && n.Token != nil && n.Token.Type == token.StringType && strings.Contains(n.Value, ": ") {
			errs.add(Problem{File: file, Line: nodeLine(n),
				Message: fmt.Sprintf("%q holds \": \" inside {...} or [...]: a comma is missing, or quote the value", n.Value)})
		}
	case *ast.TagNode:
		checkFlow(errs, file, n.Value, flow)
	case *ast.AnchorNode:
		checkFlow(errs, file, n.Value, flow)
	}
}

// decodeItem decodes one list entry strictly, recording a problem (and returning false) if it
// cannot be read. Each entry decodes on its own, so one bad entry does not hide the next.
func decodeItem(errs *problems, o Origin, section string, n ast.Node, dst any) bool {
	if _, ok := n.(ast.MapNode); !ok {
		errs.add(Problem{File: o.File, Line: o.Line, Entry: entryLabel(section, o.Index, ""), Message: "must be a mapping of field: value"})
		return false
	}
	if err := yaml.NodeToValue(n, dst, yaml.DisallowUnknownField()); err != nil {
		p := Problem{File: o.File, Line: o.Line, Entry: entryLabel(section, o.Index, idOf(n)), Message: err.Error()}
		var ye yaml.Error
		if errors.As(err, &ye) {
			p.Message = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				p.Line = tk.Position.Line
			}
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// "cannot unmarshal string into Go struct field relationDoc.Confidence of type
			// float64" speaks Go; say which key wants what instead.
			// Only when one key is on that line: flow style puts them all on one.
			var onLine []string
			for k, l := range o.Fields {
				if l == p.Line {
					onLine = append(onLine, k)
				}
			}
			if len(onLine) == 1 {
				p.Field = onLine[0]
			}
			p.Message = "must be " + typeWord(te.DstType)
			if te.SrcType != nil {
				p.Message += ", not " + typeWord(te.SrcType)
			}
		}
		errs.add(p)
		return false
	}
	return true
}

// emptyKeys lists the keys among optional whose value the entry gives as null, "" or []:
// the fields a seed file clears. Upserts merge by default, so a key left out keeps the stored
// value while `countryCode: null` empties it, as in the GraphQL API.
func emptyKeys(n ast.Node, optional []string) []string {
	m, ok := n.(ast.MapNode)
	if !ok {
		return nil
	}
	var out []string
	it := m.MapRange()
	for it.Next() {
		k := keyString(it.Key())
		if !slices.Contains(optional, k) {
			continue
		}
		switch v := it.Value().(type) {
		case *ast.NullNode:
		case *ast.StringNode:
			if v.Value != "" {
				continue
			}
		case *ast.SequenceNode:
			if len(v.Values) > 0 {
				continue
			}
		default:
			continue
		}
		out = append(out, k)
	}
	return out
}

// origin records where an entry is: its first key's line and the line of each key.
func origin(file string, index int, n ast.Node) Origin {
	o := Origin{File: file, Index: index, Line: nodeLine(n), Fields: map[string]int{}}
	if m, ok := n.(ast.MapNode); ok {
		it := m.MapRange()
		first := true
		for it.Next() {
			l := nodeLine(it.Key())
			if first || (l > 0 && l < o.Line) {
				o.Line, first = l, false
			}
			o.Fields[keyString(it.Key())] = l
		}
	}
	return o
}

// idOf is the entry's id as written, for naming an entry that failed to decode.
func idOf(n ast.Node) string {
	m, ok := n.(ast.MapNode)
	if !ok {
		return ""
	}
	it := m.MapRange()
	for it.Next() {
		if keyString(it.Key()) == "id" {
			if s, ok := it.Value().(*ast.StringNode); ok {
				return s.Value
			}
			return scalarText(it.Value())
		}
	}
	return ""
}

func keyLine(n ast.Node, key string) int {
	if m, ok := n.(ast.MapNode); ok {
		it := m.MapRange()
		for it.Next() {
			if keyString(it.Key()) == key {
				return nodeLine(it.Key())
			}
		}
	}
	return nodeLine(n)
}

func keyString(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return k.String()
}

func nodeLine(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// timeDoc is a time as written: a scalar ("2025-03-18") or a map {at, precision, note}. It is
// kept raw until the file's timezone is known.
type timeDoc struct {
	line      int
	null      bool
	at        string
	precision string
	note      string
}

type timeMap struct {
	At        string `yaml:"at"`
	Precision string `yaml:"precision"`
	Note      string `yaml:"note"`
}

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (t *timeDoc) UnmarshalYAML(n ast.Node) error {
	t.line = nodeLine(n)
	switch n := n.(type) {
	case *ast.NullNode:
		t.null = true
	case ast.MapNode:
		var m timeMap
		if err := yaml.NodeToValue(n.(ast.Node), &m, yaml.DisallowUnknownField()); err != nil {
			return err
		}
		t.at, t.precision, t.note = m.At, m.Precision, m.Note
	case ast.ScalarNode:
		t.at = scalarText(n)
	default:
		return &yaml.SyntaxError{
			Message: fmt.Sprintf("a time is a string such as \"2025-03-18\" or a map {at, precision, note}, not a %s", n.Type()),
			Token:   n.GetToken(),
		}
	}
	return nil
}

// intDoc is an integer that must be written as one: the YAML library would truncate 12.5
// into an int without a word.
type intDoc int

// UnmarshalYAML implements yaml.NodeUnmarshaler.
func (i *intDoc) UnmarshalYAML(n ast.Node) error {
	in, ok := n.(*ast.IntegerNode)
	if !ok {
		src := reflect.TypeOf("")
		if _, isFloat := n.(*ast.FloatNode); isFloat {
			src = reflect.TypeOf(0.0)
		}
		return &yaml.TypeError{DstType: reflect.TypeOf(0), SrcType: src, Token: n.GetToken()}
	}
	v, err := strconv.ParseInt(in.GetToken().Value, 0, 32)
	if err != nil {
		return &yaml.SyntaxError{Message: fmt.Sprintf("%s is not a usable integer", in.GetToken().Value), Token: n.GetToken()}
	}
	*i = intDoc(v)
	return nil
}

func (i *intDoc) ptr() *int {
	if i == nil {
		return nil
	}
	v := int(*i)
	return &v
}

func scalarText(n ast.Node) string {
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return n.String()
}

// timeParser turns timeDocs into kg.Times, recording problems against the entry.
type timeParser struct {
	errs    *problems
	o       Origin
	section string
	id      string
	loc     *time.Location
}

func (p timeParser) parse(field string, d *timeDoc) *kg.Time {
	if d == nil || d.null {
		return nil
	}
	t, err := parseTime(d.at, d.precision, d.note, p.loc)
	if err != nil {
		line := d.line
		if line == 0 {
			line = p.o.line(field)
		}
		p.errs.add(Problem{File: p.o.File, Line: line, Entry: entryLabel(p.section, p.o.Index, p.id), Field: field, Message: err.Error()})
		return nil
	}
	return t
}

// parseTimezone reads the file-level offset: "", "Z" or "UTC" for UTC, else "±hh:mm".
func parseTimezone(s string) (*time.Location, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "Z", "UTC", "+00:00", "-00:00":
		return time.UTC, nil
	}
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a UTC offset such as \"+00:00\" or \"-04:00\"", s)
	}
	_, off := t.Zone()
	return time.FixedZone(s, off), nil
}

// timeLayouts are the accepted string forms, coarse to fine, with the precision each shows.
var timeLayouts = []struct {
	layout    string
	precision kg.TimePrecision
	zoned     bool // carries its own offset
}{
	{"2006", kg.PrecisionYear, false},
	{"2006-01", kg.PrecisionMonth, false},
	{"2006-01-02", kg.PrecisionDay, false},
	{"2006-01-02T15:04Z07:00", kg.PrecisionMinute, true},
	{time.RFC3339Nano, kg.PrecisionSecond, true},
}

var precisionRank = func() map[kg.TimePrecision]int {
	m := map[kg.TimePrecision]int{}
	for i, p := range kg.TimePrecisions {
		m[p] = i
	}
	return m
}()

func parseTime(at, precision, note string, loc *time.Location) (*kg.Time, error) {
	at = strings.TrimSpace(at)
	if at == "" {
		return nil, errors.New("needs a date such as \"2025-03-18\" (at is empty)")
	}
	var (
		tm    time.Time
		shown kg.TimePrecision
		err   error
	)
	for _, l := range timeLayouts {
		if len(at) < 4 {
			break
		}
		if l.zoned {
			tm, err = time.Parse(l.layout, at)
		} else {
			tm, err = time.ParseInLocation(l.layout, at, loc)
		}
		if err == nil {
			shown = l.precision
			break
		}
	}
	if shown == "" {
		if _, perr := time.Parse("2006-01-02T15:04:05", at); perr == nil {
			return nil, fmt.Errorf("%q has a time of day but no UTC offset; add Z or ±hh:mm", at)
		}
		if _, perr := strconv.Atoi(strings.ReplaceAll(at, "-", "")); perr == nil {
			return nil, fmt.Errorf("%q is not a real date", at)
		}
		return nil, fmt.Errorf("%q is not a date: use 2025, 2025-03, 2025-03-18 or RFC 3339 (2025-03-18T14:05:00Z)", at)
	}
	p := kg.TimePrecision(strings.ToUpper(strings.TrimSpace(precision)))
	if p == "" {
		p = shown
	}
	if !p.Valid() {
		return nil, fmt.Errorf("precision %q is not one of %v", precision, kg.TimePrecisions)
	}
	if precisionRank[p] > precisionRank[shown] {
		return nil, fmt.Errorf("precision %s is finer than %q shows (%s)", p, at, shown)
	}
	return &kg.Time{At: tm, Precision: p, Note: strings.TrimSpace(note)}, nil
}

func typeWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "an integer"
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a mapping"
	}
	return t.String()
}

func entryLabel(section string, index int, id string) string {
	if id == "" {
		return fmt.Sprintf("%s[%d]", section, index)
	}
	return fmt.Sprintf("%s[%d] (id %s)", section, index, id)
}
