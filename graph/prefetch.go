package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/factgraph/factgraph/kg"
	"github.com/vektah/gqlparser/v2/ast"
)

// Look-ahead. gqlgen resolves a response field by field, each list item in its own
// goroutine, and the dataloaders batch what those goroutines ask for only by waiting a little
// (batchWait) at every level for the siblings to join. A resolver at the top of a response
// knows better: the query's selection set says what will be asked below it. prefetch walks
// that selection from the entities or relations such a resolver returns, level by level, and
// loads each level for all of them in one store call per distinct question — the relations
// pages of every entity that selects `relations` or `degree`, the entities at the ends of
// every relation that selects `from`, `to` or `claimedBy`, the sources of everything that
// selects `sources` — priming the request's loaders with the answers. The field resolvers
// then find their data in the loaders' caches and return at once, so a nested query costs one
// store call per level, whatever the number of items, and no level waits.
//
// prefetch only ever reads what the resolvers would read; if it fails, or a field's
// arguments are invalid, it stops, and the resolvers load (and report) as they would have.

// entityTask is a set of entities whose GraphQL selection is sel.
type entityTask struct {
	entities []*kg.Entity
	sel      ast.SelectionSet
}

// relationTask is a set of relations whose GraphQL selection is sel.
type relationTask struct {
	relations []*kg.Relation
	sel       ast.SelectionSet
}

// prefetchFromEntities primes the loaders with es and looks ahead from them along sel.
func prefetchFromEntities(ctx context.Context, es []*kg.Entity, sel ast.SelectionSet) {
	l := loadersFrom(ctx)
	for _, e := range es {
		if e != nil {
			l.entity.Prime(e.ID, e)
		}
	}
	l.prefetch(ctx, graphql.GetOperationContext(ctx), []entityTask{{entities: es, sel: sel}}, nil)
}

// prefetchFromRelations looks ahead from rs along sel.
func prefetchFromRelations(ctx context.Context, rs []*kg.Relation, sel ast.SelectionSet) {
	loadersFrom(ctx).prefetch(ctx, graphql.GetOperationContext(ctx), nil, []relationTask{{relations: rs, sel: sel}})
}

// prefetch runs the look-ahead breadth first: each round loads, for all pending tasks at
// once, the relation pages the entities select and the entities and sources the relations
// select, then continues from what it loaded. Rounds are bounded by the query's depth.
func (l *loaders) prefetch(ctx context.Context, op *graphql.OperationContext, ets []entityTask, rts []relationTask) {
	for len(ets) > 0 || len(rts) > 0 {
		if ctx.Err() != nil {
			return
		}
		var sourceIDs []string
		// Relations → the entities at their ends (and their sources).
		var ends []pendingEnds
		var endIDs []string
		for _, t := range rts {
			for _, f := range graphql.CollectFields(op, t.sel, []string{"Relation", "Node"}) {
				var ids []string
				for _, r := range t.relations {
					switch f.Name {
					case "from":
						ids = append(ids, r.FromID)
					case "to":
						ids = append(ids, r.ToID)
					case "claimedBy":
						if r.ClaimedByID != "" {
							ids = append(ids, r.ClaimedByID)
						}
					case "sources":
						sourceIDs = append(sourceIDs, r.SourceIDs...)
					}
				}
				if len(ids) > 0 {
					ends = append(ends, pendingEnds{ids: dedupe(ids), sel: f.Selections})
					endIDs = append(endIDs, ids...)
				}
			}
		}
		found, ok := l.loadEntities(ctx, dedupe(endIDs))
		if !ok {
			return
		}
		for _, p := range ends {
			es := make([]*kg.Entity, 0, len(p.ids))
			for _, id := range p.ids {
				if e := found[id]; e != nil {
					es = append(es, e)
				}
			}
			ets = append(ets, entityTask{entities: es, sel: p.sel})
		}

		// Entities → their relation pages (and their sources).
		shapes := map[*neighborShape]bool{}
		byKey := map[string]*neighborShape{}
		type use struct {
			shape *neighborShape
			ids   []string
			sel   ast.SelectionSet // the connection's selection; nil for degree
		}
		var uses []use
		for _, t := range ets {
			for typ, es := range byType(t.entities) {
				for _, f := range graphql.CollectFields(op, t.sel, []string{typ, "Entity", "Node"}) {
					var q kg.NeighborQuery
					switch f.Name {
					case "sources":
						for _, e := range es {
							sourceIDs = append(sourceIDs, e.SourceIDs...)
						}
						continue
					case "relations":
						var err error
						if q, err = relationsArgs(f, op); err != nil {
							continue
						}
					case "degree":
						var err error
						if q, err = degreeArgs(f, op); err != nil {
							continue
						}
					default:
						continue
					}
					key := neighborKey(q)
					sh := byKey[key]
					if sh == nil {
						sh = &neighborShape{q: q}
						byKey[key] = sh
						shapes[sh] = true
					}
					ids := make([]string, len(es))
					for i, e := range es {
						ids[i] = e.ID
					}
					sh.ids = append(sh.ids, ids...)
					u := use{shape: sh, ids: ids}
					if f.Name == "relations" {
						u.sel = f.Selections
					}
					uses = append(uses, u)
				}
			}
		}
		ets = nil
		rts = nil
		for sh := range shapes {
			q := sh.q
			q.EntityIDs = dedupe(sh.ids)
			pages, err := l.store.Neighbors(ctx, q)
			if err != nil {
				return
			}
			ld := l.neighborLoader(sh.q)
			for id, p := range pages {
				ld.Prime(id, p)
			}
			sh.pages = pages
		}
		for _, u := range uses {
			if u.sel == nil {
				continue
			}
			var rs []*kg.Relation
			for _, id := range u.ids {
				if p := u.shape.pages[id]; p != nil {
					rs = append(rs, p.Items...)
				}
			}
			for _, sel := range (selection{set: u.sel, op: op}).nodes("RelationConnection", "RelationEdge") {
				rts = append(rts, relationTask{relations: rs, sel: sel})
			}
		}
		if !l.loadSources(ctx, dedupe(sourceIDs)) {
			return
		}
	}
}

// pendingEnds are the ids of the entities one of from/to/claimedBy points at, with its
// selection.
type pendingEnds struct {
	ids []string
	sel ast.SelectionSet
}

// neighborShape is one neighbour query shape met in a round, the entities asking it, and the
// pages that came back.
type neighborShape struct {
	q     kg.NeighborQuery
	ids   []string
	pages map[string]*kg.RelationPage
}

// loadEntities fetches the entities of ids in one store call and primes the entity loader.
// ok is false if the store failed.
func (l *loaders) loadEntities(ctx context.Context, ids []string) (map[string]*kg.Entity, bool) {
	out := make(map[string]*kg.Entity, len(ids))
	if len(ids) == 0 {
		return out, true
	}
	es, err := l.store.EntitiesByIDs(ctx, ids)
	if err != nil {
		return nil, false
	}
	for i, e := range es {
		l.entity.Prime(ids[i], e)
		out[ids[i]] = e
	}
	return out, true
}

// loadSources fetches the sources of ids in one store call and primes the source loader.
func (l *loaders) loadSources(ctx context.Context, ids []string) bool {
	if len(ids) == 0 {
		return true
	}
	ss, err := l.store.SourcesByIDs(ctx, ids)
	if err != nil {
		return false
	}
	for i, s := range ss {
		l.source.Prime(ids[i], s)
	}
	return true
}

// byType groups entities by the GraphQL type they resolve to, whose fragments apply to them.
func byType(es []*kg.Entity) map[string][]*kg.Entity {
	out := map[string][]*kg.Entity{}
	for _, e := range es {
		if e != nil {
			t := typeName(e.Kind)
			out[t] = append(out[t], e)
		}
	}
	return out
}

// typeName is the GraphQL type of an entity kind (see wrap).
func typeName(k kg.EntityKind) string {
	switch k {
	case kg.KindPerson:
		return "Person"
	case kg.KindCountry:
		return "Country"
	case kg.KindOrganization:
		return "Organization"
	case kg.KindAgreement:
		return "Agreement"
	case kg.KindInfrastructure:
		return "Infrastructure"
	case kg.KindLocation:
		return "Location"
	default:
		return "Event"
	}
}

// selection is the selection set of the field being resolved, for resolvers to see what the
// query asks of them.
type selection struct {
	set ast.SelectionSet
	op  *graphql.OperationContext
}

func selectionOf(ctx context.Context) selection {
	return selection{set: graphql.GetFieldContext(ctx).Field.Selections, op: graphql.GetOperationContext(ctx)}
}

// has reports whether the selection asks for any of the fields named.
func (s selection) has(names ...string) bool {
	for _, f := range graphql.CollectFields(s.op, s.set, nil) {
		if slices.Contains(names, f.Name) {
			return true
		}
	}
	return false
}

// total reports whether a connection's selection asks for totalCount; when it does not, the
// stores skip counting.
func (s selection) total() bool { return s.has("totalCount") }

// pageSize is the page a connection needs: first, or none when the selection asks for
// nothing of the page (neither edges nor pageInfo), only the count.
func (s selection) pageSize(first int) int {
	if s.has("edges", "pageInfo") {
		return first
	}
	return 0
}

// nodes returns the selections of edges.node under a connection's selection.
func (s selection) nodes(connType, edgeType string) []ast.SelectionSet {
	var out []ast.SelectionSet
	for _, edges := range graphql.CollectFields(s.op, s.set, []string{connType}) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(s.op, edges.Selections, []string{edgeType}) {
			if node.Name == "node" {
				out = append(out, node.Selections)
			}
		}
	}
	return out
}

// relationsArgs reads the arguments of an Entity.relations field as its resolver gets them.
func relationsArgs(f graphql.CollectedField, op *graphql.OperationContext) (kg.NeighborQuery, error) {
	args := f.ArgumentMap(op.Variables)
	types, err := typesArg(args["types"])
	if err != nil {
		return kg.NeighborQuery{}, err
	}
	dir, err := directionArg(args["direction"])
	if err != nil {
		return kg.NeighborQuery{}, err
	}
	first, err := intArg(args["first"])
	if err != nil {
		return kg.NeighborQuery{}, err
	}
	var after *string
	if v, ok := args["after"].(string); ok {
		after = &v
	} else if args["after"] != nil {
		return kg.NeighborQuery{}, fmt.Errorf("after is %T", args["after"])
	}
	return neighborQuery(types, dir, first, after, !(selection{set: f.Selections, op: op}).total())
}

// degreeArgs reads the arguments of an Entity.degree field.
func degreeArgs(f graphql.CollectedField, op *graphql.OperationContext) (kg.NeighborQuery, error) {
	args := f.ArgumentMap(op.Variables)
	types, err := typesArg(args["types"])
	if err != nil {
		return kg.NeighborQuery{}, err
	}
	dir, err := directionArg(args["direction"])
	if err != nil {
		return kg.NeighborQuery{}, err
	}
	return neighborQuery(types, dir, new(int), nil, false)
}

func typesArg(v any) ([]kg.RelationType, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("types is %T", v)
	}
	out := make([]kg.RelationType, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok || !kg.RelationType(s).Valid() {
			return nil, fmt.Errorf("types[%d] is %v", i, x)
		}
		out[i] = kg.RelationType(s)
	}
	return out, nil
}

func directionArg(v any) (*kg.Direction, error) {
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok || !kg.Direction(s).Valid() {
		return nil, fmt.Errorf("direction is %v", v)
	}
	d := kg.Direction(s)
	return &d, nil
}

// intArg reads an Int argument: int64 from a literal, json.Number or a Go number from
// variables.
func intArg(v any) (*int, error) {
	var n int64
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		n = x
	case int:
		n = int64(x)
	case float64:
		if x != math.Trunc(x) {
			return nil, fmt.Errorf("%v is not an integer", x)
		}
		n = int64(x)
	case json.Number:
		var err error
		if n, err = x.Int64(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%T is not an integer", v)
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return nil, fmt.Errorf("%d is out of range", n)
	}
	i := int(n)
	return &i, nil
}
