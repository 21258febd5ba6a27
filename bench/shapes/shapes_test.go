package shapes

import (
	"strings"
	"testing"

	"github.com/factgraph/factgraph/bench/dataset"
)

// The same answer in each server's form must give the same canonical text, and a different
// answer a different one: the equivalence check relies on both.
func TestCanonAgreesAcrossServers(t *testing.T) {
	s := New(dataset.Generate(1, 200))
	byName := map[string]*Shape{}
	for _, sh := range s.Shapes {
		byName[sh.Name] = sh
	}
	cases := []struct {
		shape   string
		answers map[string]string
	}{
		{"q1", map[string]string{
			Factgraph: `{"data":{"entity":{"id":"e1","name":"A","kind":"PERSON","relations":{"edges":[{"node":{"id":"r1","type":"SPOKE_WITH","from":{"id":"e1","name":"A"},"to":{"id":"e2","name":"B"}}}]}}}}`,
			Anchor:    `{"data":{"entities":[{"id":"e1","name":"A","kind":"PERSON","firstRelations":[{"id":"r1","type":"SPOKE_WITH","fromId":"e1","fromName":"A","toId":"e2","toName":"B"}]}]}}`,
			Raw:       `{"data":{"id":"e1","name":"A","kind":"PERSON","relations":[{"id":"r1","type":"SPOKE_WITH","fromId":"e1","fromName":"A","toId":"e2","toName":"B"}]}}`,
		}},
		{"q4", map[string]string{
			Factgraph: `{"data":{"entity":{"id":"c1","name":"C","relations":{"edges":[{"node":{"id":"p1","to":{"id":"a1","name":"Acc","relations":{"edges":[{"node":{"id":"v1","to":{"id":"i1","name":"Plant"}}}]}}}}]}}}}`,
			Anchor:    `{"data":{"entities":[{"id":"c1","name":"C","partyToConnection":{"edges":[{"properties":{"id":"p1"},"node":{"id":"a1","name":"Acc","coversConnection":{"edges":[{"properties":{"id":"v1"},"node":{"id":"i1","name":"Plant"}}]}}}]}}]}}`,
			Raw:       `{"data":{"id":"c1","name":"C","parties":[{"id":"p1","toId":"a1","toName":"Acc","covers":[{"id":"v1","toId":"i1","toName":"Plant"}]}]}}`,
		}},
		{"q5", map[string]string{
			Factgraph: `{"data":{"entities":{"totalCount":42}}}`,
			Anchor:    `{"data":{"entitiesConnection":{"totalCount":42}}}`,
			Raw:       `{"data":42}`,
		}},
		{"search", map[string]string{
			Factgraph: `{"data":{"search":[{"score":1.23456,"entity":{"id":"e1","name":"A"}}]}}`,
			Anchor:    `{"data":{"searchEntities":[{"score":1.23456,"id":"e1","name":"A"}]}}`,
			Raw:       `{"data":[{"score":1.23456,"id":"e1","name":"A"}]}`,
		}},
	}
	for _, c := range cases {
		sh := byName[c.shape]
		want, err := sh.Canon(Factgraph, []byte(c.answers[Factgraph]))
		if err != nil || want == "" {
			t.Fatalf("%s factgraph: %q, %v", c.shape, want, err)
		}
		for _, server := range []string{Anchor, Raw} {
			got, err := sh.Canon(server, []byte(c.answers[server]))
			if err != nil || got != want {
				t.Errorf("%s %s: got %q, %v; want %q", c.shape, server, got, err, want)
			}
			// Another name is another answer.
			other, _ := sh.Canon(server, []byte(strings.Replace(c.answers[server], `"A"`, `"Z"`, 1)))
			if c.shape != "q5" && c.shape != "q4" && other == want {
				t.Errorf("%s %s: a changed answer canonicalises the same", c.shape, server)
			}
		}
	}
	// A GraphQL error is an error, not an empty answer.
	if _, err := byName["q1"].Canon(Factgraph, []byte(`{"errors":[{"message":"boom"}],"data":null}`)); err == nil {
		t.Error("an error response canonicalised")
	}
}
