package neo4jstore

import (
	"fmt"
	"strings"

	"github.com/factgraph/factgraph/kg"
)

// params collects query parameters under generated names ($p1, $p2, ...), so compiled
// filters never splice a value into the query text.
type params map[string]any

func (p params) add(v any) string {
	name := fmt.Sprintf("p%d", len(p)+1)
	for p[name] != nil { // a caller-set name in the way; keep counting
		name += "_"
	}
	p[name] = v
	return "$" + name
}

// compileEntityFilter turns f into a Cypher predicate over node variable n with the same
// meaning as kg.EntityFilter.Match. Every atom is made null-free (coalesce), because Cypher's
// three-valued logic would otherwise turn NOT over a missing property into "no match" where
// Match says "match".
func compileEntityFilter(f *kg.EntityFilter, n string, p params) string {
	if f == nil {
		return "true"
	}
	var conds []string
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		conds = append(conds, fmt.Sprintf("%s.kind IN %s", n, p.add(kinds)))
	}
	if len(f.IDs) > 0 {
		conds = append(conds, fmt.Sprintf("%s.id IN %s", n, p.add(f.IDs)))
	}
	if f.NameContains != "" {
		needle := kg.Fold(f.NameContains)
		ph := p.add(needle)
		// searchText is the folded name and aliases joined by newlines, indexed by a TEXT
		// index, so CONTAINS is an index scan. A needle without a newline cannot span two
		// of the parts, so that test is exact; one with a newline is checked part by part.
		c := fmt.Sprintf("%s.searchText CONTAINS %s", n, ph)
		if strings.Contains(needle, "\n") {
			c = fmt.Sprintf("(%s AND (%s.nameFold CONTAINS %s OR any(a IN coalesce(%s.aliasesFold, []) WHERE a CONTAINS %s)))", c, n, ph, n, ph)
		}
		conds = append(conds, c)
	}
	if f.Category != "" {
		conds = append(conds, fmt.Sprintf("coalesce(%s.categoryFold, '') = %s", n, p.add(kg.Fold(f.Category))))
	}
	if f.SourceID != "" {
		conds = append(conds, fmt.Sprintf("%s IN coalesce(%s.sourceIds, [])", p.add(f.SourceID), n))
	}
	for i := range f.And {
		conds = append(conds, compileEntityFilter(&f.And[i], n, p))
	}
	if len(f.Or) > 0 {
		ors := make([]string, len(f.Or))
		for i := range f.Or {
			ors[i] = compileEntityFilter(&f.Or[i], n, p)
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Not != nil {
		conds = append(conds, "NOT "+compileEntityFilter(f.Not, n, p))
	}
	if len(conds) == 0 {
		return "true"
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

// compileRelationFilter turns f into a predicate over relationship r from node a to node b,
// with the meaning of kg.RelationFilter.Match. Relation filters have no NOT, so a missing
// property comparing to null (no match) is what Match says too.
func compileRelationFilter(f *kg.RelationFilter, p params) string {
	if f == nil {
		return "true"
	}
	var conds []string
	if len(f.IDs) > 0 {
		conds = append(conds, "r.id IN "+p.add(f.IDs))
	}
	if len(f.Types) > 0 {
		types := make([]string, len(f.Types))
		for i, t := range f.Types {
			types[i] = string(t)
		}
		conds = append(conds, "type(r) IN "+p.add(types))
	}
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		conds = append(conds, "r.status IN "+p.add(st))
	}
	if f.FromID != "" {
		conds = append(conds, "a.id = "+p.add(f.FromID))
	}
	if f.ToID != "" {
		conds = append(conds, "b.id = "+p.add(f.ToID))
	}
	if f.EntityID != "" {
		ph := p.add(f.EntityID)
		conds = append(conds, fmt.Sprintf("(a.id = %s OR b.id = %s)", ph, ph))
	}
	if f.ClaimedByID != "" {
		conds = append(conds, "r.claimedBy = "+p.add(f.ClaimedByID))
	}
	if f.SourceID != "" {
		conds = append(conds, p.add(f.SourceID)+" IN r.sourceIds")
	}
	if f.MinConfidence != nil {
		conds = append(conds, "r.confidence >= "+p.add(*f.MinConfidence))
	}
	if f.OccurredFrom != nil || f.OccurredTo != nil {
		conds = append(conds, "r.t <> "+p.add(int64(kg.UndatedSortKey)))
		if f.OccurredFrom != nil {
			conds = append(conds, "r.t >= "+p.add(f.OccurredFrom.UnixNano()))
		}
		if f.OccurredTo != nil {
			conds = append(conds, "r.t < "+p.add(f.OccurredTo.UnixNano()))
		}
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

// keysetCondition is the "after the cursor" predicate for ORDER BY key, id in direction dir.
// key is "" when the ordering is by id alone.
func keysetCondition(key, id string, dir kg.SortDirection, keyVal any, idVal string, p params) string {
	op := ">"
	if dir == kg.Desc {
		op = "<"
	}
	idp := p.add(idVal)
	if key == "" {
		return fmt.Sprintf("%s %s %s", id, op, idp)
	}
	kp := p.add(keyVal)
	return fmt.Sprintf("(%s %s %s OR (%s = %s AND %s %s %s))", key, op, kp, key, kp, id, op, idp)
}

// orderBy is "ORDER BY key, id" in direction dir; key may be "".
func orderBy(key, id string, dir kg.SortDirection) string {
	d := ""
	if dir == kg.Desc {
		d = " DESC"
	}
	if key == "" {
		return "ORDER BY " + id + d
	}
	return "ORDER BY " + key + d + ", " + id + d
}
