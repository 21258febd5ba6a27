package graph

import "github.com/factgraph/factgraph/kg"

// Relay connection types (https://relay.dev/graphql/connections.htm). They are written by hand
// rather than generated because the resolvers build them from kg pages.

// PageInfo is Relay's page information.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// EntityEdge is an entity with its cursor.
type EntityEdge struct {
	Cursor string
	Node   Entity
}

// EntityConnection is a page of entities.
type EntityConnection struct {
	Edges      []*EntityEdge
	PageInfo   *PageInfo
	TotalCount int
}

// RelationEdge is a relation with its cursor.
type RelationEdge struct {
	Cursor string
	Node   *kg.Relation
}

// RelationConnection is a page of relations.
type RelationConnection struct {
	Edges      []*RelationEdge
	PageInfo   *PageInfo
	TotalCount int
}

// SourceEdge is a source with its cursor.
type SourceEdge struct {
	Cursor string
	Node   *kg.Source
}

// SourceConnection is a page of sources.
type SourceConnection struct {
	Edges      []*SourceEdge
	PageInfo   *PageInfo
	TotalCount int
}

func pageInfo(hasNext bool, cursors []string) *PageInfo {
	pi := &PageInfo{HasNextPage: hasNext}
	if len(cursors) > 0 {
		pi.StartCursor, pi.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return pi
}

func entityConnection(p *kg.EntityPage, o kg.EntityOrder) *EntityConnection {
	c := &EntityConnection{Edges: make([]*EntityEdge, len(p.Items)), TotalCount: p.TotalCount}
	cursors := make([]string, len(p.Items))
	for i, e := range p.Items {
		cursors[i] = o.Cursor(e)
		c.Edges[i] = &EntityEdge{Cursor: cursors[i], Node: wrap(e)}
	}
	c.PageInfo = pageInfo(p.HasNextPage, cursors)
	return c
}

func relationConnection(p *kg.RelationPage, o kg.RelationOrder) *RelationConnection {
	c := &RelationConnection{Edges: make([]*RelationEdge, len(p.Items)), TotalCount: p.TotalCount}
	cursors := make([]string, len(p.Items))
	for i, r := range p.Items {
		cursors[i] = o.Cursor(r)
		c.Edges[i] = &RelationEdge{Cursor: cursors[i], Node: r}
	}
	c.PageInfo = pageInfo(p.HasNextPage, cursors)
	return c
}

func sourceConnection(p *kg.SourcePage) *SourceConnection {
	c := &SourceConnection{Edges: make([]*SourceEdge, len(p.Items)), TotalCount: p.TotalCount}
	cursors := make([]string, len(p.Items))
	for i, s := range p.Items {
		cursors[i] = kg.SourceCursor(s)
		c.Edges[i] = &SourceEdge{Cursor: cursors[i], Node: s}
	}
	c.PageInfo = pageInfo(p.HasNextPage, cursors)
	return c
}
