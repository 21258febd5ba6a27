package metrics

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
)

// GraphQL returns the gqlgen extension that counts and times operations. Add it before any
// other operation interceptor so that it sees the answers those give on their own (a refused
// mutation, a timeout); documents that fail to parse or validate never become operations and
// are counted from the response.
func (m *Metrics) GraphQL() graphql.HandlerExtension { return gqlExtension{m} }

type gqlExtension struct{ m *Metrics }

var (
	_ graphql.HandlerExtension     = gqlExtension{}
	_ graphql.OperationInterceptor = gqlExtension{}
	_ graphql.ResponseInterceptor  = gqlExtension{}
)

type countedKey struct{}

func (gqlExtension) ExtensionName() string                   { return "FactgraphMetrics" }
func (gqlExtension) Validate(graphql.ExecutableSchema) error { return nil }
func (e gqlExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	ctx = context.WithValue(ctx, countedKey{}, true)
	respond := next(ctx)
	counted := false
	return func(ctx context.Context) *graphql.Response {
		resp := respond(ctx)
		// A subscription answers many times; it is one operation, counted at its first answer.
		if !counted {
			counted = true
			e.m.observeOperation(ctx, resp)
		}
		return resp
	}
}

func (e gqlExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if ctx.Value(countedKey{}) == nil {
		e.m.observeOperation(ctx, resp)
	}
	return resp
}

func (m *Metrics) observeOperation(ctx context.Context, resp *graphql.Response) {
	name, typ := "", "unknown"
	var start time.Time
	var complexity *extension.ComplexityStats
	if graphql.HasOperationContext(ctx) {
		op := graphql.GetOperationContext(ctx)
		name = op.OperationName
		if op.Operation != nil {
			typ = string(op.Operation.Operation)
			if op.Operation.Name != "" {
				name = op.Operation.Name
			}
		}
		start = op.Stats.OperationStart
		complexity = extension.GetComplexityStats(ctx)
	}
	label := m.operationLabel(name)
	m.operations.WithLabelValues(label, typ, outcome(resp)).Inc()
	if !start.IsZero() {
		m.opDuration.WithLabelValues(label, typ).Observe(time.Since(start).Seconds())
	}
	if complexity != nil {
		m.complexity.WithLabelValues(label).Observe(float64(complexity.Complexity))
	}
}

// outcome is "ok", or the first error's extensions.code (a closed set the server defines), or
// "error" for an error without one, or "canceled" when the client went away.
func outcome(resp *graphql.Response) string {
	if resp == nil {
		return "canceled"
	}
	if len(resp.Errors) == 0 {
		return "ok"
	}
	if code, ok := resp.Errors[0].Extensions["code"].(string); ok && code != "" && len(code) <= 40 {
		return code
	}
	return "error"
}
