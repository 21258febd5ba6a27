package seed

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/factgraph/factgraph/kg"
)

// Problem is one thing wrong with a seed, located as precisely as the input allows.
type Problem struct {
	File string // "" for items built in code
	Line int    // 0 when unknown
	// Entry names the item: "relations[3] (id rel:russia-agreed-energy-pause)"; "" for a
	// problem with the file as a whole.
	Entry string
	// Field is the field path inside the entry ("validFrom.at", "sourceIds[1]"); "" for the
	// entry as a whole.
	Field   string
	Message string
}

// String formats the problem as "file.yaml:12: relations[3] (id rel:x).field: message".
func (p Problem) String() string {
	var sb strings.Builder
	if p.File != "" {
		sb.WriteString(p.File)
		if p.Line > 0 {
			sb.WriteString(":" + strconv.Itoa(p.Line))
		}
		sb.WriteString(": ")
	}
	what := p.Entry
	if p.Field != "" {
		if what != "" {
			what += "."
		}
		what += p.Field
	}
	if what != "" {
		sb.WriteString(what + ": ")
	}
	sb.WriteString(p.Message)
	return sb.String()
}

// Error lists every problem found in a seed. It matches kg.ErrInvalidInput with errors.Is.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "seed: " + e.Problems[0].String()
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "seed: %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		sb.WriteString("\n  " + p.String())
	}
	return sb.String()
}

// Is makes errors.Is(err, kg.ErrInvalidInput) true: a bad seed is bad input.
func (e *Error) Is(target error) bool { return target == kg.ErrInvalidInput }

type problems struct{ list []Problem }

func (ps *problems) add(p Problem) { ps.list = append(ps.list, p) }

func (ps *problems) addAt(o Origin, section, id, field, format string, args ...any) {
	ps.add(Problem{
		File: o.File, Line: o.line(field), Entry: entryLabel(section, o.Index, id),
		Field: field, Message: fmt.Sprintf(format, args...),
	})
}

// addYAML records a YAML decoding error at the line of the token it names.
func (ps *problems) addYAML(file string, err error) {
	p := Problem{File: file, Message: err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		p.Message = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line = tk.Position.Line
		}
	}
	ps.add(p)
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: sortProblems(ps.list)}
}

// sortProblems returns the problems in file order, then line order: the order someone fixing
// the files reads them in.
func sortProblems(list []Problem) []Problem {
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return list
}

// Validate checks everything that can be checked without a database: each item as the stores
// would check it (kg.Normalize*), that ids are unique across the bundle, and that every
// reference (from, to, claimedBy, sourceIds, disputes) resolves to an item of the bundle.
// It also holds seed data to curation rules the API does not enforce: a CLAIMED, DISPUTED or
// DENIED relation names who claims it (claimedBy), and a CONFIRMED one names no one, since
// its sources assert it themselves. It returns every problem in one *Error.
func (b *Bundle) Validate() error {
	return b.ValidateAgainst(context.Background(), nil)
}

// ValidateAgainst is Validate for a bundle that may build on a server's data: references to
// ids the bundle does not define are looked up with lookup, all in one call, and are fine if
// they exist there in the right section. A nil lookup makes them errors, as Validate does.
func (b *Bundle) ValidateAgainst(ctx context.Context, lookup Lookup) error {
	var errs problems
	b.checkDuplicates(&errs)
	b.validate(ctx, lookup, &errs)
	return errs.err()
}

// validate adds the problems of the items and their references (not duplicates, which
// merging reports).
func (b *Bundle) validate(ctx context.Context, lookup Lookup, errs *problems) {
	b.checkItems(errs)
	b.checkReferences(ctx, lookup, errs)
}

type itemRef struct {
	section string
	index   int
	origin  Origin
}

func (r itemRef) where() string {
	s := entryLabel(r.section, r.origin.Index, "")
	if r.origin.File == "" {
		return s
	}
	if r.origin.Line > 0 {
		return fmt.Sprintf("%s:%d (%s)", r.origin.File, r.origin.Line, s)
	}
	return fmt.Sprintf("%s (%s)", r.origin.File, s)
}

// ids maps every id in the bundle to its first definition. Sources, entities and relations
// share one namespace: node(id) must resolve an id to exactly one thing.
func (b *Bundle) ids(dup func(id string, first, again itemRef)) map[string]itemRef {
	m := make(map[string]itemRef, b.Len())
	add := func(section string, i int, id string, o Origin) {
		id = strings.TrimSpace(id)
		if id == "" {
			return // "is required" comes from kg.Normalize*
		}
		ref := itemRef{section, i, o}
		if first, ok := m[id]; ok {
			if dup != nil {
				dup(id, first, ref)
			}
			return
		}
		m[id] = ref
	}
	for i, s := range b.Sources {
		add("sources", i, s.ID, originAt(b.SourceOrigins, i))
	}
	for i, e := range b.Entities {
		add("entities", i, e.ID, originAt(b.EntityOrigins, i))
	}
	for i, r := range b.Relations {
		add("relations", i, r.ID, originAt(b.RelationOrigins, i))
	}
	return m
}

func (b *Bundle) checkDuplicates(errs *problems) {
	b.ids(func(id string, first, again itemRef) {
		errs.addAt(again.origin, again.section, id, "id", "%q is already defined at %s", id, first.where())
	})
}

// inputIndex parses the "input[3].rest" paths of kg.FieldErrors.
var inputIndex = regexp.MustCompile(`^input\[(\d+)\](?:\.(.+))?$`)

// remap turns a kg validation error for items[offset:] into located problems. Errors that
// do not come as kg.FieldErrors are reported against the whole section.
func remap(errs *problems, err error, section string, offset int, order []int, origins []Origin, idAt func(int) string) {
	var fe *kg.FieldErrors
	if !errors.As(err, &fe) {
		errs.add(Problem{Entry: section, Message: err.Error()})
		return
	}
	for _, f := range fe.List {
		m := inputIndex.FindStringSubmatch(f.Field)
		if m == nil {
			errs.add(Problem{Entry: section, Field: f.Field, Message: f.Message})
			continue
		}
		k, _ := strconv.Atoi(m[1])
		i := offset + k
		if order != nil && i < len(order) {
			i = order[i]
		}
		// A repeated id is reported by checkDuplicates, with both places.
		if m[2] == "id" && strings.Contains(f.Message, " repeats input[") {
			continue
		}
		errs.addAt(originAt(origins, i), section, strings.TrimSpace(idAt(i)), m[2], "%s", f.Message)
	}
}

// checkItems runs the stores' own validation, in chunks the size of the largest batch they
// accept, and maps the problems back to files and lines.
func (b *Bundle) checkItems(errs *problems) {
	for off := 0; off < len(b.Sources); off += kg.MaxBatch {
		if _, err := kg.NormalizeSources(b.Sources[off:min(off+kg.MaxBatch, len(b.Sources))]); err != nil {
			remap(errs, err, "sources", off, nil, b.SourceOrigins, func(i int) string { return b.Sources[i].ID })
		}
	}
	for off := 0; off < len(b.Entities); off += kg.MaxBatch {
		if _, err := kg.NormalizeEntities(b.Entities[off:min(off+kg.MaxBatch, len(b.Entities))]); err != nil {
			remap(errs, err, "entities", off, nil, b.EntityOrigins, func(i int) string { return b.Entities[i].ID })
		}
	}
	for off := 0; off < len(b.Relations); off += kg.MaxBatch {
		if _, err := kg.NormalizeRelations(b.Relations[off:min(off+kg.MaxBatch, len(b.Relations))]); err != nil {
			remap(errs, err, "relations", off, nil, b.RelationOrigins, func(i int) string { return b.Relations[i].ID })
		}
	}
}

// reference is one id an item points at.
type reference struct {
	origin             Origin
	section, id, field string
	want, target       string
}

// references lists every reference of the bundle's items, in item order.
func (b *Bundle) references() []reference {
	var refs []reference
	add := func(o Origin, section, id, field, want, target string) {
		if target = strings.TrimSpace(target); target != "" {
			refs = append(refs, reference{o, section, id, field, want, target})
		}
	}
	for i, e := range b.Entities {
		o, id := originAt(b.EntityOrigins, i), strings.TrimSpace(e.ID)
		for j, s := range e.SourceIDs {
			add(o, "entities", id, fmt.Sprintf("sourceIds[%d]", j), "sources", s)
		}
	}
	for i, r := range b.Relations {
		o, id := originAt(b.RelationOrigins, i), strings.TrimSpace(r.ID)
		add(o, "relations", id, "from", "entities", r.FromID)
		add(o, "relations", id, "to", "entities", r.ToID)
		add(o, "relations", id, "claimedBy", "entities", r.ClaimedByID)
		for j, s := range r.SourceIDs {
			add(o, "relations", id, fmt.Sprintf("sourceIds[%d]", j), "sources", s)
		}
		for j, d := range r.DisputesIDs {
			add(o, "relations", id, fmt.Sprintf("disputes[%d]", j), "relations", d)
		}
	}
	return refs
}

// lookupBatch bounds the ids of one lookup call to what the server's nodes query answers in
// one request; a seed that references more ids than this outside itself makes several calls.
const lookupBatch = kg.MaxNodeIDs

// checkReferences checks that every reference resolves to an item of the right section: in
// the bundle, else (with a lookup) on the server, asked once for every id the bundle lacks.
func (b *Bundle) checkReferences(ctx context.Context, lookup Lookup, errs *problems) {
	all := b.ids(nil)
	refs := b.references()
	var outside []string
	seen := map[string]bool{}
	for _, r := range refs {
		if _, ok := all[r.target]; ok || seen[r.target] || b.unreadable[r.target] != "" {
			continue
		}
		seen[r.target] = true
		outside = append(outside, r.target)
	}
	onServer := map[string]string{}
	if lookup != nil && len(outside) > 0 {
		for start := 0; start < len(outside); start += lookupBatch {
			found, err := lookup(ctx, outside[start:min(start+lookupBatch, len(outside))])
			if err != nil {
				errs.add(Problem{Message: fmt.Sprintf("could not look up the %d referenced ids that no file defines on the server: %v", len(outside), err)})
				lookup = nil // report them as undefined below
				break
			}
			for id, section := range found {
				onServer[id] = section
			}
		}
	}
	singular := map[string]string{"sources": "source", "entities": "entity", "relations": "relation"}
	an := map[string]string{"sources": "a source", "entities": "an entity", "relations": "a relation"}
	for _, r := range refs {
		if b.unreadable[r.target] != "" {
			continue // its entry's problem is reported
		}
		if got, ok := all[r.target]; ok {
			if got.section != r.want {
				errs.addAt(r.origin, r.section, r.id, r.field, "%q is %s (%s), not %s", r.target, an[got.section], got.where(), an[r.want])
			}
			continue
		}
		got, ok := onServer[r.target]
		switch {
		case ok && got != r.want:
			errs.addAt(r.origin, r.section, r.id, r.field, "%q is %s on the server, not %s", r.target, an[got], an[r.want])
		case ok:
		case lookup != nil:
			errs.addAt(r.origin, r.section, r.id, r.field, "%s %q is defined neither in the files nor on the server", singular[r.want], r.target)
		default:
			errs.addAt(r.origin, r.section, r.id, r.field, "%s %q is not defined in the seed", singular[r.want], r.target)
		}
	}
	for i, r := range b.Relations {
		o, id := originAt(b.RelationOrigins, i), strings.TrimSpace(r.ID)
		switch claimant := strings.TrimSpace(r.ClaimedByID); {
		case needsClaimant(r.Status) && claimant == "":
			errs.addAt(o, "relations", id, "claimedBy", "a %s relation must say who claims it", r.Status)
		case r.Status == kg.StatusConfirmed && claimant != "":
			errs.addAt(o, "relations", id, "claimedBy", "a CONFIRMED relation is asserted by its sources themselves; a claimant makes it CLAIMED")
		}
	}
}

// needsClaimant says whether a relation of this status must name its claimant. CLAIMED,
// DISPUTED and DENIED are always someone's position. ALLEGED is too when someone accuses, but
// a source may also report something as alleged or likely in its own voice ("It allegedly
// took place..."), and then there is no one else to name: claimedBy stays empty rather than
// pinning the hedge on a party who did not make it.
func needsClaimant(s kg.ClaimStatus) bool {
	return s == kg.StatusClaimed || s == kg.StatusDisputed || s == kg.StatusDenied
}
