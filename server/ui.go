package server

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/factgraph/factgraph/web"
)

// The README's example operations, which the tests run against both stores, are also the
// playground's default tabs: one copy, so the playground cannot show a query the tests don't
// hold to its answer.
//
//go:embed testdata/examples/*.graphql
var exampleFiles embed.FS

// example is one playground tab.
type example struct {
	Name  string `json:"name"`
	Query string `json:"query"`
}

// uiRoutes adds the browser UI: the playground at /, the explorer at /explore, their assets,
// the favicon, and the examples the playground opens with.
func uiRoutes(mux *http.ServeMux) {
	ui := web.New()
	mux.Handle("GET /{$}", ui.File("playground.html"))
	mux.Handle("GET /explore", ui.File("explorer.html"))
	mux.Handle("GET /assets/", ui.Assets())
	mux.Handle("GET /favicon.ico", ui.File("favicon.ico"))
	mux.Handle("GET /favicon.svg", ui.File("favicon.svg"))
	examples := loadExamples()
	mux.HandleFunc("GET /playground/examples.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(examples)
	})
}

func loadExamples() []byte {
	var out []example
	names, _ := fs.Glob(exampleFiles, "testdata/examples/*.graphql")
	for _, n := range names { // fs.Glob returns them sorted: the README's order
		b, _ := exampleFiles.ReadFile(n)
		out = append(out, example{Name: strings.TrimSuffix(path.Base(n), ".graphql"), Query: string(b)})
	}
	b, _ := json.Marshal(out)
	return b
}
