package dataset

import (
	"reflect"
	"testing"

	"github.com/factgraph/factgraph/kg"
)

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	const n = 3000
	d := Generate(7, n)
	if again := Generate(7, n); !reflect.DeepEqual(d, again) {
		t.Fatal("two data sets from one seed differ")
	}
	if other := Generate(8, n); reflect.DeepEqual(d.Relations, other.Relations) {
		t.Fatal("another seed gave the same relations")
	}
	if len(d.Entities) != n {
		t.Fatalf("%d entities, want %d", len(d.Entities), n)
	}
	for _, k := range kg.EntityKinds {
		if len(d.ByKind[k]) == 0 {
			t.Errorf("no %s", k)
		}
	}
	if c := len(d.ByKind[kg.KindCountry]); c < 5 || c > n/50 {
		t.Errorf("%d countries", c)
	}
	// Every input passes the API's validation, in the batches the loader sends.
	if _, err := kg.NormalizeSources(d.Sources); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(d.Entities); i += kg.MaxBatch {
		if _, err := kg.NormalizeEntities(d.Entities[i:min(i+kg.MaxBatch, len(d.Entities))]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(d.Relations); i += kg.MaxBatch {
		if _, err := kg.NormalizeRelations(d.Relations[i:min(i+kg.MaxBatch, len(d.Relations))]); err != nil {
			t.Fatal(err)
		}
	}

	ents := map[string]bool{}
	for _, e := range d.Entities {
		if ents[e.ID] {
			t.Fatalf("duplicate entity %s", e.ID)
		}
		ents[e.ID] = true
	}
	srcs := map[string]bool{}
	for _, s := range d.Sources {
		srcs[s.ID] = true
	}
	seen := map[string]bool{}
	types := map[kg.RelationType]bool{}
	degree := map[string]int{}
	for _, r := range d.Relations {
		if !ents[r.FromID] || !ents[r.ToID] || r.FromID == r.ToID {
			t.Fatalf("relation %s: bad ends %s -> %s", r.ID, r.FromID, r.ToID)
		}
		if r.ClaimedByID != "" && !ents[r.ClaimedByID] {
			t.Fatalf("relation %s: claimant %s does not exist", r.ID, r.ClaimedByID)
		}
		if len(r.SourceIDs) < 1 || len(r.SourceIDs) > 3 {
			t.Fatalf("relation %s: %d sources", r.ID, len(r.SourceIDs))
		}
		for _, s := range r.SourceIDs {
			if !srcs[s] {
				t.Fatalf("relation %s: source %s does not exist", r.ID, s)
			}
		}
		for _, x := range r.DisputesIDs {
			if !seen[x] {
				t.Fatalf("relation %s disputes %s, which comes later or not at all", r.ID, x)
			}
		}
		if seen[r.ID] {
			t.Fatalf("duplicate relation %s", r.ID)
		}
		seen[r.ID] = true
		types[r.Type] = true
		degree[r.FromID]++
		degree[r.ToID]++
	}
	for _, tp := range templates {
		if !types[tp.typ] {
			t.Errorf("no %s relation", tp.typ)
		}
	}
	if d.Disputes == 0 {
		t.Error("no disputes")
	}
	for _, h := range d.Hubs {
		if degree[h] < HubDegree(n) {
			t.Errorf("hub %s has degree %d, want at least %d", h, degree[h], HubDegree(n))
		}
	}
	if per := float64(len(d.Relations)) / n; per < 3.5 || per > 5 {
		t.Errorf("%.2f relations per entity", per)
	}
}
