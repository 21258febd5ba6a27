package kg

import (
	"context"
	"time"
)

// Store is the graph's storage. There are two: kg/neo4j over a Neo4j database and kg/embedded
// in process; kg/storetest holds them to one contract.
//
// Writes of one call are all-or-nothing: if any item is invalid or refers to an id that does
// not exist, nothing is written and the error names every bad field. Upserts are idempotent:
// an item is created, updated, or left unchanged if writing it would change nothing. An
// update merges the input into the stored item or replaces it whole, as the input's Mode
// says (kg.UpsertMode; merge by default). A relation may dispute one written in the same call.
//
// Queries check their arguments themselves (filters with Check, orderings with Normalize,
// cursors with Decode, search with Check) and report bad ones as invalid input; a zero
// ordering is the default one. kg/storetest holds every Store to these rules.
type Store interface {
	// EntitiesByIDs returns the entities with these ids, in the same order; nil where an id
	// does not exist. It is the batch function of the entity dataloader.
	EntitiesByIDs(ctx context.Context, ids []string) ([]*Entity, error)
	RelationsByIDs(ctx context.Context, ids []string) ([]*Relation, error)
	SourcesByIDs(ctx context.Context, ids []string) ([]*Source, error)

	Entities(ctx context.Context, q EntityQuery) (*EntityPage, error)
	Relations(ctx context.Context, q RelationQuery) (*RelationPage, error)
	Sources(ctx context.Context, q SourceQuery) (*SourcePage, error)
	// Neighbors returns one page of relations per entity id (an entry for every id asked).
	Neighbors(ctx context.Context, q NeighborQuery) (map[string]*RelationPage, error)
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, error)
	// Stats counts the graph, or the part a StatsQuery selects.
	Stats(ctx context.Context, q StatsQuery) (*Stats, error)

	// Neighborhood returns the subgraph around an entity (see Subgraph for the exact rules
	// both stores follow); a missing centre is not found.
	Neighborhood(ctx context.Context, q NeighborhoodQuery) (*Subgraph, error)
	// ShortestPaths returns one shortest path (q.All false) or every shortest path up to
	// q.Limit, sorted by PathKey; none when the ends are more than q.MaxDepth apart. A
	// missing end is not found; from == to is one path of no relations.
	ShortestPaths(ctx context.Context, q PathQuery) ([]Path, error)
	// Degrees returns the most connected entities.
	Degrees(ctx context.Context, q DegreeQuery) ([]EntityDegree, error)

	UpsertEntities(ctx context.Context, in []EntityInput) ([]*Entity, WriteCounts, error)
	UpsertSources(ctx context.Context, in []SourceInput) ([]*Source, WriteCounts, error)
	UpsertRelations(ctx context.Context, in []RelationInput) ([]*Relation, WriteCounts, error)
	// DeleteEntity deletes an entity. With detach it also deletes the relations from or to
	// it and returns how many; without, an entity that still has relations is a conflict.
	// An entity that relations cite as claimedBy is always a conflict: deleting it would strip
	// other claims of their provenance. (Claims on relations that the detach deletes along
	// with the entity do not count.)
	DeleteEntity(ctx context.Context, id string, detach bool) (deletedRelations int, err error)
	// DeleteRelation deletes one relation. A deleted relation's id, here or by a detach, is
	// dropped from the DisputesIDs of the relations that disputed it.
	DeleteRelation(ctx context.Context, id string) error

	// History returns the revisions of one object, oldest first, after q.After (see
	// kg/history.go). Every write appends one revision per object it creates, changes or
	// deletes, in its own transaction, numbered by one store-wide sequence in commit order.
	History(ctx context.Context, q HistoryQuery) (*RevisionPage, error)
	// AsOf returns the revision of an object in force at instant at: its last revision at or
	// before at, or nil when it has none by then. A tombstone means it was deleted by then.
	// An instant before the retention horizon (see PruneHistory) is invalid input.
	AsOf(ctx context.Context, object ObjectType, id string, at time.Time) (*Revision, error)
	// Changes returns the store-wide revisions after q.After that q.Filter keeps, in sequence
	// order. The page's Through is the sequence number to continue after: past revisions the
	// filter dropped, so a poller does not examine them again. After a sequence number that
	// pruning has passed is invalid input: the caller would miss changes.
	Changes(ctx context.Context, q ChangesQuery) (*RevisionPage, error)
	// PruneHistory applies a retention horizon: it deletes the revisions older than before
	// that a later revision of the same object supersedes, and old tombstones with every
	// revision of their object, so that asOf stays exact from before on. It returns how many
	// revisions went.
	PruneHistory(ctx context.Context, before time.Time) (int, error)

	// Ping checks that the store can serve requests.
	Ping(ctx context.Context) error
	Close(ctx context.Context) error
}

// GetEntity returns one entity, or a not-found error.
func GetEntity(ctx context.Context, s Store, id string) (*Entity, error) {
	es, err := s.EntitiesByIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if es[0] == nil {
		return nil, NotFound("entity", id)
	}
	return es[0], nil
}

// GetRelation returns one relation, or a not-found error.
func GetRelation(ctx context.Context, s Store, id string) (*Relation, error) {
	rs, err := s.RelationsByIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if rs[0] == nil {
		return nil, NotFound("relation", id)
	}
	return rs[0], nil
}

// GetSource returns one source, or a not-found error.
func GetSource(ctx context.Context, s Store, id string) (*Source, error) {
	ss, err := s.SourcesByIDs(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if ss[0] == nil {
		return nil, NotFound("source", id)
	}
	return ss[0], nil
}
