package server_test

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/metrics"
	"github.com/factgraph/factgraph/server"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", res.StatusCode, b)
	}
	return string(b)
}

// sample returns the value of the series whose line starts with prefix (name and labels).
func sample(t *testing.T, text, prefix string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	t.Errorf("no series %s in:\n%s", prefix, grepLines(text, "factgraph_"))
	return -1
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// After a few operations, /metrics shows them by name and outcome, with latency, complexity,
// store calls and HTTP status codes; client-chosen names cannot grow the series without bound.
func TestMetrics(t *testing.T) {
	srv := newServer(t, seeded(t, stores[0].open), server.Config{Metrics: metrics.New(), WriteTokens: []server.WriteToken{{Name: "tester", Token: "s3cret"}}})
	url := srv.URL
	for range 3 {
		mustData(t, post(t, url, example(t, "7-neighborhood.graphql"), nil))
	}
	mustData(t, post(t, url, `{ stats { entities } }`, nil))
	post(t, url, `query Broken { entities(`, nil)
	post(t, url, `mutation Sneaky { deleteRelation(id: "rel:x") { deletedId } }`, nil)
	post(t, url, `query Bad { neighborhood(id: "location:sloviansk", depth: 9) { truncated } }`, nil)
	for i := range metrics.MaxOperationNames + 5 {
		post(t, url, fmt.Sprintf(`query Op%d { stats { entities } }`, i), nil)
	}

	text := scrape(t, url)
	for series, want := range map[string]float64{
		`factgraph_graphql_operations_total{operation="NeighborhoodOfSloviansk",outcome="ok",type="query"}`:         3,
		`factgraph_graphql_operations_total{operation="(anonymous)",outcome="ok",type="query"}`:                     1,
		`factgraph_graphql_operations_total{operation="(anonymous)",outcome="GRAPHQL_PARSE_FAILED",type="unknown"}`: 1, // a document that does not parse has no name
		`factgraph_graphql_operations_total{operation="Sneaky",outcome="UNAUTHENTICATED",type="mutation"}`:          1,
		`factgraph_graphql_operation_duration_seconds_count{operation="NeighborhoodOfSloviansk",type="query"}`:      3,
		`factgraph_graphql_operation_complexity_count{operation="NeighborhoodOfSloviansk"}`:                         3,
		`factgraph_graphql_operations_total{operation="Bad",outcome="BAD_USER_INPUT",type="query"}`:                 1,
		`factgraph_http_requests_total{code="200",route="/graphql"}`:                                                float64(3 + 1 + 1 + 1 + 1 + metrics.MaxOperationNames + 5),
	} {
		// Parse failures are answered with HTTP 422 by the GraphQL-over-HTTP transport when
		// the client accepts application/graphql-response+json; this client asks for JSON.
		if got := sample(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if got := sample(t, text, `factgraph_store_call_duration_seconds_count{method="Neighborhood",outcome="ok"}`); got != 3 {
		t.Errorf("Neighborhood store calls = %v, want 3", got)
	}
	if got := sample(t, text, `factgraph_graphql_operations_total{operation="(other)",outcome="ok",type="query"}`); got < 5 {
		t.Errorf("names past the cap counted as (other): %v", got)
	}
	names := regexp.MustCompile(`factgraph_graphql_operations_total\{operation="([^"]*)"`).FindAllStringSubmatch(text, -1)
	distinct := map[string]bool{}
	for _, n := range names {
		distinct[n[1]] = true
	}
	if len(distinct) > metrics.MaxOperationNames+2 {
		t.Errorf("%d operation names, cap %d", len(distinct), metrics.MaxOperationNames)
	}
	if !strings.Contains(text, "go_goroutines") || !strings.Contains(text, "process_cpu_seconds_total") {
		t.Errorf("runtime collectors missing")
	}
}

// Without metrics configured there is no /metrics route.
func TestNoMetrics(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	srv := newServer(t, s, server.Config{})
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without metrics: %d", res.StatusCode)
	}
}
