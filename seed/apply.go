package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/factgraph/factgraph/kg"
)

// DefaultBatchSize is the batch size Apply uses when given none.
const DefaultBatchSize = 200

// Result says what Apply did, per stage.
type Result struct {
	Sources, Entities, Relations kg.WriteCounts
}

// Total adds up the three stages.
func (r Result) Total() kg.WriteCounts {
	return kg.WriteCounts{
		Created:   r.Sources.Created + r.Entities.Created + r.Relations.Created,
		Updated:   r.Sources.Updated + r.Entities.Updated + r.Relations.Updated,
		Unchanged: r.Sources.Unchanged + r.Entities.Unchanged + r.Relations.Unchanged,
	}
}

func (r Result) String() string {
	f := func(name string, c kg.WriteCounts) string {
		return fmt.Sprintf("%s %d created, %d updated, %d unchanged", name, c.Created, c.Updated, c.Unchanged)
	}
	return strings.Join([]string{f("sources", r.Sources), f("entities", r.Entities), f("relations", r.Relations)}, "; ")
}

// The stage names Apply passes to its progress callback.
const (
	StageSources   = "sources"
	StageEntities  = "entities"
	StageRelations = "relations"
)

// Writer is the name history records for what Apply writes when the caller names no one.
const Writer = "factgraph-seed"

// Apply validates the bundle and writes it to the store: sources, then entities, then
// relations (each stage needs the previous one's ids), in batches of batchSize (0 means
// DefaultBatchSize; at most kg.MaxBatch). The store's upserts are idempotent, so applying the
// same bundle twice reports everything unchanged the second time.
//
// Relations are written after the relations they dispute; relations that dispute each other
// in a cycle go into one batch, which stores accept (a relation may dispute one written in
// the same call). progress, if not nil, is called after every batch with the stage and how
// many of its items are written.
//
// Each batch is its own write: if one fails, earlier batches stay written (re-running after a
// fix is safe) and the error names the failing items by file and line where it can.
func Apply(ctx context.Context, s kg.Store, b *Bundle, batchSize int, progress func(stage string, done, total int)) (Result, error) {
	var res Result
	if err := b.Validate(); err != nil {
		return res, err
	}
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	batchSize = min(batchSize, kg.MaxBatch)
	// The history names who wrote each revision; the loader acting on its own says so.
	if kg.WriterFrom(ctx) == "" {
		ctx = kg.WithWriter(ctx, Writer)
	}
	report := func(stage string, done, total int) {
		if progress != nil {
			progress(stage, done, total)
		}
	}

	// Sources and entities have no references among themselves: plain batches.
	for lo := 0; lo < len(b.Sources); lo += batchSize {
		hi := min(lo+batchSize, len(b.Sources))
		_, c, err := s.UpsertSources(ctx, b.Sources[lo:hi])
		if err != nil {
			return res, writeError(err, StageSources, lo, nil, b.SourceOrigins, func(i int) string { return b.Sources[i].ID })
		}
		add(&res.Sources, c)
		report(StageSources, hi, len(b.Sources))
	}
	for lo := 0; lo < len(b.Entities); lo += batchSize {
		hi := min(lo+batchSize, len(b.Entities))
		_, c, err := s.UpsertEntities(ctx, b.Entities[lo:hi])
		if err != nil {
			return res, writeError(err, StageEntities, lo, nil, b.EntityOrigins, func(i int) string { return b.Entities[i].ID })
		}
		add(&res.Entities, c)
		report(StageEntities, hi, len(b.Entities))
	}

	done := 0
	for _, batch := range relationBatches(b.Relations, batchSize) {
		in := make([]kg.RelationInput, len(batch))
		for k, i := range batch {
			in[k] = b.Relations[i]
		}
		_, c, err := s.UpsertRelations(ctx, in)
		if err != nil {
			return res, writeError(err, StageRelations, 0, batch, b.RelationOrigins, func(i int) string { return b.Relations[i].ID })
		}
		add(&res.Relations, c)
		done += len(batch)
		report(StageRelations, done, len(b.Relations))
	}
	return res, nil
}

func add(sum *kg.WriteCounts, c kg.WriteCounts) {
	sum.Created += c.Created
	sum.Updated += c.Updated
	sum.Unchanged += c.Unchanged
}

// writeError locates a store's invalid-input error in the seed files; other errors (the
// store is down, the context ended) are wrapped with the stage.
func writeError(err error, stage string, offset int, order []int, origins []Origin, idAt func(int) string) error {
	var fe *kg.FieldErrors
	if errors.As(err, &fe) {
		var errs problems
		remap(&errs, fe, stage, offset, order, origins, idAt)
		return fmt.Errorf("seed: writing %s: %w", stage, errs.err())
	}
	return fmt.Errorf("seed: writing %s: %w", stage, err)
}

// RelationBatches splits the bundle's relations into batches of at most size (0 means
// DefaultBatchSize) such that every relation comes in the same batch as, or a later batch
// than, the relations it disputes; stores accept a dispute of a relation written in the same
// call, so writing the batches in order never fails on a disputes reference. The seed CLI
// uses it to batch its mutations the way Apply batches store calls.
func (b *Bundle) RelationBatches(size int) [][]kg.RelationInput {
	if size <= 0 {
		size = DefaultBatchSize
	}
	var out [][]kg.RelationInput
	for _, batch := range relationBatches(b.Relations, size) {
		in := make([]kg.RelationInput, len(batch))
		for k, i := range batch {
			in[k] = b.Relations[i]
		}
		out = append(out, in)
	}
	return out
}

// relationBatches orders relations so that each comes after the relations it disputes and
// packs them into batches of at most size, keeping every dispute cycle (a strongly connected
// component of the disputes graph) in one batch. It returns indexes into rels, in bundle
// order where the disputes allow.
func relationBatches(rels []kg.RelationInput, size int) [][]int {
	index := make(map[string]int, len(rels))
	for i, r := range rels {
		index[strings.TrimSpace(r.ID)] = i
	}
	deps := func(i int) []int {
		var out []int
		for _, d := range rels[i].DisputesIDs {
			if j, ok := index[strings.TrimSpace(d)]; ok && j != i {
				out = append(out, j)
			}
		}
		return out
	}

	// Tarjan's algorithm emits each component after every component it depends on.
	var (
		comps   [][]int
		stack   []int
		onStack = make([]bool, len(rels))
		num     = make([]int, len(rels)) // 0 = unvisited
		low     = make([]int, len(rels))
		next    = 1
	)
	var visit func(v int)
	visit = func(v int) {
		num[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range deps(v) {
			if num[w] == 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], num[w])
			}
		}
		if low[v] == num[v] {
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			comps = append(comps, comp)
		}
	}
	for v := range rels {
		if num[v] == 0 {
			visit(v)
		}
	}

	var batches [][]int
	var cur []int
	for _, comp := range comps {
		if len(cur) > 0 && len(cur)+len(comp) > size {
			batches = append(batches, cur)
			cur = nil
		}
		// A cycle larger than a batch still goes in whole; the store rejects it only if it
		// exceeds kg.MaxBatch, and then with a clear error.
		cur = append(cur, comp...)
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}
