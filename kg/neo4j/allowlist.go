package neo4jstore

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/factgraph/factgraph/kg"
)

// This file is the only place where anything but a fixed string enters the text of a Cypher
// query. Node labels and relationship types cannot be query parameters, so they are spliced
// in, and they may come only from kg's closed allow-lists: an EntityKind's Label() or a
// RelationType, each after Valid(). Every other value is a parameter. A test greps the
// package to keep it so.

// identPattern is a second guard: even an allow-listed name must be a plain identifier, so a
// bad edit to the allow-list cannot inject Cypher either.
var identPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// kindLabel returns the node label of an allow-listed entity kind.
func kindLabel(k kg.EntityKind) (string, error) {
	if !k.Valid() || !identPattern.MatchString(k.Label()) {
		return "", fmt.Errorf("neo4j: %q is not an allow-listed entity kind", k)
	}
	return k.Label(), nil
}

// kindLabels is the label expression matching any of kinds (allow-listed), e.g.
// Person|Country.
func kindLabels(kinds []kg.EntityKind) (string, error) {
	var labels []string
	for _, k := range kinds {
		l, err := kindLabel(k)
		if err != nil {
			return "", err
		}
		if !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	return strings.Join(labels, "|"), nil
}

// relType returns the relationship type of an allow-listed relation type.
func relType(t kg.RelationType) (string, error) {
	if !t.Valid() || !identPattern.MatchString(string(t)) {
		return "", fmt.Errorf("neo4j: %q is not an allow-listed relation type", t)
	}
	return string(t), nil
}

// mustRelType is relType for values taken from kg.RelationTypes itself.
func mustRelType(t kg.RelationType) string {
	s, err := relType(t)
	if err != nil {
		panic(err)
	}
	return s
}

// allKindLabels is ":Person:Country:..." — every kind label, for REMOVE when a node changes
// kind.
func allKindLabels() string {
	var b strings.Builder
	for _, k := range kg.EntityKinds {
		l, err := kindLabel(k)
		if err != nil {
			panic(err)
		}
		b.WriteString(":" + l)
	}
	return b.String()
}

// relTypeAlternation is ":A|B|C" for a relationship pattern restricted to these types; no
// types means every relation type of kg.RelationTypes. A pattern is never left untyped,
// because entities also carry the provenance relationships of provenance.go (ASSERTS, CITES,
// SUBJECT, OBJECT), which are not relations. The types must have passed kg's Valid; an
// invalid one is an error.
func relTypeAlternation(types []kg.RelationType) (string, error) {
	if len(types) == 0 {
		types = kg.RelationTypes
	}
	parts := make([]string, 0, len(types))
	seen := map[kg.RelationType]bool{}
	for _, t := range types {
		if seen[t] {
			continue
		}
		seen[t] = true
		s, err := relType(t)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return ":" + strings.Join(parts, "|"), nil
}

// depthBound is the upper bound of a variable-length relationship pattern, "*..n", for a path
// depth that kg has validated (1..kg.MaxPathDepth). Like labels, a pattern's length bound
// cannot be a parameter; an int checked against that range is all that may go there.
func depthBound(n int) (string, error) {
	if n < 1 || n > kg.MaxPathDepth {
		return "", fmt.Errorf("neo4j: path depth %d is outside 1..%d", n, kg.MaxPathDepth)
	}
	return fmt.Sprintf("*..%d", n), nil
}

// relationsByIDQuery finds relations by id as a UNION of one index seek per relationship
// type: Neo4j indexes relationship properties per type, and a type-less
// MATCH ()-[r]->() WHERE r.id IN $ids would scan every relationship. Built from the allow-list.
func relationsByIDQuery(types []kg.RelationType, idsParam string) string {
	if len(types) == 0 {
		types = kg.RelationTypes
	}
	parts := make([]string, 0, len(types))
	for _, t := range types {
		parts = append(parts, fmt.Sprintf("MATCH ()-[r:%s]->() WHERE r.id IN %s RETURN r", mustRelType(t), idsParam))
	}
	return strings.Join(parts, "\nUNION ALL\n")
}
