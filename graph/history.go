package graph

import (
	"context"
	"strconv"

	"github.com/factgraph/factgraph/kg"
)

// History resolves Entity.history for every kind.
func (e entity) History(ctx context.Context, first *int, after *string) (*RevisionConnection, error) {
	return historyConnection(ctx, loadersFrom(ctx).store, kg.ObjectEntity, e.ID, first, after)
}

// historyConnection pages one object's revisions; a cursor is a sequence number.
func historyConnection(ctx context.Context, s kg.Store, object kg.ObjectType, id string, first *int, after *string) (*RevisionConnection, error) {
	q := kg.HistoryQuery{Object: object, ID: id}
	var err error
	if q.First, err = kg.PageSize(first); err != nil {
		return nil, err
	}
	if after != nil && *after != "" {
		if q.After, err = strconv.ParseInt(*after, 10, 64); err != nil || q.After < 0 {
			return nil, kg.Invalid("after", "%q is not a history cursor", *after)
		}
	}
	page, err := s.History(ctx, q)
	if err != nil {
		return nil, err
	}
	conn := &RevisionConnection{Edges: make([]*RevisionEdge, len(page.Items)), PageInfo: &PageInfo{HasNextPage: page.HasNextPage}}
	for i, r := range page.Items {
		conn.Edges[i] = &RevisionEdge{Cursor: strconv.FormatInt(r.Seq, 10), Node: r}
	}
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	}
	return conn, nil
}

// orNil returns nil for a zero value, so that gqlgen renders null.
func orNil[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
