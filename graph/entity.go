package graph

import (
	"context"

	"github.com/factgraph/factgraph/kg"
)

// Node is any value the schema's Node interface resolves to: an entity type, *kg.Relation or
// *kg.Source. gqlgen's generated type switch picks the GraphQL type.
type Node any

// Entity is one of the per-kind GraphQL types. The store keeps one kg.Entity struct for every
// kind; these thin wrappers give each kind its own GraphQL type, and the methods on entity
// (promoted into each) resolve the fields all kinds share.
type Entity interface {
	domain() *kg.Entity
}

type entity struct{ *kg.Entity }

func (e entity) domain() *kg.Entity { return e.Entity }

// Sources resolves Entity.sources through the request's source loader.
func (e entity) Sources(ctx context.Context) ([]*kg.Source, error) {
	return loadersFrom(ctx).sources(ctx, e.SourceIDs)
}

// Relations resolves Entity.relations: one page of the entity's relations, batched with the
// same field of every other entity in the response.
func (e entity) Relations(ctx context.Context, types []kg.RelationType, direction *kg.Direction, first *int, after *string) (*RelationConnection, error) {
	q, err := neighborQuery(types, direction, first, after, !selectionOf(ctx).total())
	if err != nil {
		return nil, err
	}
	page, err := loadersFrom(ctx).neighbors(ctx, q, e.ID)
	if err != nil {
		return nil, err
	}
	return relationConnection(page, kg.NeighborOrder), nil
}

// Degree resolves Entity.degree: the total of a one-item-less page, batched like relations.
func (e entity) Degree(ctx context.Context, types []kg.RelationType, direction *kg.Direction) (int, error) {
	q, err := neighborQuery(types, direction, new(int), nil, false)
	if err != nil {
		return 0, err
	}
	page, err := loadersFrom(ctx).neighbors(ctx, q, e.ID)
	if err != nil {
		return 0, err
	}
	return page.TotalCount, nil
}

// related returns every relation of the entity in one direction with one type; the typed
// shortcuts (offices, parties, attacks...) are built on it. The first page comes through the
// batched loader; the rare entity with more than a page of them is paged through directly.
func (e entity) related(ctx context.Context, d kg.Direction, t kg.RelationType) ([]*kg.Relation, error) {
	l := loadersFrom(ctx)
	q := kg.NeighborQuery{Direction: d, Types: []kg.RelationType{t}, First: kg.MaxPageSize}
	page, err := l.neighbors(ctx, q, e.ID)
	if err != nil {
		return nil, err
	}
	out := page.Items
	for page.HasNextPage && len(page.Items) > 0 {
		q.EntityIDs, q.After = []string{e.ID}, kg.NeighborOrder.Cursor(page.Items[len(page.Items)-1])
		pages, err := l.store.Neighbors(ctx, q)
		if err != nil {
			return nil, err
		}
		page = pages[e.ID]
		out = append(out, page.Items...)
	}
	return out, nil
}

// ends loads the entity at the far end of each relation.
func (e entity) ends(ctx context.Context, d kg.Direction, t kg.RelationType) ([]Entity, error) {
	rels, err := e.related(ctx, d, t)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(rels))
	for i, r := range rels {
		ids[i] = r.ToID
		if d == kg.DirectionIn {
			ids[i] = r.FromID
		}
	}
	return loadersFrom(ctx).entities(ctx, dedupe(ids))
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Person is the GraphQL type of PERSON entities.
type Person struct{ entity }

// Offices resolves Person.offices.
func (p Person) Offices(ctx context.Context) ([]*kg.Relation, error) {
	return p.related(ctx, kg.DirectionOut, kg.RelHoldsOffice)
}

// Country is the GraphQL type of COUNTRY entities.
type Country struct{ entity }

// Organization is the GraphQL type of ORGANIZATION entities.
type Organization struct{ entity }

// Agreement is the GraphQL type of AGREEMENT entities.
type Agreement struct{ entity }

// Parties resolves Agreement.parties.
func (a Agreement) Parties(ctx context.Context) ([]Entity, error) {
	return a.ends(ctx, kg.DirectionIn, kg.RelPartyTo)
}

// Covers resolves Agreement.covers.
func (a Agreement) Covers(ctx context.Context) ([]Entity, error) {
	return a.ends(ctx, kg.DirectionOut, kg.RelCovers)
}

// Violations resolves Agreement.violations.
func (a Agreement) Violations(ctx context.Context) ([]*kg.Violation, error) {
	return violations(ctx, loadersFrom(ctx).store, a.ID)
}

// Infrastructure is the GraphQL type of INFRASTRUCTURE entities.
type Infrastructure struct{ entity }

// Attacks resolves Infrastructure.attacks.
func (i Infrastructure) Attacks(ctx context.Context) ([]*kg.Relation, error) {
	return i.related(ctx, kg.DirectionIn, kg.RelAttacked)
}

// Location is the GraphQL type of LOCATION entities.
type Location struct{ entity }

// Event is the GraphQL type of EVENT entities.
type Event struct{ entity }

// Participants resolves Event.participants.
func (e Event) Participants(ctx context.Context) ([]Entity, error) {
	return e.ends(ctx, kg.DirectionIn, kg.RelParticipatedIn)
}

// wrap gives a domain entity its GraphQL type; nil stays nil.
func wrap(e *kg.Entity) Entity {
	if e == nil {
		return nil
	}
	base := entity{e}
	switch e.Kind {
	case kg.KindPerson:
		return Person{base}
	case kg.KindCountry:
		return Country{base}
	case kg.KindOrganization:
		return Organization{base}
	case kg.KindAgreement:
		return Agreement{base}
	case kg.KindInfrastructure:
		return Infrastructure{base}
	case kg.KindLocation:
		return Location{base}
	default:
		return Event{base}
	}
}
