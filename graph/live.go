package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// Live changes tail the store's change sequence by polling Changes. Polling rather than a
// push from the writer is what makes a change written through one process reach the
// subscribers of another: the sequence lives in the database they share, and Neo4j community
// has no change-data-capture to subscribe to. A poll that finds nothing is one index seek
// past the last sequence number, and a subscriber never misses a revision or sees one twice,
// because it asks for "after the last one I examined". The cost is latency (up to one poll
// interval) and one query per subscription per interval while it is idle.

// Defaults for the live feed.
const (
	DefaultPollInterval     = 250 * time.Millisecond
	DefaultMaxSubscriptions = 256
	// livePage bounds one poll, so a subscriber resuming far back catches up in steps.
	livePage = 500
)

// feed hands out live subscriptions, at most max at a time.
type feed struct {
	store    kg.Store
	interval time.Duration
	slots    chan struct{}
	log      *slog.Logger
}

func newFeed(store kg.Store, interval time.Duration, max int, log *slog.Logger) *feed {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if max <= 0 {
		max = DefaultMaxSubscriptions
	}
	return &feed{store: store, interval: interval, slots: make(chan struct{}, max), log: log}
}

// subscribe starts a subscription; its channel closes when ctx ends or the feed cannot go on.
// Problems with the arguments (a bad filter, a sequence number pruned away) and a full house
// are errors now, before the stream starts.
func (f *feed) subscribe(ctx context.Context, after *int, filter *kg.ChangeFilter) (<-chan *kg.Revision, error) {
	if err := filter.Check("filter"); err != nil {
		return nil, err
	}
	if after != nil && *after < 0 {
		return nil, kg.Invalid("after", "must not be negative")
	}
	select {
	case f.slots <- struct{}{}:
	default:
		return nil, &kg.Error{Code: kg.CodeUnavailable, Message: fmt.Sprintf("this server holds its limit of %d live subscriptions; try again later", cap(f.slots))}
	}
	var cursor int64
	if after != nil {
		cursor = int64(*after)
	} else {
		// From now on: the end of the sequence (asking past any sequence number answers it).
		page, err := f.store.Changes(ctx, kg.ChangesQuery{After: math.MaxInt64, First: 1})
		if err != nil {
			<-f.slots
			return nil, err
		}
		cursor = page.Last
	}
	// The first poll runs now, so that a pruned starting point is an error of the request.
	page, err := f.store.Changes(ctx, kg.ChangesQuery{After: cursor, First: livePage, Filter: filter})
	if err != nil {
		<-f.slots
		return nil, err
	}
	ch := make(chan *kg.Revision, 16)
	go f.tail(ctx, ch, page, filter)
	return ch, nil
}

// tail delivers page and every later one, polling when it has caught up.
func (f *feed) tail(ctx context.Context, ch chan<- *kg.Revision, page *kg.RevisionPage, filter *kg.ChangeFilter) {
	defer func() { <-f.slots }()
	defer close(ch)
	t := time.NewTicker(f.interval)
	defer t.Stop()
	for {
		for _, r := range page.Items {
			select {
			case ch <- r:
			case <-ctx.Done():
				return
			}
		}
		cursor := page.Through
		if !page.HasNextPage {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
		next, err := f.store.Changes(ctx, kg.ChangesQuery{After: cursor, First: livePage, Filter: filter})
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, kg.ErrInvalidInput):
			// Pruning passed the cursor while the subscriber lagged: it cannot be complete.
			f.log.WarnContext(ctx, "live changes ended", "err", err)
			return
		case err != nil:
			// The database may come back: keep the cursor and try at the next tick.
			f.log.WarnContext(ctx, "live changes: poll failed", "err", err)
			page = &kg.RevisionPage{Through: cursor}
			continue
		}
		page = next
	}
}
