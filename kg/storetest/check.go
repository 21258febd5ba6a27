package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// noErr stops the test on an unexpected error.
func noErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

// isErr checks that err matches target (kg.ErrNotFound, kg.ErrInvalidInput, kg.ErrConflict).
func isErr(t *testing.T, err, target error, what string) bool {
	t.Helper()
	if !errors.Is(err, target) {
		want := "error"
		if e, ok := target.(*kg.Error); ok {
			want = string(e.Code)
		}
		t.Errorf("%s: error = %v, want a %s error", what, err, want)
		return false
	}
	return true
}

// fieldNames lists the fields an invalid-input error names.
func fieldNames(err error) []string {
	var fe *kg.FieldErrors
	if !errors.As(err, &fe) {
		return nil
	}
	out := make([]string, len(fe.List))
	for i, f := range fe.List {
		out[i] = f.Field
	}
	return out
}

// namesField reports whether err names field, or a path under it ("input[0].sourceIds" covers
// "input[0].sourceIds[1]" and "input[0].validTo" covers "input[0].validTo.at").
func namesField(err error, field string) bool {
	for _, f := range fieldNames(err) {
		if f == field || strings.HasPrefix(f, field+"[") || strings.HasPrefix(f, field+".") {
			return true
		}
	}
	return false
}

// invalid checks that err is an invalid-input error carrying kg.FieldErrors that name every
// one of fields.
func invalid(t *testing.T, err error, what string, fields ...string) {
	t.Helper()
	if !isErr(t, err, kg.ErrInvalidInput, what) {
		return
	}
	var fe *kg.FieldErrors
	if !errors.As(err, &fe) {
		t.Errorf("%s: error %v does not carry *kg.FieldErrors naming the bad fields", what, err)
		return
	}
	for _, f := range fields {
		if !namesField(err, f) {
			t.Errorf("%s: error names fields %q, want one naming %q", what, fieldNames(err), f)
		}
	}
}

// invalidQuery checks that err is an invalid-input error naming a field that ends in suffix.
// Query arguments are named by the caller's path ("filter.kinds[0]" from the API), which the
// suite does not fix; the suffix must be there.
func invalidQuery(t *testing.T, err error, what, suffix string) {
	t.Helper()
	if !isErr(t, err, kg.ErrInvalidInput, what) {
		return
	}
	for _, f := range fieldNames(err) {
		if strings.HasSuffix(f, suffix) {
			return
		}
	}
	t.Errorf("%s: error %v names fields %q, want one ending in %q", what, err, fieldNames(err), suffix)
}

// sameIDs compares id sequences exactly.
func sameIDs(t *testing.T, what string, got, want []string) bool {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
		return false
	}
	return true
}

func entityIDs(es []*kg.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		if e == nil {
			out[i] = "<nil>"
		} else {
			out[i] = e.ID
		}
	}
	return out
}

func relationIDs(rs []*kg.Relation) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		if r == nil {
			out[i] = "<nil>"
		} else {
			out[i] = r.ID
		}
	}
	return out
}

func sourceIDs(ss []*kg.Source) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if s == nil {
			out[i] = "<nil>"
		} else {
			out[i] = s.ID
		}
	}
	return out
}

func hitIDs(hs []kg.SearchHit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		if h.Entity == nil {
			out[i] = "<nil>"
		} else {
			out[i] = h.Entity.ID
		}
	}
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// without returns s minus the given ids, order kept.
func without(s []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(s), func(id string) bool { return slices.Contains(drop, id) })
}

func fmtTime(t *kg.Time) string {
	if t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s/%s/%q", t.At.Format(time.RFC3339Nano), t.Precision, t.Note)
}

func fmtPtr[T any](p *T) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

// differ collects field differences between a stored value and what was written.
type differ struct{ list []string }

func (d *differ) str(field, got, want string) {
	if got != want {
		d.list = append(d.list, fmt.Sprintf("%s = %q, want %q", field, got, want))
	}
}

func (d *differ) strs(field string, got, want []string) {
	if !slices.Equal(got, want) {
		d.list = append(d.list, fmt.Sprintf("%s = %q, want %q", field, got, want))
	}
}

func (d *differ) time(field string, got, want *kg.Time) {
	// kg.Time.Equal compares instant, offset, precision and note.
	if !got.Equal(want) {
		d.list = append(d.list, fmt.Sprintf("%s = %s, want %s", field, fmtTime(got), fmtTime(want)))
	}
}

func diffPtr[T comparable](d *differ, field string, got, want *T) {
	if (got == nil) != (want == nil) || got != nil && *got != *want {
		d.list = append(d.list, fmt.Sprintf("%s = %s, want %s", field, fmtPtr(got), fmtPtr(want)))
	}
}

func diffEntity(got *kg.Entity, want kg.EntityInput) []string {
	if got == nil {
		return []string{"entity is nil"}
	}
	var d differ
	d.str("ID", got.ID, want.ID)
	d.str("Kind", string(got.Kind), string(want.Kind))
	d.str("Name", got.Name, want.Name)
	d.strs("Aliases", got.Aliases, want.Aliases)
	d.str("Description", got.Description, want.Description)
	d.strs("SourceIDs", got.SourceIDs, want.SourceIDs)
	d.str("Category", got.Category, want.Category)
	d.str("CountryCode", got.CountryCode, want.CountryCode)
	d.str("AgreementStatus", string(got.AgreementStatus), string(want.AgreementStatus))
	d.str("Scope", got.Scope, want.Scope)
	d.time("ValidFrom", got.ValidFrom, want.ValidFrom)
	d.time("ValidTo", got.ValidTo, want.ValidTo)
	d.time("OccurredAt", got.OccurredAt, want.OccurredAt)
	diffPtr(&d, "DurationMinutes", got.DurationMinutes, want.DurationMinutes)
	if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		d.list = append(d.list, "CreatedAt/UpdatedAt not set")
	}
	return d.list
}

func diffRelation(got *kg.Relation, want kg.RelationInput) []string {
	if got == nil {
		return []string{"relation is nil"}
	}
	var d differ
	d.str("ID", got.ID, want.ID)
	d.str("Type", string(got.Type), string(want.Type))
	d.str("FromID", got.FromID, want.FromID)
	d.str("ToID", got.ToID, want.ToID)
	d.str("Status", string(got.Status), string(want.Status))
	d.str("ClaimedByID", got.ClaimedByID, want.ClaimedByID)
	d.strs("SourceIDs", got.SourceIDs, want.SourceIDs)
	d.str("Quote", got.Quote, want.Quote)
	diffPtr(&d, "Confidence", got.Confidence, want.Confidence)
	d.str("Role", got.Role, want.Role)
	d.str("Description", got.Description, want.Description)
	d.time("OccurredAt", got.OccurredAt, want.OccurredAt)
	d.time("ValidFrom", got.ValidFrom, want.ValidFrom)
	d.time("ValidTo", got.ValidTo, want.ValidTo)
	d.strs("DisputesIDs", got.DisputesIDs, want.DisputesIDs)
	if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		d.list = append(d.list, "CreatedAt/UpdatedAt not set")
	}
	return d.list
}

func diffSource(got *kg.Source, want kg.SourceInput) []string {
	if got == nil {
		return []string{"source is nil"}
	}
	var d differ
	d.str("ID", got.ID, want.ID)
	d.str("Title", got.Title, want.Title)
	d.str("URL", got.URL, want.URL)
	d.str("Publisher", got.Publisher, want.Publisher)
	d.str("Author", got.Author, want.Author)
	d.time("PublishedAt", got.PublishedAt, want.PublishedAt)
	d.str("Category", got.Category, want.Category)
	if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		d.list = append(d.list, "CreatedAt/UpdatedAt not set")
	}
	return d.list
}

func reportDiff(t *testing.T, what string, diffs []string) {
	t.Helper()
	if len(diffs) > 0 {
		t.Errorf("%s differs from what was written:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

func counts(t *testing.T, what string, got kg.WriteCounts, created, updated, unchanged int) {
	t.Helper()
	want := kg.WriteCounts{Created: created, Updated: updated, Unchanged: unchanged}
	if got != want {
		t.Errorf("%s: counts = %+v, want %+v", what, got, want)
	}
}

// sameCounts compares count maps, treating a missing key as zero.
func sameCounts[K comparable](t *testing.T, what string, got, want map[K]int) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s[%v] = %d, want %d", what, k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && g != 0 {
			t.Errorf("%s[%v] = %d, want 0", what, k, g)
		}
	}
}

// Thin wrappers that fail the test on error, so that test bodies read as assertions.

func getEntities(t *testing.T, s kg.Store, ids ...string) []*kg.Entity {
	t.Helper()
	es, err := s.EntitiesByIDs(t.Context(), ids)
	noErr(t, err, "EntitiesByIDs")
	if len(es) != len(ids) {
		t.Fatalf("EntitiesByIDs(%q) returned %d entities, want %d", ids, len(es), len(ids))
	}
	return es
}

func getRelations(t *testing.T, s kg.Store, ids ...string) []*kg.Relation {
	t.Helper()
	rs, err := s.RelationsByIDs(t.Context(), ids)
	noErr(t, err, "RelationsByIDs")
	if len(rs) != len(ids) {
		t.Fatalf("RelationsByIDs(%q) returned %d relations, want %d", ids, len(rs), len(ids))
	}
	return rs
}

func getSources(t *testing.T, s kg.Store, ids ...string) []*kg.Source {
	t.Helper()
	ss, err := s.SourcesByIDs(t.Context(), ids)
	noErr(t, err, "SourcesByIDs")
	if len(ss) != len(ids) {
		t.Fatalf("SourcesByIDs(%q) returned %d sources, want %d", ids, len(ss), len(ids))
	}
	return ss
}

func mustEntity(t *testing.T, s kg.Store, id string) *kg.Entity {
	t.Helper()
	e, err := kg.GetEntity(t.Context(), s, id)
	noErr(t, err, "GetEntity "+id)
	return e
}

func mustRelation(t *testing.T, s kg.Store, id string) *kg.Relation {
	t.Helper()
	r, err := kg.GetRelation(t.Context(), s, id)
	noErr(t, err, "GetRelation "+id)
	return r
}

func stats(t *testing.T, s kg.Store) *kg.Stats {
	t.Helper()
	st, err := s.Stats(t.Context(), kg.StatsQuery{})
	noErr(t, err, "Stats")
	if st == nil {
		t.Fatal("Stats returned nil")
	}
	return st
}

func entityPage(t *testing.T, s kg.Store, q kg.EntityQuery) *kg.EntityPage {
	t.Helper()
	p, err := s.Entities(t.Context(), q)
	noErr(t, err, fmt.Sprintf("Entities(%+v)", q))
	if p == nil {
		t.Fatal("Entities returned a nil page")
	}
	return p
}

func relationPage(t *testing.T, s kg.Store, q kg.RelationQuery) *kg.RelationPage {
	t.Helper()
	p, err := s.Relations(t.Context(), q)
	noErr(t, err, fmt.Sprintf("Relations(%+v)", q))
	if p == nil {
		t.Fatal("Relations returned a nil page")
	}
	return p
}

// allEntities lists every entity matching f, NAME ascending, in one page.
func allEntities(t *testing.T, s kg.Store, f *kg.EntityFilter) []string {
	t.Helper()
	p := entityPage(t, s, kg.EntityQuery{Filter: f, OrderBy: byName(kg.Asc), First: kg.MaxPageSize})
	if p.TotalCount != len(p.Items) {
		t.Errorf("Entities: TotalCount = %d, but the one page holds %d items", p.TotalCount, len(p.Items))
	}
	return entityIDs(p.Items)
}

// allRelations lists every relation matching f, TIME ascending, in one page.
func allRelations(t *testing.T, s kg.Store, f *kg.RelationFilter) []string {
	t.Helper()
	p := relationPage(t, s, kg.RelationQuery{Filter: f, OrderBy: byTime(kg.Asc), First: kg.MaxPageSize})
	if p.TotalCount != len(p.Items) {
		t.Errorf("Relations: TotalCount = %d, but the one page holds %d items", p.TotalCount, len(p.Items))
	}
	return relationIDs(p.Items)
}

func byName(d kg.SortDirection) kg.EntityOrder {
	return kg.EntityOrder{Field: kg.EntityOrderName, Direction: d}
}

func byEntityID(d kg.SortDirection) kg.EntityOrder {
	return kg.EntityOrder{Field: kg.EntityOrderID, Direction: d}
}

func byTime(d kg.SortDirection) kg.RelationOrder {
	return kg.RelationOrder{Field: kg.RelationOrderTime, Direction: d}
}

func byRelationID(d kg.SortDirection) kg.RelationOrder {
	return kg.RelationOrder{Field: kg.RelationOrderID, Direction: d}
}
