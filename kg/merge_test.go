package kg

import (
	"encoding/json"
	"testing"
)

// An input marshalled as a GraphQL variable says "clear" with null, as a client would.
func TestInputJSONWritesClearAsNull(t *testing.T) {
	b, err := json.Marshal(EntityInput{ID: "country:x", Kind: KindCountry, Name: "X", Clear: []string{"countryCode"}, Mode: ModeReplace})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if v, ok := m["countryCode"]; !ok || v != nil {
		t.Errorf("countryCode = %v (present %v), want null: %s", v, ok, b)
	}
	if _, ok := m["description"]; ok {
		t.Errorf("a field neither given nor cleared is in the JSON: %s", b)
	}
	if _, ok := m["Mode"]; ok || len(m) != 4 {
		t.Errorf("JSON = %s, want id, kind, name and countryCode only", b)
	}
}

// Merged keeps what the input leaves out, clears what it names, and takes given values.
func TestMergedRelation(t *testing.T) {
	conf := 0.5
	old := &Relation{ID: "r", Type: RelAttacked, FromID: "a", ToID: "b", Status: StatusClaimed, ClaimedByID: "c",
		SourceIDs: []string{"s"}, Quote: "q", Confidence: &conf, DisputesIDs: []string{"d"}}
	in := RelationInput{ID: "r", Type: RelAttacked, FromID: "a", ToID: "b", Status: StatusConfirmed,
		SourceIDs: []string{"s2"}, Clear: []string{"quote"}}
	got := in.Merged(old)
	if got.ClaimedByID != "c" || got.Quote != "" || got.Confidence != &conf || len(got.DisputesIDs) != 1 ||
		got.Status != StatusConfirmed || got.SourceIDs[0] != "s2" || got.Clear != nil {
		t.Errorf("Merged = %+v", got)
	}
	in.Mode = ModeReplace
	if got := in.Merged(old); got.ClaimedByID != "" || got.Confidence != nil {
		t.Errorf("Merged under replace kept fields: %+v", got)
	}
}
