package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// ObserveStore records one store call; it fits kg/observed.Wrap.
func (m *Metrics) ObserveStore(_ context.Context, method string, d time.Duration, err error) {
	m.storeCalls.WithLabelValues(method, storeOutcome(err)).Observe(d.Seconds())
}

func storeOutcome(err error) string {
	if err == nil {
		return "ok"
	}
	var ke *kg.Error
	if errors.As(err, &ke) {
		return string(ke.Code)
	}
	var fe *kg.FieldErrors
	if errors.As(err, &fe) {
		return string(kg.CodeInvalidInput)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return "error"
}
