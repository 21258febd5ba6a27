// Package metrics holds factgraph's Prometheus metrics: GraphQL operations by name and
// outcome, their latency and complexity, HTTP requests, store call latency, and the Go
// runtime. Everything is registered on the Metrics' own registry (no global state), served at
// /metrics by Handler.
package metrics

import (
	"net/http"
	"regexp"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MaxOperationNames bounds the operation label: operation names come from clients, and a
// series per name would let any client grow the server's memory and the scraper's storage
// without limit. Names past this many distinct ones, and names that are not plain GraphQL
// names of at most 64 characters, are counted as "other".
const MaxOperationNames = 200

// Labels for operations that have no usable name.
const (
	Anonymous = "(anonymous)"
	Other     = "(other)"
)

// Metrics is the set of collectors one server reports.
type Metrics struct {
	reg *prometheus.Registry

	operations  *prometheus.CounterVec
	opDuration  *prometheus.HistogramVec
	complexity  *prometheus.HistogramVec
	httpReqs    *prometheus.CounterVec
	httpLatency *prometheus.HistogramVec
	storeCalls  *prometheus.HistogramVec
	inFlight    prometheus.Gauge

	mu    sync.Mutex
	names map[string]bool
}

// Latency buckets from 1 ms to 30 s (the default request time limit).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// New returns the metrics with the Go runtime and process collectors registered.
func New() *Metrics {
	m := &Metrics{
		reg:   prometheus.NewRegistry(),
		names: map[string]bool{},
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "factgraph_graphql_operations_total",
			Help: "GraphQL operations by operation name, type (query, mutation, subscription) and outcome (ok, or the first error's extensions.code).",
		}, []string{"operation", "type", "outcome"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "factgraph_graphql_operation_duration_seconds",
			Help:    "Time from the start of an operation (parsing) to its response, by operation name and type.",
			Buckets: latencyBuckets,
		}, []string{"operation", "type"}),
		complexity: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "factgraph_graphql_operation_complexity",
			Help:    "Computed complexity of operations that passed validation, by operation name.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10), // 1 .. 262144
		}, []string{"operation"}),
		httpReqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "factgraph_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		httpLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "factgraph_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: latencyBuckets,
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "factgraph_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		storeCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "factgraph_store_call_duration_seconds",
			Help:    "Latency of calls into the store (Neo4j or embedded) by method and outcome (ok, or the kg error code, or error).",
			Buckets: latencyBuckets,
		}, []string{"method", "outcome"}),
	}
	m.reg.MustRegister(m.operations, m.opDuration, m.complexity, m.httpReqs, m.httpLatency, m.inFlight, m.storeCalls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds other collectors (such as a store's connection pool) to this registry.
func (m *Metrics) Register(c ...prometheus.Collector) error {
	for _, x := range c {
		if err := m.reg.Register(x); err != nil {
			return err
		}
	}
	return nil
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// operationLabel bounds the operation-name label (see MaxOperationNames).
func (m *Metrics) operationLabel(name string) string {
	if name == "" {
		return Anonymous
	}
	if !graphQLName.MatchString(name) {
		return Other
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= MaxOperationNames {
		return Other
	}
	m.names[name] = true
	return name
}
