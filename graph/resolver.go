// Package graph is factgraph's GraphQL layer: the gqlgen executor generated from
// schema.graphqls, and resolvers that validate arguments and call the kg.Store.
package graph

import (
	"log/slog"

	"github.com/factgraph/factgraph/kg"
)

//go:generate go tool gqlgen generate

// Resolver is the root resolver; it holds what every resolver needs.
type Resolver struct {
	Store  kg.Store
	Logger *slog.Logger
	// feed serves the changes subscription.
	feed *feed
}
