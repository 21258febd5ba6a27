package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (flushes, deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// HTTP counts and times the requests to next under a fixed route label: labels come from the
// server's routes, never from the request path, so a scan of random paths adds no series.
func (m *Metrics) HTTP(route string, next http.Handler) http.Handler {
	reqs := m.httpReqs.MustCurryWith(map[string]string{"route": route})
	latency := m.httpLatency.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.code == 0 {
			rec.code = http.StatusOK
		}
		latency.Observe(time.Since(start).Seconds())
		reqs.WithLabelValues(strconv.Itoa(rec.code)).Inc()
	})
}
