package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/server"
)

func preflight(t *testing.T, url, headers string) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url+"/graphql", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	// Browsers send the names lower-cased and sorted (Fetch standard), and rs/cors relies on it.
	names := strings.Split(strings.ToLower(headers), ",")
	slices.Sort(names)
	req.Header.Set("Access-Control-Request-Headers", strings.Join(names, ","))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.Header
}

// The headers that Apollo Client, urql, Relay and graphql-request send pass the preflight by
// default; a configured list replaces the default.
func TestCORSAllowedHeaders(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	srv := newServer(t, s, server.Config{AllowedOrigins: []string{"*"}})
	for client, headers := range map[string]string{
		"apollo":          "content-type,x-apollo-operation-name,apollo-require-preflight,apollographql-client-name,apollographql-client-version",
		"urql":            "accept,content-type",
		"relay":           "content-type,accept,x-requested-with",
		"graphql-request": "content-type,accept",
		"write token":     "authorization,content-type,x-request-id",
		"tracing":         "traceparent,tracestate,baggage,sentry-trace",
	} {
		h := preflight(t, srv.URL, headers)
		if h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: preflight for %s refused: %v", client, headers, h)
		}
	}
	if h := preflight(t, srv.URL, "x-unknown-header"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a header outside the list passed: %v", h)
	}

	custom := newServer(t, s, server.Config{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"Content-Type", "X-Tenant"}})
	if h := preflight(t, custom.URL, "content-type,x-tenant"); h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("configured header refused: %v", h)
	}
	if h := preflight(t, custom.URL, "x-apollo-operation-name"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("the configured list does not replace the default: %v", h)
	}
	for _, want := range []string{"X-Apollo-Operation-Name", "Apollo-Require-Preflight", "Accept"} {
		found := false
		for _, h := range server.DefaultAllowedHeaders {
			found = found || strings.EqualFold(h, want)
		}
		if !found {
			t.Errorf("DefaultAllowedHeaders lacks %s", want)
		}
	}
}
