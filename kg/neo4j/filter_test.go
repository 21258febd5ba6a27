package neo4jstore

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// TestFilterMatchesGo holds the Cypher compilation of entity filters to
// kg.EntityFilter.MatchRelated on random filters, including NOT over missing properties (where
// Cypher's null logic differs from Go's), needles with a newline (which the searchText
// shortcut cannot answer alone), HasRelation predicates (answered in Go by
// RelationPredicate.Matches over every relation, self-loops included) and occurredAt windows
// whose bounds and events carry different UTC offsets (compared as instants).
func TestFilterMatchesGo(t *testing.T) {
	s := openEmpty(t)
	kyiv := time.FixedZone("", 2*3600)
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
		{ID: "event:h", Kind: kg.KindEvent, Name: "Call", OccurredAt: &kg.Time{At: time.Date(2025, 3, 18, 18, 0, 0, 0, kyiv), Precision: kg.PrecisionMinute}},
		{ID: "event:i", Kind: kg.KindEvent, Name: "Strike", OccurredAt: &kg.Time{At: time.Date(2025, 3, 18, 12, 0, 0, 1, time.UTC), Precision: kg.PrecisionDay}},
	}
	if _, _, err := s.UpsertEntities(ctx, in); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(in))
	for i, e := range in {
		ids[i] = e.ID
	}
	all, err := s.EntitiesByIDs(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	rels := []kg.RelationInput{
		{ID: "rel:1", Type: kg.RelSpokeWith, FromID: "person:a", ToID: "person:b", Status: kg.StatusConfirmed, SourceIDs: []string{"src:a"}},
		{ID: "rel:2", Type: kg.RelMemberOf, FromID: "person:b", ToID: "organization:d", Status: kg.StatusClaimed, SourceIDs: []string{"src:a"}},
		{ID: "rel:3", Type: kg.RelLocatedIn, FromID: "location:e", ToID: "country:c", Status: kg.StatusConfirmed, SourceIDs: []string{"src:b"}},
		{ID: "rel:4", Type: kg.RelAttacked, FromID: "country:c", ToID: "location:e", Status: kg.StatusDenied, SourceIDs: []string{"src:b"}},
		{ID: "rel:5", Type: kg.RelPartOf, FromID: "location:g", ToID: "location:g", Status: kg.StatusAlleged, SourceIDs: []string{"src:a"}},
		{ID: "rel:6", Type: kg.RelParticipatedIn, FromID: "person:a", ToID: "event:f", Status: kg.StatusConfirmed, SourceIDs: []string{"src:a"}},
	}
	stored, _, err := s.UpsertRelations(ctx, rels)
	if err != nil {
		t.Fatal(err)
	}
	has := func(id string, p *kg.RelationPredicate) bool {
		for _, r := range stored {
			if (r.FromID == id || r.ToID == id) && p.Matches(id, r) {
				return true
			}
		}
		return false
	}
	ends := []string{"person:a", "person:b", "country:c", "location:e", "location:g", "event:f", "person:none"}
	relTypes := []kg.RelationType{kg.RelSpokeWith, kg.RelMemberOf, kg.RelLocatedIn, kg.RelAttacked, kg.RelPartOf, kg.RelAgreed}
	dirs := []kg.Direction{"", kg.DirectionOut, kg.DirectionIn, kg.DirectionBoth}
	instants := []time.Time{
		time.Date(2025, 3, 18, 16, 0, 0, 0, time.UTC),                   // event:h exactly, in UTC
		time.Date(2025, 3, 18, 18, 0, 0, 0, kyiv),                       // event:h exactly, in its own offset
		time.Date(2025, 3, 18, 14, 0, 0, 1, time.FixedZone("", 2*3600)), // event:i exactly
		time.Date(2025, 3, 18, 12, 0, 0, 2, time.UTC),                   // a nanosecond after event:i
		time.Date(2025, 3, 18, 0, 0, 0, 0, time.FixedZone("", -5*3600)), // between the two
		time.Date(2025, 3, 19, 0, 0, 0, 0, time.FixedZone("", 14*3600)), // before both, by instant
		time.Date(2261, 12, 31, 0, 0, 0, 0, time.UTC),                   // after all, at the last year allowed
		time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC),                     // before all, at the first year allowed
	}

	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	var gen func(depth int) kg.EntityFilter
	gen = func(depth int) kg.EntityFilter {
		var f kg.EntityFilter
		for range 1 + rng.IntN(2) {
			switch rng.IntN(10) {
			case 8:
				p := &kg.RelationPredicate{Direction: dirs[rng.IntN(len(dirs))]}
				if rng.IntN(2) == 0 {
					p.Types = []kg.RelationType{relTypes[rng.IntN(len(relTypes))]}
					if rng.IntN(2) == 0 {
						p.Types = append(p.Types, relTypes[rng.IntN(len(relTypes))])
					}
				}
				if rng.IntN(2) == 0 {
					p.OtherID = pick(ends...)
				}
				if rng.IntN(3) == 0 {
					p.Statuses = []kg.ClaimStatus{kg.ClaimStatuses[rng.IntN(len(kg.ClaimStatuses))]}
				}
				f.HasRelation = p
			case 9:
				a, b := instants[rng.IntN(len(instants))], instants[rng.IntN(len(instants))]
				if b.Before(a) {
					a, b = b, a
				}
				switch rng.IntN(3) {
				case 0:
					f.OccurredFrom = &a
				case 1:
					f.OccurredTo = &b
				default:
					f.OccurredFrom, f.OccurredTo = &a, &b
				}
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
	for i := range 300 {
		f := gen(0)
		var want []string
		for _, e := range all {
			if f.MatchRelated(e, has) {
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
	if p := f.HasRelation; p != nil {
		s += fmt.Sprintf(" has{%v %s other %q %v}", p.Types, p.Direction, p.OtherID, p.Statuses)
	}
	if f.OccurredFrom != nil {
		s += " from " + f.OccurredFrom.Format(time.RFC3339Nano)
	}
	if f.OccurredTo != nil {
		s += " to " + f.OccurredTo.Format(time.RFC3339Nano)
	}
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
