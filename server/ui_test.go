package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/server"
)

// The browser UI is served from the binary: the playground, the explorer, their assets, the
// favicon, and the README's examples as the playground's tabs. (web/test/ drives them in a
// real browser.)
func TestUIRoutes(t *testing.T) {
	s, _ := embedded.Open(t.Context(), "")
	srv := newServer(t, s, server.Config{})
	for path, want := range map[string]string{
		"/":                      "assets/playground.js",
		"/explore":               "assets/explorer.js",
		"/assets/playground.css": "graphiql",
	} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, lacks %q", path, res.StatusCode, want)
		}
	}
	for path, code := range map[string]int{"/favicon.ico": 200, "/assets/": 404, "/nothing": 404} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != code {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, code)
		}
	}

	res, err := http.Get(srv.URL + "/playground/examples.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tabs []struct{ Name, Query string }
	if err := json.NewDecoder(res.Body).Decode(&tabs); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/examples/*.graphql")
	if len(tabs) != len(files) || len(tabs) == 0 {
		t.Fatalf("%d tabs for %d examples", len(tabs), len(files))
	}
	for i, tab := range tabs {
		if tab.Query != example(t, filepath.Base(files[i])) {
			t.Errorf("tab %d (%s) is not %s", i, tab.Name, files[i])
		}
	}
}

// Every README example is a named operation: code generators (graphql-codegen's
// typescript-operations, the client preset) refuse anonymous ones among several.
func TestExamplesAreNamed(t *testing.T) {
	named := regexp.MustCompile(`(?m)^(query|mutation|subscription) [A-Z][A-Za-z0-9]*[ ({]`)
	files, _ := filepath.Glob("testdata/examples/*.graphql")
	for _, f := range files {
		if !named.MatchString(example(t, filepath.Base(f))) {
			t.Errorf("%s is not a named operation", f)
		}
	}
}
