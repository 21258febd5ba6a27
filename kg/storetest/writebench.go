package storetest

import (
	"context"
	"fmt"
	"slices"

	"github.com/factgraph/factgraph/kg"
)

// WriteWorkload is the write benchmark both stores run, so their items/s compare: 200
// sources, 2,000 entities and 6,000 relations created in batches of kg.MaxBatch, then every
// entity updated once (a changed description, merged).
type WriteWorkload struct {
	Sources   []kg.SourceInput
	Entities  []kg.EntityInput
	Relations []kg.RelationInput
	Updates   []kg.EntityInput
}

// NewWriteWorkload generates the workload deterministically.
func NewWriteWorkload() WriteWorkload {
	srcs, ents, rels := Generate(11, 2000, 6000, 20)
	updates := make([]kg.EntityInput, len(ents))
	for i, e := range ents {
		e.Description += " (revised)"
		updates[i] = e
	}
	return WriteWorkload{Sources: srcs, Entities: ents, Relations: rels, Updates: updates}
}

// Run writes the workload into s and returns how many items it wrote.
func (w WriteWorkload) Run(ctx context.Context, s kg.Store) (int, error) {
	if err := WriteAll(ctx, s, w.Sources, w.Entities, w.Relations); err != nil {
		return 0, err
	}
	for b := range slices.Chunk(w.Updates, kg.MaxBatch) {
		if _, _, err := s.UpsertEntities(ctx, b); err != nil {
			return 0, fmt.Errorf("UpsertEntities (updates): %w", err)
		}
	}
	return len(w.Sources) + len(w.Entities) + len(w.Relations) + len(w.Updates), nil
}
