package embedded

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// refErrs collects references to ids that do not exist, for a kg.FieldErrors naming each.
type refErrs []kg.FieldError

func (e *refErrs) missing(field, what, id string) {
	*e = append(*e, kg.FieldError{Field: field, Message: fmt.Sprintf("%s %q does not exist", what, id)})
}

func (e refErrs) err() error {
	if len(e) == 0 {
		return nil
	}
	return &kg.FieldErrors{List: e}
}

// checkSources reports every source id in ids that is not stored.
func (g *graph) checkSources(errs *refErrs, field string, ids []string) {
	for j, id := range ids {
		if g.sources[id] == nil {
			errs.missing(fmt.Sprintf("%s[%d]", field, j), "source", id)
		}
	}
}

// entity returns the stored entity with id, or nil.
func (g *graph) entity(id string) *kg.Entity {
	if row := g.entities[id]; row != nil {
		return row.e
	}
	return nil
}

// relation returns the stored relation with id, or nil.
func (g *graph) relation(id string) *kg.Relation {
	if row := g.relations[id]; row != nil {
		return row.r
	}
	return nil
}

// UpsertSources creates or merges into sources by id (see kg.UpsertMode).
func (s *Store) UpsertSources(ctx context.Context, in []kg.SourceInput) ([]*kg.Source, kg.WriteCounts, error) {
	norm, err := kg.NormalizeSources(in)
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	defer s.mu.Unlock()

	if norm, err = kg.MergeSources(norm, func(id string) *kg.Source { return s.g.sources[id] }); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	now := s.stamp()
	c := change{at: now}
	var counts kg.WriteCounts
	out := make([]*kg.Source, len(norm))
	for i, n := range norm {
		old := s.g.sources[n.ID]
		switch {
		case old == nil:
			counts.Created++
			out[i] = cloneSource(n.Source(now, now))
			c.sources = append(c.sources, out[i])
		case old.Same(n):
			counts.Unchanged++
			out[i] = old
		default:
			counts.Updated++
			out[i] = cloneSource(n.Source(old.CreatedAt, now))
			c.sources = append(c.sources, out[i])
		}
	}
	if err := s.commit(ctx, &c); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	for i := range out {
		out[i] = cloneSource(out[i])
	}
	return out, counts, nil
}

// UpsertEntities creates or merges into entities by id (see kg.UpsertMode). Every source they cite must exist.
func (s *Store) UpsertEntities(ctx context.Context, in []kg.EntityInput) ([]*kg.Entity, kg.WriteCounts, error) {
	norm, err := kg.NormalizeEntities(in)
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	defer s.mu.Unlock()

	if norm, err = kg.MergeEntities(norm, s.g.entity); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	var errs refErrs
	for i, n := range norm {
		s.g.checkSources(&errs, fmt.Sprintf("input[%d].sourceIds", i), n.SourceIDs)
	}
	if err := errs.err(); err != nil {
		return nil, kg.WriteCounts{}, err
	}

	now := s.stamp()
	c := change{at: now}
	var counts kg.WriteCounts
	out := make([]*kg.Entity, len(norm))
	for i, n := range norm {
		var old *kg.Entity
		if row := s.g.entities[n.ID]; row != nil {
			old = row.e
		}
		switch {
		case old == nil:
			counts.Created++
			out[i] = cloneEntity(n.Entity(now, now))
			c.entities = append(c.entities, out[i])
		case old.Same(n):
			counts.Unchanged++
			out[i] = old
		default:
			counts.Updated++
			out[i] = cloneEntity(n.Entity(old.CreatedAt, now))
			c.entities = append(c.entities, out[i])
		}
	}
	if err := s.commit(ctx, &c); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	for i := range out {
		out[i] = cloneEntity(out[i])
	}
	return out, counts, nil
}

// UpsertRelations creates or merges into relations by id (see kg.UpsertMode). Their ends, claimant and sources must
// exist; a relation may dispute one that exists or one written in the same call.
func (s *Store) UpsertRelations(ctx context.Context, in []kg.RelationInput) ([]*kg.Relation, kg.WriteCounts, error) {
	norm, err := kg.NormalizeRelations(in)
	if err != nil {
		return nil, kg.WriteCounts{}, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	defer s.mu.Unlock()

	if norm, err = kg.MergeRelations(norm, s.g.relation); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	inBatch := make(map[string]bool, len(norm))
	for _, n := range norm {
		inBatch[n.ID] = true
	}
	var errs refErrs
	for i, n := range norm {
		f := fmt.Sprintf("input[%d]", i)
		if s.g.entities[n.FromID] == nil {
			errs.missing(f+".from", "entity", n.FromID)
		}
		if s.g.entities[n.ToID] == nil {
			errs.missing(f+".to", "entity", n.ToID)
		}
		if n.ClaimedByID != "" && s.g.entities[n.ClaimedByID] == nil {
			errs.missing(f+".claimedBy", "entity", n.ClaimedByID)
		}
		s.g.checkSources(&errs, f+".sourceIds", n.SourceIDs)
		for j, d := range n.DisputesIDs {
			if s.g.relations[d] == nil && !inBatch[d] {
				errs.missing(fmt.Sprintf("%s.disputes[%d]", f, j), "relation", d)
			}
		}
	}
	if err := errs.err(); err != nil {
		return nil, kg.WriteCounts{}, err
	}

	now := s.stamp()
	c := change{at: now}
	var counts kg.WriteCounts
	out := make([]*kg.Relation, len(norm))
	for i, n := range norm {
		var old *kg.Relation
		if row := s.g.relations[n.ID]; row != nil {
			old = row.r
		}
		switch {
		case old == nil:
			counts.Created++
			out[i] = cloneRelation(n.Relation(now, now))
			c.relations = append(c.relations, out[i])
		case old.Same(n):
			counts.Unchanged++
			out[i] = old
		default:
			counts.Updated++
			out[i] = cloneRelation(n.Relation(old.CreatedAt, now))
			c.relations = append(c.relations, out[i])
		}
	}
	if err := s.commit(ctx, &c); err != nil {
		return nil, kg.WriteCounts{}, err
	}
	for i := range out {
		out[i] = cloneRelation(out[i])
	}
	return out, counts, nil
}

// DeleteEntity deletes an entity and, with detach, the relations from or to it.
func (s *Store) DeleteEntity(ctx context.Context, id string, detach bool) (int, error) {
	id, err := kg.NormalizeID("id", id)
	if err != nil {
		return 0, err
	}
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()

	if s.g.entities[id] == nil {
		return 0, kg.NotFound("entity", id)
	}
	attached := s.g.relationsOf(id, kg.DirectionBoth)
	// A claim attributed to this entity would lose its provenance; that holds even with
	// detach, unless the claim is itself one of the relations detach deletes.
	var claims []string
	for rid := range s.g.claims[id] {
		if r := s.g.relations[rid].r; !detach || (r.FromID != id && r.ToID != id) {
			claims = append(claims, rid)
		}
	}
	if len(claims) > 0 {
		slices.Sort(claims)
		return 0, kg.Conflict("entity %q is the claimedBy of %d relations (first %q); delete or re-attribute them first",
			id, len(claims), claims[0])
	}
	if len(attached) > 0 && !detach {
		return 0, kg.Conflict("entity %q has %d relations; delete them or pass detach: true", id, len(attached))
	}
	now := s.stamp()
	c := change{at: now, deleteEntities: []string{id}, deleteRelations: attached}
	c.relations = s.g.withoutDisputes(attached, now)
	if err := s.commit(ctx, &c); err != nil {
		return 0, err
	}
	return len(attached), nil
}

// DeleteRelation deletes one relation.
func (s *Store) DeleteRelation(ctx context.Context, id string) error {
	id, err := kg.NormalizeID("id", id)
	if err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()

	if s.g.relations[id] == nil {
		return kg.NotFound("relation", id)
	}
	deleted := []string{id}
	now := s.stamp()
	c := change{at: now, deleteRelations: deleted, relations: s.g.withoutDisputes(deleted, now)}
	return s.commit(ctx, &c)
}

// withoutDisputes returns new versions of the surviving relations that dispute any of the
// deleted ones, with those ids dropped from DisputesIDs (and updatedAt moved to now).
//
// Deleting a disputed relation therefore never leaves a dangling disputes reference, which
// every reader would otherwise have to tolerate; the disputing relation itself, with its own
// sources, stays. The alternative, refusing the delete as a conflict, would make a retracted
// claim impossible to remove once someone had disputed it.
func (g *graph) withoutDisputes(deleted []string, now time.Time) []*kg.Relation {
	gone := make(map[string]bool, len(deleted))
	for _, id := range deleted {
		gone[id] = true
	}
	seen := map[string]bool{}
	var disputers []string
	for _, id := range deleted {
		for rid := range g.disputedBy[id] {
			if !gone[rid] && !seen[rid] {
				seen[rid] = true
				disputers = append(disputers, rid)
			}
		}
	}
	slices.Sort(disputers)
	out := make([]*kg.Relation, 0, len(disputers))
	for _, rid := range disputers {
		r := cloneRelation(g.relations[rid].r)
		r.DisputesIDs = slices.DeleteFunc(r.DisputesIDs, func(d string) bool { return gone[d] })
		if len(r.DisputesIDs) == 0 {
			r.DisputesIDs = nil // as kg.Normalize* would give it, so Same keeps working
		}
		r.UpdatedAt = now
		out = append(out, r)
	}
	return out
}
