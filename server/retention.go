package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// RetainHistory prunes the store's history to the last keep, now and then every interval
// (keep/10, between a minute and an hour), until ctx ends. keep <= 0 keeps every revision.
// Several processes over one database may all run it: pruning is idempotent.
func RetainHistory(ctx context.Context, s kg.Store, keep time.Duration, logger *slog.Logger) {
	if keep <= 0 {
		return
	}
	every := min(max(keep/10, time.Minute), time.Hour)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		before := time.Now().Add(-keep)
		n, err := s.PruneHistory(ctx, before)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("pruning history", "err", err)
		case n > 0:
			logger.Info("pruned history", "revisions", n, "before", before.UTC().Format(time.RFC3339))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
