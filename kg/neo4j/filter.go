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
// meaning as kg.EntityFilter.MatchRelated (HasRelation asks the graph). Every atom is made
// null-free (coalesce), because Cypher's three-valued logic would otherwise turn NOT over a
// missing property into "no match" where Match says "match".
//
// n must not be x or o: a HasRelation predicate binds those inside its EXISTS subquery, where
// an outer variable of the same name would be imported rather than shadowed.
func compileEntityFilter(f *kg.EntityFilter, n string, p params) (string, error) {
	if f == nil {
		return "true", nil
	}
	var conds []string
	if len(f.Kinds) > 0 {
		// The kind label, not the kind property: the label is what an entity's kind is
		// (docs/neo4j-model.md), what the count store counts and what a kind listing matches.
		kindAlt, err := kindLabels(f.Kinds)
		if err != nil {
			return "", err
		}
		conds = append(conds, n+":"+kindAlt)
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
	if f.HasRelation != nil {
		c, err := compileHasRelation(f.HasRelation, n, p)
		if err != nil {
			return "", err
		}
		conds = append(conds, c)
	}
	if f.OccurredFrom != nil || f.OccurredTo != nil {
		// An instant comparison, as MatchRelated's: Cypher's < and >= on two DATETIMEs of
		// one instant but different offsets order them by offset (and = compares the offset
		// too), so the bounds compare as (epoch second, nanosecond) pairs instead, which are
		// the instant whatever the offset. IS NOT NULL first keeps the atom null-free under
		// NOT: an entity without occurredAt never matches a window.
		at := n + ".occurredAt"
		c := at + " IS NOT NULL"
		if t := f.OccurredFrom; t != nil {
			sec, ns := p.add(t.Unix()), p.add(int64(t.Nanosecond()))
			c += fmt.Sprintf(" AND (%s.epochSeconds > %s OR %s.epochSeconds = %s AND %s.nanosecond >= %s)", at, sec, at, sec, at, ns)
		}
		if t := f.OccurredTo; t != nil {
			sec, ns := p.add(t.Unix()), p.add(int64(t.Nanosecond()))
			c += fmt.Sprintf(" AND (%s.epochSeconds < %s OR %s.epochSeconds = %s AND %s.nanosecond < %s)", at, sec, at, sec, at, ns)
		}
		conds = append(conds, "("+c+")")
	}
	for i := range f.And {
		c, err := compileEntityFilter(&f.And[i], n, p)
		if err != nil {
			return "", err
		}
		conds = append(conds, c)
	}
	if len(f.Or) > 0 {
		ors := make([]string, len(f.Or))
		for i := range f.Or {
			c, err := compileEntityFilter(&f.Or[i], n, p)
			if err != nil {
				return "", err
			}
			ors[i] = c
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Not != nil {
		c, err := compileEntityFilter(f.Not, n, p)
		if err != nil {
			return "", err
		}
		conds = append(conds, "NOT "+c)
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return "(" + strings.Join(conds, " AND ") + ")", nil
}

// compileHasRelation is an EXISTS subquery over the relations of n with the meaning of
// kg.RelationPredicate.Matches: the types restrict the pattern (so the planner expands only
// those, or, with no status or other end asked, plans getDegree(...) > 0, reading no
// relationship at all), the direction orients it, and a self-loop binds o to n itself, as
// Matches treats it. EXISTS is never null, so NOT over it agrees with Go.
func compileHasRelation(pr *kg.RelationPredicate, n string, p params) (string, error) {
	alt, err := relTypeAlternation(pr.Types)
	if err != nil {
		return "", err
	}
	var pattern string
	switch pr.Direction {
	case kg.DirectionOut:
		pattern = "(" + n + ")-[x" + alt + "]->(o)"
	case kg.DirectionIn:
		pattern = "(" + n + ")<-[x" + alt + "]-(o)"
	case "", kg.DirectionBoth:
		pattern = "(" + n + ")-[x" + alt + "]-(o)"
	default:
		return "", kg.Invalid("hasRelation.direction", "%q is not a valid direction", pr.Direction)
	}
	var where []string
	if len(pr.Statuses) > 0 {
		where = append(where, "x.status IN "+p.add(statusStrings(pr.Statuses)))
	}
	if pr.OtherID != "" {
		where = append(where, "o.id = "+p.add(pr.OtherID))
	}
	if len(where) == 0 {
		return "EXISTS { " + pattern + " }", nil
	}
	return "EXISTS { MATCH " + pattern + " WHERE " + strings.Join(where, " AND ") + " }", nil
}

func statusStrings(ss []kg.ClaimStatus) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func typeStrings(ts []kg.RelationType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
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
		conds = append(conds, "type(r) IN "+p.add(typeStrings(f.Types)))
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "r.status IN "+p.add(statusStrings(f.Statuses)))
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
	if len(f.EntityIDs) > 0 {
		ph := p.add(f.EntityIDs)
		conds = append(conds, fmt.Sprintf("(a.id IN %s OR b.id IN %s)", ph, ph))
	}
	if len(f.DisputesIDs) > 0 {
		// disputes is a list, which no index answers membership of; relationMatch starts
		// from something indexed when the filter has it.
		conds = append(conds, "any(d IN coalesce(r.disputes, []) WHERE d IN "+p.add(f.DisputesIDs)+")")
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
