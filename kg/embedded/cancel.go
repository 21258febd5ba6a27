package embedded

import "context"

// checkEvery is how many rows a scan handles between looks at its context: a look costs a
// mutex-free atomic load or two, and 1024 rows take microseconds, so a cancelled request stops
// scanning within microseconds while a running one pays nothing measurable.
const checkEvery = 1024

// stopper tells a long loop when its request is over (deadline passed, client gone).
type stopper struct {
	ctx context.Context
	n   int
}

// stop reports whether the loop should stop; it consults the context every checkEvery calls.
func (s *stopper) stop() bool {
	s.n++
	return s.n%checkEvery == 0 && s.ctx.Err() != nil
}

// stoppable wraps a row filter for cut: once ctx is done it matches nothing, so the scan
// finishes at once, and the caller returns ctx.Err() instead of the truncated page.
func stoppable[T any](ctx context.Context, match func(T) bool) func(T) bool {
	if match == nil {
		return nil // cut takes one page without scanning: nothing to stop
	}
	s := &stopper{ctx: ctx}
	stopped := false
	return func(row T) bool {
		if stopped || s.stop() {
			stopped = true
			return false
		}
		return match(row)
	}
}
