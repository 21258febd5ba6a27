package server_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/server"
)

// writerStore records the writer named in the context of each write.
type writerStore struct {
	kg.Store
	mu      sync.Mutex
	writers []string
}

func (w *writerStore) UpsertSources(ctx context.Context, in []kg.SourceInput) ([]*kg.Source, kg.WriteCounts, error) {
	w.mu.Lock()
	w.writers = append(w.writers, kg.WriterFrom(ctx))
	w.mu.Unlock()
	return w.Store.UpsertSources(ctx, in)
}

func TestNamedWriteTokens(t *testing.T) {
	store := &writerStore{Store: emptyStore(t)}
	tokens, err := server.ParseWriteTokens(strings.NewReader("# seed loaders\nalice a-very-long-token-1\nbob:a-very-long-token-2, carol:a-very-long-token-3\n"), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + listen(t, store, server.Config{WriteTokens: tokens}, 0)
	const m = `mutation { upsertSources(input: [{id: "source:x", title: "X"}]) { created } }`
	for _, c := range []struct{ token, code string }{
		{"", string(kg.CodeUnauthorized)},
		{"a-very-long-token-", string(kg.CodeUnauthorized)},
		{"a-very-long-token-2", ""},
		{"a-very-long-token-3", ""},
		{"a-very-long-token-1", ""},
	} {
		var r response
		if c.token == "" {
			r = post(t, addr, m, nil)
		} else {
			r = post(t, addr, m, nil, "Authorization", "Bearer "+c.token)
		}
		if code(r) != c.code {
			t.Errorf("token %q: code %q, want %q", c.token, code(r), c.code)
		}
	}
	if got := strings.Join(store.writers, ","); got != "bob,carol,alice" {
		t.Errorf("writers recorded: %q, want bob,carol,alice", got)
	}
	if r := post(t, addr, `{ stats { sources } }`, nil); code(r) != "" {
		t.Errorf("reads need no token: %+v", r.Errors)
	}
}

func TestAnonymousWritesRefused(t *testing.T) {
	addr := "http://" + listen(t, emptyStore(t), server.Config{RefuseAnonymousWrites: true}, 0)
	r := post(t, addr, `mutation { upsertSources(input: [{id: "source:x", title: "X"}]) { created } }`, nil)
	if code(r) != string(kg.CodeForbidden) {
		t.Errorf("code %q, want FORBIDDEN: %+v", code(r), r.Errors)
	}
	if r := post(t, addr, `{ stats { sources } }`, nil); code(r) != "" {
		t.Errorf("reads stay open: %+v", r.Errors)
	}
}

func TestParseWriteTokensNeverShowsAToken(t *testing.T) {
	for _, in := range []string{
		"alice secret-one\nalice secret-two", // name twice
		"alice secret-one\nbob secret-one",   // token twice
		"alice secret-one extra",             // three fields
		"al ice:secret-one",                  // bad name
		"alice:",                             // no token
		"bad/name secret-one",                // bad name
	} {
		_, err := server.ParseWriteTokens(strings.NewReader(in), "f")
		if err == nil {
			t.Errorf("%q accepted", in)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows a token: %v", err)
		}
	}
}
