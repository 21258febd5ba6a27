package embedded

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
	seeddata "github.com/factgraph/factgraph/seed"
)

// These tests hold the graph queries to naive reference implementations (full scans of the
// graph, enumeration of every path) on random graphs with hubs, self-loops and parallel
// relations, and check by hand the cases a random graph rarely hits. kg/storetest holds the
// two stores equal; these tests are here because only the embedded store can be compared with
// a reference cheaply and thousands of times.

// ---- the built-in seed: Violations and Timeline -----------------------------------------------

func seededStore(t testing.TB) *Store {
	t.Helper()
	s := openT(t, "")
	b, err := seeddata.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seeddata.Apply(context.Background(), s, b, 0, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestViolationsOnSeed(t *testing.T) {
	ctx := context.Background()
	s := seededStore(t)
	vs, err := kg.Violations(ctx, s, "agreement:2025-03-energy-infrastructure-strike-pause")
	if err != nil {
		t.Fatal(err)
	}
	// By the rules of kg.Violations both attacks in the seed count:
	//   - Russia (PARTY_TO and AGREED the pause) ATTACKED Sloviansk's energy infrastructure, which
	//     is PART_OF the Ukrainian energy infrastructure the pause COVERS;
	//   - Ukraine (PARTY_TO the pause, a claim of Leavitt's) ATTACKED Russian energy
	//     infrastructure, which the pause also COVERS (Leavitt's claim, by implication).
	// Both attacks are dated only to the day, 18 March 2025 (UTC), and the pause's validFrom is
	// that same day at DAY precision: the attack's day and the window's first day coincide, so
	// neither can be placed certainly inside (the attack may have come before the start, which
	// is known only to the day): POSSIBLY_WITHIN for both. The rules do not look at a party's
	// own joining date (Ukraine's PARTY_TO validFrom is 19 March), only at the agreement's
	// window. They sort by time, then id: both are at 2025-03-18T00:00Z, so by id.
	want := []struct {
		id     string
		timing kg.ViolationTiming
	}{
		{"rel:russia-attacked-sloviansk-energy-infrastructure", kg.TimingPossiblyWithin},
		{"rel:ukraine-attacked-russia-energy-infrastructure", kg.TimingPossiblyWithin},
	}
	if len(vs) != len(want) {
		t.Fatalf("got %d violations, want %d: %+v", len(vs), len(want), vs)
	}
	for i, w := range want {
		v := vs[i]
		if v.Attack.ID != w.id || v.Timing != w.timing {
			t.Errorf("violation %d = %s %s, want %s %s", i, v.Attack.ID, v.Timing, w.id, w.timing)
		}
		if len(v.Attack.SourceIDs) == 0 || v.Explanation == "" {
			t.Errorf("violation %d lacks sources or explanation: %+v", i, v)
		}
	}
	if !strings.Contains(vs[0].Explanation, "less than an hour after the Trump–Putin call") {
		t.Errorf("Sloviansk explanation %q does not quote the time note", vs[0].Explanation)
	}

	// Not an agreement, and not there.
	if _, err := kg.Violations(ctx, s, "country:russia"); !errors.Is(err, kg.ErrInvalidInput) {
		t.Errorf("Violations(country) = %v, want invalid input", err)
	}
	if _, err := kg.Violations(ctx, s, "agreement:nope"); !errors.Is(err, kg.ErrNotFound) {
		t.Errorf("Violations(missing) = %v, want not found", err)
	}
}

func TestTimelineOnSeed(t *testing.T) {
	ctx := context.Background()
	s := seededStore(t)
	day := func(d int) *time.Time { x := time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC); return &x }

	entries, truncated, err := kg.Timeline(ctx, s, kg.TimelineQuery{From: day(18), To: day(19), Limit: kg.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if truncated || len(entries) == 0 {
		t.Fatalf("timeline of 18 March: %d entries, truncated %v", len(entries), truncated)
	}
	// The reference: every dated relation and every event in the window, sorted.
	type key struct {
		at int64
		id string
	}
	var want []key
	all, err := s.Relations(ctx, kg.RelationQuery{First: kg.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all.Items {
		if k := kg.RelationTimeKey(r); k != kg.UndatedSortKey && k >= day(18).UnixNano() && k < day(19).UnixNano() {
			want = append(want, key{k, r.ID})
		}
	}
	evs, err := s.Entities(ctx, kg.EntityQuery{Filter: &kg.EntityFilter{Kinds: []kg.EntityKind{kg.KindEvent}}, First: kg.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs.Items {
		if at := e.OccurredAt.At; !at.Before(*day(18)) && at.Before(*day(19)) {
			want = append(want, key{at.UnixNano(), e.ID})
		}
	}
	slices.SortFunc(want, func(a, b key) int {
		if a.at != b.at {
			return map[bool]int{true: -1, false: 1}[a.at < b.at]
		}
		return strings.Compare(a.id, b.id)
	})
	var got []key
	sawSloviansk := false
	for _, e := range entries {
		if e.Event != nil {
			got = append(got, key{e.Event.OccurredAt.At.UnixNano(), e.Event.ID})
		} else {
			got = append(got, key{kg.RelationTimeKey(e.Relation), e.Relation.ID})
			sawSloviansk = sawSloviansk || e.Relation.ID == "rel:russia-attacked-sloviansk-energy-infrastructure"
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("timeline of 18 March:\n got %v\nwant %v", got, want)
	}
	if !sawSloviansk {
		t.Error("the Sloviansk strike is missing from 18 March")
	}

	// A limit cuts and says so; types leave events out; entity ids narrow to their relations.
	cut, truncated, err := kg.Timeline(ctx, s, kg.TimelineQuery{From: day(18), To: day(19), Limit: 2})
	if err != nil || len(cut) != 2 || !truncated {
		t.Errorf("limit 2: %d entries, truncated %v, %v", len(cut), truncated, err)
	}
	attacks, _, err := kg.Timeline(ctx, s, kg.TimelineQuery{Types: []kg.RelationType{kg.RelAttacked}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range attacks {
		if e.Event != nil || e.Relation.Type != kg.RelAttacked {
			t.Errorf("types [ATTACKED] gave %+v", e)
		}
	}
	if len(attacks) != 2 {
		t.Errorf("ATTACKED timeline has %d entries, want 2", len(attacks))
	}
	russia, _, err := kg.Timeline(ctx, s, kg.TimelineQuery{EntityIDs: []string{"country:russia"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range russia {
		if r := e.Relation; r != nil && r.FromID != "country:russia" && r.ToID != "country:russia" {
			t.Errorf("entity timeline of Russia has %s", r.ID)
		}
	}
	if _, _, err := kg.Timeline(ctx, s, kg.TimelineQuery{From: day(19), To: day(18)}); !errors.Is(err, kg.ErrInvalidInput) {
		t.Errorf("to before from: %v, want invalid input", err)
	}
}

// ---- hand-built cases --------------------------------------------------------------------------

// smallGraph writes entities named by ids (all PERSON unless the id says "c:" for COUNTRY) and
// relations given as "id type from to [status]".
func smallGraph(t testing.TB, s *Store, ids []string, rels []string) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:a", Title: "A"}, {ID: "src:b", Title: "B"}}); err != nil {
		t.Fatal(err)
	}
	var es []kg.EntityInput
	for _, id := range ids {
		k := kg.KindPerson
		if strings.HasPrefix(id, "c:") {
			k = kg.KindCountry
		}
		es = append(es, kg.EntityInput{ID: id, Kind: k, Name: id})
	}
	if _, _, err := s.UpsertEntities(ctx, es); err != nil {
		t.Fatal(err)
	}
	var rs []kg.RelationInput
	for _, line := range rels {
		f := strings.Fields(line)
		st := kg.StatusConfirmed
		if len(f) > 4 {
			st = kg.ClaimStatus(f[4])
		}
		rs = append(rs, kg.RelationInput{ID: f[0], Type: kg.RelationType(f[1]), FromID: f[2], ToID: f[3], Status: st, SourceIDs: []string{"src:a"}})
	}
	if len(rs) > 0 {
		if _, _, err := s.UpsertRelations(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
}

func nodeIDs(sub *kg.Subgraph) []string {
	var out []string
	for _, n := range sub.Nodes {
		out = append(out, fmt.Sprintf("%s@%d", n.Entity.ID, n.Distance))
	}
	return out
}

func relIDs(rs []*kg.Relation) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestNeighborhoodRules(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	// a - b - d, a - c (twice: parallel), c - e, d - e, a self-loop on a, b <- f (ALLEGED).
	smallGraph(t, s, []string{"a", "b", "c", "d", "e", "f", "g"}, []string{
		"r1 SPOKE_WITH a b", "r2 SPOKE_WITH c a", "r3 MEDIATED a c", "r4 SPOKE_WITH b d",
		"r5 SPOKE_WITH c e", "r6 SPOKE_WITH e d", "r7 SPOKE_WITH a a", "r8 SPOKE_WITH f b ALLEGED",
	})
	get := func(q kg.NeighborhoodQuery) *kg.Subgraph {
		t.Helper()
		sub, err := s.Neighborhood(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		return sub
	}
	check := func(name string, q kg.NeighborhoodQuery, nodes, rels []string, truncated bool) {
		t.Helper()
		sub := get(q)
		if got := nodeIDs(sub); !slices.Equal(got, nodes) {
			t.Errorf("%s: nodes %v, want %v", name, got, nodes)
		}
		if got := relIDs(sub.Relations); !slices.Equal(got, rels) {
			t.Errorf("%s: relations %v, want %v", name, got, rels)
		}
		if sub.Truncated != truncated {
			t.Errorf("%s: truncated %v, want %v", name, sub.Truncated, truncated)
		}
	}
	check("depth 1 (default)", kg.NeighborhoodQuery{ID: "a"},
		[]string{"a@0", "b@1", "c@1"}, []string{"r1", "r2", "r3", "r7"}, false)
	// r6 joins d and e, both at distance 2: a relation between kept nodes is in, whatever
	// their distances.
	check("depth 2", kg.NeighborhoodQuery{ID: "a", Depth: 2},
		[]string{"a@0", "b@1", "c@1", "d@2", "e@2", "f@2"}, []string{"r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"}, false)
	check("depth 3", kg.NeighborhoodQuery{ID: "a", Depth: 3},
		[]string{"a@0", "b@1", "c@1", "d@2", "e@2", "f@2"}, []string{"r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"}, false)
	// Limit cuts within a level by id, and says so.
	check("limit 4", kg.NeighborhoodQuery{ID: "a", Depth: 2, Limit: 4},
		[]string{"a@0", "b@1", "c@1", "d@2"}, []string{"r1", "r2", "r3", "r4", "r7"}, true)
	// Limit exactly full at depth 1 while depth 2 has more: truncated.
	check("full at level 1", kg.NeighborhoodQuery{ID: "a", Depth: 2, Limit: 3},
		[]string{"a@0", "b@1", "c@1"}, []string{"r1", "r2", "r3", "r7"}, true)
	// Limit exactly full at the last level: not truncated.
	check("full at the depth", kg.NeighborhoodQuery{ID: "a", Depth: 1, Limit: 3},
		[]string{"a@0", "b@1", "c@1"}, []string{"r1", "r2", "r3", "r7"}, false)
	check("limit 1", kg.NeighborhoodQuery{ID: "a", Limit: 1}, []string{"a@0"}, []string{"r7"}, true)
	check("isolated", kg.NeighborhoodQuery{ID: "g", Depth: 3}, []string{"g@0"}, []string{}, false)
	// Follows: types and statuses restrict the walk and the relations.
	check("types", kg.NeighborhoodQuery{ID: "a", Depth: 2, Types: []kg.RelationType{kg.RelMediated}},
		[]string{"a@0", "c@1"}, []string{"r3"}, false)
	check("statuses", kg.NeighborhoodQuery{ID: "b", Statuses: []kg.ClaimStatus{kg.StatusConfirmed}},
		[]string{"b@0", "a@1", "d@1"}, []string{"r1", "r4", "r7"}, false)
	check("statuses ALLEGED", kg.NeighborhoodQuery{ID: "b", Depth: 3, Statuses: []kg.ClaimStatus{kg.StatusAlleged}},
		[]string{"b@0", "f@1"}, []string{"r8"}, false)

	// Relations are cut at Limit*4, by id.
	var ids []string
	var rels []string
	ids = append(ids, "hub", "x")
	for i := range 10 {
		rels = append(rels, fmt.Sprintf("p%02d SPOKE_WITH hub x", i))
	}
	s2 := openT(t, "")
	smallGraph(t, s2, ids, rels)
	sub, err := s2.Neighborhood(ctx, kg.NeighborhoodQuery{ID: "hub", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := relIDs(sub.Relations); !slices.Equal(got, []string{"p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07"}) || !sub.Truncated {
		t.Errorf("edge cut: %v truncated %v", got, sub.Truncated)
	}

	// Errors.
	if _, err := s.Neighborhood(ctx, kg.NeighborhoodQuery{ID: "nope"}); !errors.Is(err, kg.ErrNotFound) {
		t.Errorf("missing centre: %v", err)
	}
	for _, q := range []kg.NeighborhoodQuery{
		{ID: "a", Depth: 4}, {ID: "a", Depth: -1}, {ID: "a", Limit: kg.MaxNeighborhood + 1},
		{ID: "a", Types: []kg.RelationType{"NOPE"}}, {ID: ""}, {ID: "a", Statuses: []kg.ClaimStatus{"NOPE"}},
	} {
		if _, err := s.Neighborhood(ctx, q); !errors.Is(err, kg.ErrInvalidInput) {
			t.Errorf("%+v: %v, want invalid input", q, err)
		}
	}
}

func pathKeys(ps []kg.Path) []string {
	var out []string
	for _, p := range ps {
		var b strings.Builder
		for i, e := range p.Entities {
			if i > 0 {
				fmt.Fprintf(&b, " -%s- ", p.Relations[i-1].ID)
			}
			b.WriteString(e.ID)
		}
		out = append(out, b.String())
	}
	return out
}

func TestShortestPathsRules(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	// Two parallel relations a-b, then b-d and a-c-d: three shortest paths a..d of length 2.
	smallGraph(t, s, []string{"a", "b", "c", "d", "e", "z"}, []string{
		"r2 SPOKE_WITH a b", "r1 MEDIATED b a", "r3 SPOKE_WITH b d", "r4 SPOKE_WITH c a",
		"r5 SPOKE_WITH d c", "r6 SPOKE_WITH d e", "r7 SPOKE_WITH a a",
	})
	paths := func(q kg.PathQuery) []string {
		t.Helper()
		ps, err := s.ShortestPaths(ctx, q)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		for _, p := range ps {
			if len(p.Entities) != len(p.Relations)+1 {
				t.Fatalf("malformed path %+v", p)
			}
		}
		if !slices.IsSortedFunc(ps, func(a, b kg.Path) int { return strings.Compare(kg.PathKey(a), kg.PathKey(b)) }) {
			t.Errorf("%+v: paths not in PathKey order: %v", q, pathKeys(ps))
		}
		return pathKeys(ps)
	}
	check := func(name string, q kg.PathQuery, want ...string) {
		t.Helper()
		if got := paths(q); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
	check("all", kg.PathQuery{FromID: "a", ToID: "d", All: true},
		"a -r1- b -r3- d", "a -r2- b -r3- d", "a -r4- c -r5- d")
	check("one is the lowest key", kg.PathQuery{FromID: "a", ToID: "d"}, "a -r1- b -r3- d")
	check("reverse", kg.PathQuery{FromID: "d", ToID: "a", All: true},
		"d -r3- b -r1- a", "d -r3- b -r2- a", "d -r5- c -r4- a")
	check("limit", kg.PathQuery{FromID: "a", ToID: "d", All: true, Limit: 2}, "a -r1- b -r3- d", "a -r2- b -r3- d")
	check("types", kg.PathQuery{FromID: "a", ToID: "d", All: true, Types: []kg.RelationType{kg.RelSpokeWith}},
		"a -r2- b -r3- d", "a -r4- c -r5- d")
	check("three hops", kg.PathQuery{FromID: "e", ToID: "a", All: true},
		"e -r6- d -r3- b -r1- a", "e -r6- d -r3- b -r2- a", "e -r6- d -r5- c -r4- a")
	check("depth too small", kg.PathQuery{FromID: "e", ToID: "a", MaxDepth: 2})
	check("no path", kg.PathQuery{FromID: "a", ToID: "z", MaxDepth: kg.MaxPathDepth})
	check("same", kg.PathQuery{FromID: "a", ToID: "a", All: true}, "a")
	if ps, _ := s.ShortestPaths(ctx, kg.PathQuery{FromID: "a", ToID: "z"}); ps != nil {
		t.Errorf("no path gave %#v, want nil", ps)
	}
	if ps, _ := s.ShortestPaths(ctx, kg.PathQuery{FromID: "a", ToID: "a"}); len(ps) != 1 || len(ps[0].Relations) != 0 || len(ps[0].Entities) != 1 {
		t.Errorf("from == to gave %+v", ps)
	}

	for _, q := range []kg.PathQuery{{FromID: "nope", ToID: "a"}, {FromID: "a", ToID: "nope"}} {
		if _, err := s.ShortestPaths(ctx, q); !errors.Is(err, kg.ErrNotFound) {
			t.Errorf("%+v: %v, want not found", q, err)
		}
	}
	for _, q := range []kg.PathQuery{
		{FromID: "a", ToID: "d", MaxDepth: kg.MaxPathDepth + 1}, {FromID: "a", ToID: "d", MaxDepth: -1},
		{FromID: "a", ToID: "d", All: true, Limit: kg.MaxPathLimit + 1}, {FromID: "", ToID: "d"},
		{FromID: "a", ToID: "d", Types: []kg.RelationType{"NOPE"}},
	} {
		if _, err := s.ShortestPaths(ctx, q); !errors.Is(err, kg.ErrInvalidInput) {
			t.Errorf("%+v: %v, want invalid input", q, err)
		}
	}
}

// TestShortestPathsHubIsBounded: 300 × 300 shortest paths through two layers of a complete
// bipartite graph; asking for the first 5 must not enumerate 90 000.
func TestShortestPathsHubIsBounded(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	ids := []string{"from", "to"}
	var rels []string
	for i := range 300 {
		m := fmt.Sprintf("m%03d", i)
		ids = append(ids, m)
		rels = append(rels, fmt.Sprintf("a%03d SPOKE_WITH from %s", i, m), fmt.Sprintf("b%03d SPOKE_WITH %s to", i, m))
	}
	smallGraph(t, s, ids, rels)
	start := time.Now()
	ps, err := s.ShortestPaths(ctx, kg.PathQuery{FromID: "from", ToID: "to", All: true, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"from -a000- m000 -b000- to", "from -a001- m001 -b001- to", "from -a002- m002 -b002- to",
		"from -a003- m003 -b003- to", "from -a004- m004 -b004- to"}
	if got := pathKeys(ps); !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

func TestDegreesRules(t *testing.T) {
	ctx := context.Background()
	s := openT(t, "")
	smallGraph(t, s, []string{"a", "b", "c:x", "c:y", "lonely"}, []string{
		"r1 SPOKE_WITH a b", "r2 SPOKE_WITH a b", "r3 SPOKE_WITH a a", "r4 MEDIATED b c:x",
		"r5 MEDIATED c:y c:x", "r6 SPOKE_WITH c:x a",
	})
	check := func(name string, q kg.DegreeQuery, want ...string) {
		t.Helper()
		ds, err := s.Degrees(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, fmt.Sprintf("%s=%d", d.Entity.ID, d.Degree))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	// a: r1 r2 r3(self-loop, once) r6 = 4; b: r1 r2 r4 = 3; c:x: r4 r5 r6 = 3; c:y: 1.
	check("both", kg.DegreeQuery{}, "a=4", "b=3", "c:x=3", "c:y=1")
	check("out", kg.DegreeQuery{Direction: kg.DirectionOut}, "a=3", "b=1", "c:x=1", "c:y=1")
	check("in", kg.DegreeQuery{Direction: kg.DirectionIn}, "a=2", "b=2", "c:x=2")
	check("types", kg.DegreeQuery{Types: []kg.RelationType{kg.RelMediated}}, "c:x=2", "b=1", "c:y=1")
	check("kinds", kg.DegreeQuery{Kinds: []kg.EntityKind{kg.KindCountry}}, "c:x=3", "c:y=1")
	check("limit", kg.DegreeQuery{Limit: 2}, "a=4", "b=3")
	check("self-loop type", kg.DegreeQuery{Types: []kg.RelationType{kg.RelSpokeWith}, Limit: 1}, "a=4")
	for _, q := range []kg.DegreeQuery{{Limit: -1}, {Limit: kg.MaxPageSize + 1}, {Direction: "UP"},
		{Kinds: []kg.EntityKind{"NOPE"}}, {Types: []kg.RelationType{"NOPE"}}} {
		if _, err := s.Degrees(ctx, q); !errors.Is(err, kg.ErrInvalidInput) {
			t.Errorf("%+v: %v, want invalid input", q, err)
		}
	}
}

// ---- random graphs against references ----------------------------------------------------------

// randomGraph writes n entities and m relations: a few hubs take a large share of the ends,
// and self-loops, parallel relations, disputes and dates all occur.
func randomGraph(t testing.TB, s *Store, rng *rand.Rand, n, m int) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:a", Title: "A"}, {ID: "src:b", Title: "B"}, {ID: "src:c", Title: "C"}}); err != nil {
		t.Fatal(err)
	}
	kinds := []kg.EntityKind{kg.KindPerson, kg.KindCountry, kg.KindEvent}
	var es []kg.EntityInput
	for i := range n {
		e := kg.EntityInput{ID: fmt.Sprintf("e:%02d", i), Kind: kinds[rng.IntN(len(kinds))], Name: fmt.Sprint(i)}
		if e.Kind == kg.KindEvent {
			e.OccurredAt = &kg.Time{At: time.Date(2025, 3, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)}
		}
		es = append(es, e)
	}
	if _, _, err := s.UpsertEntities(ctx, es); err != nil {
		t.Fatal(err)
	}
	end := func() string {
		if rng.IntN(3) == 0 {
			return fmt.Sprintf("e:%02d", rng.IntN(3)) // hubs
		}
		return fmt.Sprintf("e:%02d", rng.IntN(n))
	}
	types := []kg.RelationType{kg.RelSpokeWith, kg.RelMediated, kg.RelAttacked}
	srcs := []string{"src:a", "src:b", "src:c"}
	var rs []kg.RelationInput
	for i := range m {
		r := kg.RelationInput{ID: fmt.Sprintf("r:%03d", i), Type: types[rng.IntN(len(types))], FromID: end(), ToID: end(),
			Status: kg.ClaimStatuses[rng.IntN(3)], SourceIDs: []string{srcs[rng.IntN(3)]}}
		if rng.IntN(4) == 0 {
			r.SourceIDs = append(r.SourceIDs, srcs[(slices.Index(srcs, r.SourceIDs[0])+1)%3])
		}
		if rng.IntN(10) == 0 {
			r.ToID = r.FromID
		}
		if rng.IntN(5) == 0 && i > 0 {
			r.DisputesIDs = []string{fmt.Sprintf("r:%03d", rng.IntN(i))}
		}
		if rng.IntN(2) == 0 {
			r.OccurredAt = &kg.Time{At: time.Date(2025, 3, 1+rng.IntN(20), rng.IntN(24), 0, 0, 0, time.UTC)}
		}
		rs = append(rs, r)
	}
	if _, _, err := s.UpsertRelations(ctx, rs); err != nil {
		t.Fatal(err)
	}
}

// everything returns all entities and relations, through the store's own listing.
func everything(t testing.TB, s *Store) ([]*kg.Entity, []*kg.Relation) {
	t.Helper()
	ctx := context.Background()
	es, err := s.Entities(ctx, kg.EntityQuery{OrderBy: kg.EntityOrder{Field: kg.EntityOrderID}, First: kg.MaxPageSize})
	if err != nil || es.HasNextPage {
		t.Fatal(err, es.HasNextPage)
	}
	rs, err := s.Relations(ctx, kg.RelationQuery{OrderBy: kg.RelationOrder{Field: kg.RelationOrderID}, First: kg.MaxPageSize})
	if err != nil || rs.HasNextPage {
		t.Fatal(err, rs.HasNextPage)
	}
	return es.Items, rs.Items
}

func refNeighborhood(es []*kg.Entity, rs []*kg.Relation, q kg.NeighborhoodQuery) *kg.Subgraph {
	_ = q.Normalize()
	dist := map[string]int{q.ID: 0}
	for d := 1; d <= q.Depth; d++ {
		for _, r := range rs { // a full scan per level
			if !q.Follows(r) {
				continue
			}
			for _, pair := range [][2]string{{r.FromID, r.ToID}, {r.ToID, r.FromID}} {
				if dd, ok := dist[pair[0]]; ok && dd == d-1 {
					if _, seen := dist[pair[1]]; !seen {
						dist[pair[1]] = d
					}
				}
			}
		}
	}
	sub := &kg.Subgraph{}
	for _, e := range es {
		if d, ok := dist[e.ID]; ok {
			sub.Nodes = append(sub.Nodes, kg.SubgraphNode{Entity: e, Distance: d})
		}
	}
	slices.SortStableFunc(sub.Nodes, func(a, b kg.SubgraphNode) int { return a.Distance - b.Distance }) // es is in id order
	if len(sub.Nodes) > q.Limit {
		sub.Nodes, sub.Truncated = sub.Nodes[:q.Limit], true
	}
	kept := map[string]bool{}
	for _, n := range sub.Nodes {
		kept[n.Entity.ID] = true
	}
	sub.Relations = []*kg.Relation{}
	for _, r := range rs {
		if q.Follows(r) && kept[r.FromID] && kept[r.ToID] {
			sub.Relations = append(sub.Relations, r)
		}
	}
	if len(sub.Relations) > q.MaxEdges() {
		sub.Relations, sub.Truncated = sub.Relations[:q.MaxEdges()], true
	}
	return sub
}

// refPaths enumerates every simple path of at most MaxDepth relations and keeps the shortest.
func refPaths(rs []*kg.Relation, q kg.PathQuery) []string {
	_ = q.Normalize()
	if q.FromID == q.ToID {
		return []string{q.FromID}
	}
	var found []kg.Path
	onPath := map[string]bool{q.FromID: true}
	var ents []*kg.Entity
	var rels []*kg.Relation
	var dfs func(at string)
	dfs = func(at string) {
		if at == q.ToID {
			found = append(found, kg.Path{Entities: slices.Clone(ents), Relations: slices.Clone(rels)})
			return
		}
		if len(rels) == q.MaxDepth {
			return
		}
		for _, r := range rs {
			if len(q.Types) > 0 && !slices.Contains(q.Types, r.Type) {
				continue
			}
			var next string
			switch at {
			case r.FromID:
				next = r.ToID
			case r.ToID:
				next = r.FromID
			default:
				continue
			}
			if onPath[next] {
				continue
			}
			onPath[next] = true
			ents, rels = append(ents, &kg.Entity{ID: next}), append(rels, r)
			dfs(next)
			ents, rels = ents[:len(ents)-1], rels[:len(rels)-1]
			onPath[next] = false
		}
	}
	ents = []*kg.Entity{{ID: q.FromID}}
	dfs(q.FromID)
	if len(found) == 0 {
		return nil
	}
	short := slices.MinFunc(found, func(a, b kg.Path) int { return len(a.Relations) - len(b.Relations) })
	found = slices.DeleteFunc(found, func(p kg.Path) bool { return len(p.Relations) > len(short.Relations) })
	slices.SortFunc(found, func(a, b kg.Path) int { return strings.Compare(kg.PathKey(a), kg.PathKey(b)) })
	if len(found) > q.Limit {
		found = found[:q.Limit]
	}
	return pathKeys(found)
}

func refDegrees(es []*kg.Entity, rs []*kg.Relation, q kg.DegreeQuery) []string {
	_ = q.Normalize()
	type row struct {
		id string
		n  int
	}
	var rows []row
	for _, e := range es {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.Kind) {
			continue
		}
		n := 0
		for _, r := range rs {
			if kg.MatchNeighbor(r, e.ID, q.Direction, q.Types) {
				n++
			}
		}
		if n > 0 {
			rows = append(rows, row{e.ID, n})
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int { return b.n - a.n })
	var out []string
	for _, r := range rows[:min(len(rows), q.Limit)] {
		out = append(out, fmt.Sprintf("%s=%d", r.id, r.n))
	}
	return out
}

func refStats(es []*kg.Entity, rs []*kg.Relation, sources int, q kg.StatsQuery) *kg.Stats {
	has := func(id string, p *kg.RelationPredicate) bool {
		for _, r := range rs {
			if p.Matches(id, r) {
				return true
			}
		}
		return false
	}
	st := &kg.Stats{Sources: sources, ByKind: map[kg.EntityKind]int{}, ByType: map[kg.RelationType]int{},
		ByStatus: map[kg.ClaimStatus]int{}, BySource: map[string]int{}}
	for _, e := range es {
		if q.Entities.MatchRelated(e, has) {
			st.Entities++
			st.ByKind[e.Kind]++
		}
	}
	for _, r := range rs {
		if q.Relations.Match(r) {
			st.Relations++
			st.ByType[r.Type]++
			st.ByStatus[r.Status]++
			for _, src := range r.SourceIDs {
				st.BySource[src]++
			}
		}
	}
	return st
}

func randomPredicate(rng *rand.Rand, n int) *kg.RelationPredicate {
	p := &kg.RelationPredicate{}
	if rng.IntN(2) == 0 {
		p.Types = []kg.RelationType{[]kg.RelationType{kg.RelSpokeWith, kg.RelMediated, kg.RelAttacked}[rng.IntN(3)]}
	}
	p.Direction = []kg.Direction{"", kg.DirectionOut, kg.DirectionIn, kg.DirectionBoth}[rng.IntN(4)]
	if rng.IntN(2) == 0 {
		p.OtherID = fmt.Sprintf("e:%02d", rng.IntN(n))
	}
	if rng.IntN(3) == 0 {
		p.Statuses = []kg.ClaimStatus{kg.ClaimStatuses[rng.IntN(3)]}
	}
	return p
}

func randomEntityFilter(rng *rand.Rand, n int) *kg.EntityFilter {
	f := &kg.EntityFilter{}
	switch rng.IntN(6) {
	case 0:
		f.HasRelation = randomPredicate(rng, n)
	case 1:
		f.Or = []kg.EntityFilter{{HasRelation: randomPredicate(rng, n)}, {Kinds: []kg.EntityKind{kg.KindCountry}}}
	case 2:
		f.Not = &kg.EntityFilter{HasRelation: randomPredicate(rng, n)}
	case 3:
		from := time.Date(2025, 3, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)
		to := from.AddDate(0, 0, rng.IntN(5))
		f.OccurredFrom, f.OccurredTo = &from, &to
	case 4:
		f.HasRelation = randomPredicate(rng, n)
		f.IDs = []string{fmt.Sprintf("e:%02d", rng.IntN(n)), fmt.Sprintf("e:%02d", rng.IntN(n))}
	case 5:
		return nil
	}
	return f
}

func randomRelationFilter(rng *rand.Rand, n, m int) *kg.RelationFilter {
	f := &kg.RelationFilter{}
	for range 1 + rng.IntN(2) {
		switch rng.IntN(7) {
		case 0:
			f.EntityIDs = []string{fmt.Sprintf("e:%02d", rng.IntN(n)), fmt.Sprintf("e:%02d", rng.IntN(n))}
		case 1:
			f.DisputesIDs = []string{fmt.Sprintf("r:%03d", rng.IntN(m))}
		case 2:
			f.FromID = fmt.Sprintf("e:%02d", rng.IntN(3))
		case 3:
			from := time.Date(2025, 3, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)
			to := from.AddDate(0, 0, rng.IntN(5))
			if rng.IntN(3) == 0 {
				f.OccurredFrom, f.OccurredTo = &from, nil
			} else {
				f.OccurredFrom, f.OccurredTo = &from, &to
			}
		case 4:
			f.Types = []kg.RelationType{kg.RelAttacked}
		case 5:
			f.SourceID = "src:b"
		case 6:
			return nil
		}
	}
	return f
}

func TestGraphQueriesMatchReference(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 7))
		s := openT(t, "")
		n, m := 20+rng.IntN(30), 10+rng.IntN(70)
		randomGraph(t, s, rng, n, m)
		es, rs := everything(t, s)
		randomID := func() string { return fmt.Sprintf("e:%02d", rng.IntN(n)) }

		for range 60 {
			q := kg.NeighborhoodQuery{ID: randomID(), Depth: rng.IntN(4), Limit: []int{0, 1, 2, 3, 5, 8, 13}[rng.IntN(7)]}
			if rng.IntN(3) == 0 {
				q.Types = []kg.RelationType{kg.RelSpokeWith, kg.RelMediated}
			}
			if rng.IntN(3) == 0 {
				q.Statuses = []kg.ClaimStatus{kg.StatusConfirmed, kg.StatusClaimed}
			}
			got, err := s.Neighborhood(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want := refNeighborhood(es, rs, q)
			if !slices.Equal(nodeIDs(got), nodeIDs(want)) || !slices.Equal(relIDs(got.Relations), relIDs(want.Relations)) || got.Truncated != want.Truncated {
				t.Fatalf("seed %d neighbourhood %+v:\n got %v %v %v\nwant %v %v %v", seed, q,
					nodeIDs(got), relIDs(got.Relations), got.Truncated, nodeIDs(want), relIDs(want.Relations), want.Truncated)
			}
		}

		for range 60 {
			q := kg.PathQuery{FromID: randomID(), ToID: randomID(), MaxDepth: 1 + rng.IntN(4), All: rng.IntN(4) > 0, Limit: []int{0, 1, 3, 100}[rng.IntN(4)]}
			if rng.IntN(3) == 0 {
				q.Types = []kg.RelationType{kg.RelSpokeWith, kg.RelAttacked}
			}
			ps, err := s.ShortestPaths(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := pathKeys(ps), refPaths(rs, q); !slices.Equal(got, want) {
				t.Fatalf("seed %d paths %+v:\n got %q\nwant %q", seed, q, got, want)
			}
		}

		for range 20 {
			q := kg.DegreeQuery{Limit: []int{0, 1, 5, 500}[rng.IntN(4)],
				Direction: []kg.Direction{"", kg.DirectionOut, kg.DirectionIn, kg.DirectionBoth}[rng.IntN(4)]}
			if rng.IntN(2) == 0 {
				q.Types = []kg.RelationType{kg.RelMediated, kg.RelAttacked}
			}
			if rng.IntN(2) == 0 {
				q.Kinds = []kg.EntityKind{kg.KindPerson, kg.KindEvent}
			}
			ds, err := s.Degrees(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range ds {
				got = append(got, fmt.Sprintf("%s=%d", d.Entity.ID, d.Degree))
			}
			if want := refDegrees(es, rs, q); !slices.Equal(got, want) {
				t.Fatalf("seed %d degrees %+v:\n got %v\nwant %v", seed, q, got, want)
			}
		}

		for range 40 {
			q := kg.StatsQuery{Entities: randomEntityFilter(rng, n), Relations: randomRelationFilter(rng, n, m)}
			got, err := s.Stats(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := refStats(es, rs, 3, q); !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d stats %+v %+v:\n got %+v\nwant %+v", seed, q.Entities, q.Relations, got, want)
			}
		}

		// The listings with the new filters, walked page by page, equal a filtered scan.
		for range 40 {
			ef := randomEntityFilter(rng, n)
			var want []string
			for _, e := range es {
				if ef.MatchRelated(e, func(id string, p *kg.RelationPredicate) bool {
					return slices.ContainsFunc(rs, func(r *kg.Relation) bool { return p.Matches(id, r) })
				}) {
					want = append(want, e.ID)
				}
			}
			var got []string
			after := ""
			for {
				p, err := s.Entities(ctx, kg.EntityQuery{Filter: ef, OrderBy: kg.EntityOrder{Field: kg.EntityOrderID}, First: 3, After: after})
				if err != nil {
					t.Fatal(err)
				}
				if p.TotalCount != len(want) {
					t.Fatalf("seed %d entities %+v: total %d, want %d", seed, ef, p.TotalCount, len(want))
				}
				for _, e := range p.Items {
					got = append(got, e.ID)
				}
				if !p.HasNextPage {
					break
				}
				after = kg.EntityOrder{Field: kg.EntityOrderID, Direction: kg.Asc}.Cursor(p.Items[len(p.Items)-1])
			}
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d entities %+v:\n got %v\nwant %v", seed, ef, got, want)
			}
		}
		for range 40 {
			rf := randomRelationFilter(rng, n, m)
			o := kg.RelationOrder{Field: kg.RelationOrderTime, Direction: []kg.SortDirection{kg.Asc, kg.Desc}[rng.IntN(2)]}
			var want []*kg.Relation
			for _, r := range rs {
				if rf.Match(r) {
					want = append(want, r)
				}
			}
			slices.SortStableFunc(want, func(a, b *kg.Relation) int {
				c := 0
				switch ka, kb := kg.RelationTimeKey(a), kg.RelationTimeKey(b); {
				case ka < kb:
					c = -1
				case ka > kb:
					c = 1
				}
				if o.Direction == kg.Desc {
					c = -c
					if c == 0 {
						c = strings.Compare(b.ID, a.ID)
					}
				}
				return c
			})
			var got []*kg.Relation
			after := ""
			for {
				p, err := s.Relations(ctx, kg.RelationQuery{Filter: rf, OrderBy: o, First: 4, After: after})
				if err != nil {
					t.Fatal(err)
				}
				if p.TotalCount != len(want) {
					t.Fatalf("seed %d relations %+v: total %d, want %d", seed, rf, p.TotalCount, len(want))
				}
				got = append(got, p.Items...)
				if !p.HasNextPage {
					break
				}
				after = o.Cursor(p.Items[len(p.Items)-1])
			}
			if !slices.Equal(relIDs(got), relIDs(want)) {
				t.Fatalf("seed %d relations %+v %v:\n got %v\nwant %v", seed, rf, o, relIDs(got), relIDs(want))
			}
		}
	}
}

func TestStatsQueryValidation(t *testing.T) {
	s := openT(t, "")
	bad := kg.RelationType("NOPE")
	for _, q := range []kg.StatsQuery{
		{Entities: &kg.EntityFilter{Kinds: []kg.EntityKind{"NOPE"}}},
		{Entities: &kg.EntityFilter{HasRelation: &kg.RelationPredicate{Types: []kg.RelationType{bad}}}},
		{Entities: &kg.EntityFilter{HasRelation: &kg.RelationPredicate{Direction: "UP"}}},
		{Relations: &kg.RelationFilter{Types: []kg.RelationType{bad}}},
		{Relations: &kg.RelationFilter{EntityIDs: make([]string, kg.MaxBatch+1)}},
	} {
		_, err := s.Stats(context.Background(), q)
		var fe *kg.FieldErrors
		if !errors.As(err, &fe) {
			t.Errorf("%+v: %v, want field errors", q, err)
			continue
		}
		prefix := "entities"
		if q.Relations != nil {
			prefix = "relations"
		}
		if !strings.HasPrefix(fe.List[0].Field, prefix) {
			t.Errorf("%+v: field %q, want under %q", q, fe.List[0].Field, prefix)
		}
	}
}

// ---- benchmarks -------------------------------------------------------------------------------

// benchGraph is 100k entities and 300k relations: most ends uniform, a tenth of them on ten
// hubs (about 3 000 relations each), built in memory through the upserts in batches of 1000.
func benchGraph(b *testing.B) (*Store, int) {
	b.Helper()
	const n, m, hubs = 100_000, 300_000, 10
	ctx := context.Background()
	s := openT(b, "")
	if _, _, err := s.UpsertSources(ctx, []kg.SourceInput{{ID: "src:bench", Title: "bench"}}); err != nil {
		b.Fatal(err)
	}
	id := func(i int) string { return fmt.Sprintf("e:%06d", i) }
	batch := make([]kg.EntityInput, 0, kg.MaxBatch)
	for i := range n {
		batch = append(batch, kg.EntityInput{ID: id(i), Kind: kg.EntityKinds[i%len(kg.EntityKinds)], Name: id(i)})
		if len(batch) == kg.MaxBatch {
			if _, _, err := s.UpsertEntities(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	end := func() string {
		if rng.IntN(20) == 0 {
			return id(rng.IntN(hubs))
		}
		return id(rng.IntN(n))
	}
	types := []kg.RelationType{kg.RelSpokeWith, kg.RelMediated, kg.RelAttacked, kg.RelPartyTo}
	rels := make([]kg.RelationInput, 0, kg.MaxBatch)
	for i := range m {
		rels = append(rels, kg.RelationInput{ID: fmt.Sprintf("r:%06d", i), Type: types[i%len(types)], FromID: end(), ToID: end(),
			Status: kg.StatusConfirmed, SourceIDs: []string{"src:bench"}})
		if len(rels) == kg.MaxBatch {
			if _, _, err := s.UpsertRelations(ctx, rels); err != nil {
				b.Fatal(err)
			}
			rels = rels[:0]
		}
	}
	return s, n
}

func BenchmarkGraphQueries(b *testing.B) {
	ctx := context.Background()
	s, n := benchGraph(b)
	rng := rand.New(rand.NewPCG(2, 2))
	id := func() string { return fmt.Sprintf("e:%06d", 10+rng.IntN(n-10)) }
	b.Run("Neighborhood/depth2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Neighborhood(ctx, kg.NeighborhoodQuery{ID: id(), Depth: 2}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Neighborhood/depth2-hub", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Neighborhood(ctx, kg.NeighborhoodQuery{ID: "e:000003", Depth: 2}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Neighborhood/depth3-limit1000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Neighborhood(ctx, kg.NeighborhoodQuery{ID: id(), Depth: 3, Limit: kg.MaxNeighborhood}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Random pairs; paths/op says how many paths an average pair has within the depth.
	for _, bc := range []struct {
		name string
		q    kg.PathQuery
	}{
		{"one", kg.PathQuery{}},
		{"all-limit10", kg.PathQuery{All: true}},
		{"all-depth6-limit100", kg.PathQuery{All: true, MaxDepth: kg.MaxPathDepth, Limit: kg.MaxPathLimit}},
	} {
		b.Run("ShortestPaths/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			found := 0
			for b.Loop() {
				q := bc.q
				q.FromID, q.ToID = id(), id()
				ps, err := s.ShortestPaths(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				found += len(ps)
			}
			b.ReportMetric(float64(found)/float64(b.N), "paths/op")
		})
	}
	b.Run("Degrees/top10", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ds, err := s.Degrees(ctx, kg.DegreeQuery{})
			if err != nil || len(ds) != 10 {
				b.Fatal(err, len(ds))
			}
		}
	})
	b.Run("Degrees/top10-typed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Degrees(ctx, kg.DegreeQuery{Types: []kg.RelationType{kg.RelAttacked}, Direction: kg.DirectionIn}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Stats/all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Stats(ctx, kg.StatsQuery{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
