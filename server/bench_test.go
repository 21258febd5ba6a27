package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/kg/storetest"
	"github.com/factgraph/factgraph/server"
)

// BenchmarkHTTP serves the benchmark's query shapes through the whole handler (CORS, limits,
// gqlgen, look-ahead, JSON) on the embedded store holding a generated graph, without a
// network in between: what one request costs the server itself.
// go test -run '^$' -bench HTTP -benchmem ./server/
func BenchmarkHTTP(b *testing.B) {
	s, err := embedded.Open(b.Context(), "")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	src, ents, rels := storetest.Generate(7, 2000, 6000, 4)
	if err := storetest.WriteAll(b.Context(), s, src, ents, rels); err != nil {
		b.Fatal(err)
	}
	h := server.New(s, server.Config{}, slog.New(slog.DiscardHandler))
	hub := ents[250].ID // Generate's first hub of four among 2000
	shapes := []struct{ name, query string }{
		{"EntityByID", `{ entity(id: "gen:e00042") { id name kind } }`},
		{"EntityRelations20", `{ entity(id: "` + hub + `") { name relations(first: 20) { edges { node { type from { name } to { name } } } } } }`},
		{"TwoLevels", `{ entity(id: "` + hub + `") { name relations(first: 10) { edges { node { to { name relations(first: 10) { edges { node { type to { name } } } } } } } } } }`},
		{"EntitiesNameFilter50", `{ entities(filter: { kinds: [PERSON], nameContains: "1" }, orderBy: { field: NAME }, first: 50) { edges { node { id name } } } }`},
		{"RelationsByType100", `{ relations(filter: { types: [SPOKE_WITH] }, first: 100) { edges { node { id from { name } to { name } } } } }`},
		{"CountKind", `{ entities(filter: { kinds: [PERSON] }, first: 0) { totalCount } }`},
	}
	for _, sh := range shapes {
		body := `{"query":` + quote(sh.query) + `}`
		b.Run(sh.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
					b.Fatalf("%d: %s", w.Code, w.Body.String())
				}
				_, _ = io.Copy(io.Discard, w.Body)
			}
		})
	}
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}
