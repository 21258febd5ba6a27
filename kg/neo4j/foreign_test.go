package neo4jstore

import (
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Data the server did not write, made with raw Cypher as LOAD CSV or a hand-written CREATE
// would: a bad value costs that value (read as absent, logged), never the listing it is in.
func TestDataNotWrittenByTheServer(t *testing.T) {
	s := openEmpty(t)
	ctx := t.Context()
	if _, _, err := s.UpsertSources(ctx, []kg.SourceInput{{ID: "source:a", Title: "A"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertEntities(ctx, []kg.EntityInput{
		{ID: "country:a", Kind: kg.KindCountry, Name: "A"}, {ID: "country:b", Kind: kg.KindCountry, Name: "B"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.UpsertRelations(ctx, []kg.RelationInput{{ID: "rel:good", Type: kg.RelAttacked, FromID: "country:a", ToID: "country:b",
		Status: kg.StatusConfirmed, SourceIDs: []string{"source:a"}}}); err != nil {
		t.Fatal(err)
	}
	_, err := writeTx(ctx, s, "foreign data", func(tx neo4j.ManagedTransaction) (bool, error) {
		for _, q := range []string{
			// occurredAt as LOAD CSV leaves it, a string; and one that is no date at all.
			`MATCH (a:Entity {id: 'country:a'}), (b:Entity {id: 'country:b'})
			 CREATE (a)-[:ATTACKED {id: 'rel:csv', status: 'CLAIMED', sourceIds: ['source:a'], t: 0, occurredAt: '2025-03-18', occurredAtPrecision: 'DAY'}]->(b),
			        (a)-[:ATTACKED {id: 'rel:junk', status: 'CLAIMED', sourceIds: ['source:a'], disputes: [1, 2], t: 0, occurredAt: 'last week', confidence: 'high', description: 7}]->(b)`,
			// A kind label without the kind property, and a wrongly typed description.
			`CREATE (:Entity:Person {id: 'person:nokind', name: 'No Kind', nameKey: '', description: 12, aliases: 'x'})`,
		} {
			if _, err := tx.Run(ctx, q, nil); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}

	page, err := s.Relations(ctx, kg.RelationQuery{First: 100})
	if err != nil {
		t.Fatalf("unfiltered relations over foreign data: %v", err)
	}
	byID := map[string]*kg.Relation{}
	for _, r := range page.Items {
		byID[r.ID] = r
	}
	if r := byID["rel:csv"]; r == nil || r.OccurredAt == nil || r.OccurredAt.At.Format("2006-01-02") != "2025-03-18" || r.OccurredAt.Precision != kg.PrecisionDay {
		t.Errorf("a string date: %+v", r)
	}
	if r := byID["rel:junk"]; r == nil || r.OccurredAt != nil || r.Confidence != nil || r.Description != "" || len(r.SourceIDs) != 1 || r.DisputesIDs != nil {
		t.Errorf("junk values are read as absent: %+v", r)
	}
	if byID["rel:good"] == nil {
		t.Errorf("the good relation is missing")
	}
	for _, r := range page.Items {
		if r.ID == "" || !r.Status.Valid() || !r.Type.Valid() {
			t.Errorf("invalid relation served: %+v", r)
		}
	}

	es, err := s.EntitiesByIDs(ctx, []string{"person:nokind"})
	if err != nil || len(es) != 1 || es[0] == nil {
		t.Fatalf("entity without kind property: %v %v", es, err)
	}
	if e := es[0]; e.Kind != kg.KindPerson || e.Description != "" || e.Aliases != nil {
		t.Errorf("kind from the label, bad values absent: %+v", e)
	}
	if _, err := s.Entities(ctx, kg.EntityQuery{First: 100}); err != nil {
		t.Errorf("unfiltered entities over foreign data: %v", err)
	}
	if _, err := s.Stats(ctx, kg.StatsQuery{}); err != nil {
		t.Errorf("stats over foreign data: %v", err)
	}
}
