package neo4jstore

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

// TestFilterMatchesGo holds the Cypher compilation of entity filters to kg.EntityFilter.Match
// on random filters, including NOT over missing properties (where Cypher's null logic differs
// from Go's) and needles with a newline (which the searchText shortcut cannot answer alone).
func TestFilterMatchesGo(t *testing.T) {
	s := openEmpty(t)
	ctx := t.Context()
	if _, _, err := s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:a", Title: "A"}, {ID: "src:b", Title: "B"}}); err != nil {
		t.Fatal(err)
	}
	in := []kg.EntityInput{
		{ID: "person:a", Kind: kg.KindPerson, Name: "Anna Berg", Aliases: []string{"Ann", "Бerg"}, SourceIDs: []string{"src:a"}},
		{ID: "person:b", Kind: kg.KindPerson, Name: "BERT", Category: "Official"},
		{ID: "country:c", Kind: kg.KindCountry, Name: "Ceeland", CountryCode: "CE", SourceIDs: []string{"src:a", "src:b"}},
		{ID: "organization:d", Kind: kg.KindOrganization, Name: "Dee Org", Aliases: []string{"ann\norg"}, Category: "news outlet"},
		{ID: "location:e", Kind: kg.KindLocation, Name: "Ernberg", Category: "city", SourceIDs: []string{"src:b"}},
		{ID: "event:f", Kind: kg.KindEvent, Name: "Feast of ann", Category: "OFFICIAL"},
		{ID: "location:g", Kind: kg.KindLocation, Name: "Grund\nberg"},
	}
	if _, _, err := s.UpsertEntities(ctx, in); err != nil {
		t.Fatal(err)
	}
	all, err := s.EntitiesByIDs(ctx, []string{"person:a", "person:b", "country:c", "organization:d", "location:e", "event:f", "location:g"})
	if err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	var gen func(depth int) kg.EntityFilter
	gen = func(depth int) kg.EntityFilter {
		var f kg.EntityFilter
		for range 1 + rng.IntN(2) {
			switch rng.IntN(8) {
			case 0:
				f.Kinds = append(f.Kinds, kg.EntityKinds[rng.IntN(len(kg.EntityKinds))])
			case 1:
				f.IDs = append(f.IDs, pick("person:a", "country:c", "location:g", "person:none"))
			case 2:
				f.NameContains = pick("ann", "BERG", "n\no", "d\nb", "nd\nb", "бe", "ee", "zzz")
			case 3:
				f.Category = pick("official", "City", "news", "")
			case 4:
				f.SourceID = pick("src:a", "src:b", "src:none")
			case 5:
				if depth < 3 {
					f.Not = ptrTo(gen(depth + 1))
				}
			case 6:
				if depth < 3 {
					f.Or = []kg.EntityFilter{gen(depth + 1), gen(depth + 1)}
				}
			case 7:
				if depth < 3 {
					f.And = []kg.EntityFilter{gen(depth + 1), gen(depth + 1)}
				}
			}
		}
		return f
	}
	for i := range 80 {
		f := gen(0)
		var want []string
		for _, e := range all {
			if f.Match(e) {
				want = append(want, e.ID)
			}
		}
		slices.Sort(want)
		page, err := s.Entities(ctx, kg.EntityQuery{Filter: &f, OrderBy: kg.EntityOrder{Field: kg.EntityOrderID}, First: 100})
		if err != nil {
			t.Fatalf("filter %d %+v: %v", i, f, err)
		}
		var got []string
		for _, e := range page.Items {
			got = append(got, e.ID)
		}
		if !slices.Equal(got, want) || page.TotalCount != len(want) {
			t.Errorf("filter %d %s:\n got  %q (total %d)\n want %q", i, fmtFilter(f), got, page.TotalCount, want)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

func fmtFilter(f kg.EntityFilter) string {
	s := fmt.Sprintf("{kinds %v ids %q name %q cat %q src %q", f.Kinds, f.IDs, f.NameContains, f.Category, f.SourceID)
	for _, a := range f.And {
		s += " and " + fmtFilter(a)
	}
	for _, o := range f.Or {
		s += " or " + fmtFilter(o)
	}
	if f.Not != nil {
		s += " not " + fmtFilter(*f.Not)
	}
	return s + "}"
}
