package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/graph"
	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/server"
)

// The hostile-request battery over a real TCP listener, with the transport limits main uses.

// listen serves h the way cmd/factgraph does and returns its address.
func listen(t *testing.T, store kg.Store, cfg server.Config, maxConns int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.HTTPServer(server.New(store, cfg, slog.New(slog.DiscardHandler)), cfg)
	limited := server.LimitListener(ln, maxConns, srv)
	go func() { _ = srv.Serve(limited) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

func emptyStore(t *testing.T) kg.Store {
	s, err := embedded.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// rawExchange writes req as is and reads one HTTP response.
func rawExchange(t *testing.T, addr string, write func(c net.Conn)) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	write(c)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func errCode(t *testing.T, body string) string {
	t.Helper()
	var r struct {
		Data   any `json:"data"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("answer is not JSON: %v: %.200q", err, body)
	}
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func TestBodyAndHeaderLimits(t *testing.T) {
	addr := listen(t, emptyStore(t), server.Config{MaxBodyBytes: 1000, MaxHeaderBytes: 4096}, 0)
	big := `{"query":"{ stats { entities } }","variables":{"x":"` + strings.Repeat("x", 2000) + `"}}`

	t.Run("over the limit with Content-Length", func(t *testing.T) {
		resp, body := rawExchange(t, addr, func(c net.Conn) {
			fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(big), big)
		})
		if resp.StatusCode != http.StatusRequestEntityTooLarge || errCode(t, body) != server.CodePayloadTooLarge {
			t.Errorf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("over the limit chunked", func(t *testing.T) {
		resp, body := rawExchange(t, addr, func(c net.Conn) {
			fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			for i := 0; i < len(big); i += 100 {
				chunk := big[i:min(i+100, len(big))]
				fmt.Fprintf(c, "%x\r\n%s\r\n", len(chunk), chunk)
			}
			fmt.Fprintf(c, "0\r\n\r\n")
		})
		if resp.StatusCode != http.StatusRequestEntityTooLarge || errCode(t, body) != server.CodePayloadTooLarge {
			t.Errorf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("under the limit chunked", func(t *testing.T) {
		q := `{"query":"{ stats { entities } }"}`
		resp, body := rawExchange(t, addr, func(c net.Conn) {
			fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(q), q)
		})
		if resp.StatusCode != http.StatusOK || errCode(t, body) != "" {
			t.Errorf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("headers over the limit", func(t *testing.T) {
		resp, _ := rawExchange(t, addr, func(c net.Conn) {
			fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: %s\r\n\r\n", strings.Repeat("j", 8192))
		})
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

func TestSlowClientsAreCutOff(t *testing.T) {
	addr := listen(t, emptyStore(t), server.Config{RequestTimeout: 300 * time.Millisecond, ReadHeaderTimeout: 300 * time.Millisecond}, 0)
	t.Run("body a byte at a time", func(t *testing.T) {
		start := time.Now()
		resp, body := rawExchange(t, addr, func(c net.Conn) {
			fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
			go func() {
				for range 1000 {
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}()
		})
		t.Logf("answered after %v", time.Since(start).Round(time.Millisecond))
		if resp.StatusCode != http.StatusRequestTimeout || errCode(t, body) != graph.CodeTimeout {
			t.Errorf("status %d body %s", resp.StatusCode, body)
		}
	})
	t.Run("headers never finished", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		// The server closes the connection (Go may first write a 408); either way it does not wait.
		_, err = io.ReadAll(c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("connection still open after 10s with a 300ms header timeout")
		}
	})
}

func TestConnectionCap(t *testing.T) {
	addr := listen(t, emptyStore(t), server.Config{}, 2)
	var idle []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	// A third client is accepted by the kernel but not served while the two hold their slots.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("a third connection was served over a cap of 2")
	}
	idle[0].Close()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after a slot freed: %v %v", resp, err)
	}
	idle[1].Close()
}

// Idle keep-alive connections must not hold the cap against newcomers: one client with
// maxConns idle sockets locked everyone else out for IdleTimeout (a minute).
func TestConnectionCapIdleConnections(t *testing.T) {
	const maxConns = 4
	addr := listen(t, emptyStore(t), server.Config{}, maxConns)
	healthz := func(c net.Conn, r *bufio.Reader) error {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	type conn struct {
		net.Conn
		r *bufio.Reader
	}
	var idle []conn
	for i := range maxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		r := bufio.NewReader(c)
		if err := healthz(c, r); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		idle = append(idle, conn{c, r}) // answered, kept alive, now idle
	}
	// Newcomers are served, each in place of the longest idle connection.
	for i := range maxConns + 1 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("newcomer %d with %d idle connections open: %v", i, maxConns, err)
		}
		resp.Body.Close()
	}
	// The first idle connection was the one closed for the first newcomer.
	if err := healthz(idle[0].Conn, idle[0].r); err == nil {
		t.Error("the longest idle connection still served a request; it should have been closed")
	}
}

// blockingStore answers Stats only when its context ends, or never looks at it.
type blockingStore struct {
	kg.Store
	ignoreContext bool
	release       chan struct{}
}

func (b *blockingStore) Stats(ctx context.Context, q kg.StatsQuery) (*kg.Stats, error) {
	if b.ignoreContext {
		<-b.release
		return b.Store.Stats(context.Background(), q)
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestDeadlines(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("store ignores its context: %v", ignore), func(t *testing.T) {
			store := &blockingStore{Store: emptyStore(t), ignoreContext: ignore, release: make(chan struct{})}
			t.Cleanup(func() { close(store.release) })
			addr := listen(t, store, server.Config{RequestTimeout: 200 * time.Millisecond}, 0)
			for _, accept := range []string{"application/json", "application/graphql-response+json"} {
				start := time.Now()
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ stats { entities } }"}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", accept)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				elapsed := time.Since(start)
				t.Logf("%s: %d %s after %v", accept, resp.StatusCode, body, elapsed.Round(time.Millisecond))
				if errCode(t, string(body)) != graph.CodeTimeout {
					t.Errorf("%s: want a TIMEOUT error, got %d %s", accept, resp.StatusCode, body)
				}
				// Not a timing assertion: the store would hold the answer forever.
				if elapsed > 10*time.Second {
					t.Errorf("answer took %v", elapsed)
				}
			}
		})
	}
}

func TestHostileValues(t *testing.T) {
	addr := "http://" + listen(t, emptyStore(t), server.Config{}, 0)
	cases := []struct {
		name, query string
		vars        map[string]any
		code        string
	}{
		{"NUL in a name", `mutation($in: [SourceInput!]!) { upsertSources(input: $in) { created } }`,
			map[string]any{"in": []any{map[string]any{"id": "source:nul", "title": "a\x00b"}}}, string(kg.CodeInvalidInput)},
		{"control character in an id", `mutation { deleteRelation(id: "rel:a\u0007") { deletedId } }`, nil, string(kg.CodeInvalidInput)},
		{"first too large", `{ entities(first: 100000) { totalCount } }`, nil, string(kg.CodeInvalidInput)},
		{"first negative", `{ entities(first: -1) { totalCount } }`, nil, string(kg.CodeInvalidInput)},
		{"first over 32 bits", `{ entities(first: 9999999999) { totalCount } }`, nil, string(kg.CodeInvalidInput)},
		{"huge variable", `query($q: String!) { search(query: $q) { score } }`, map[string]any{"q": strings.Repeat("a", 3<<20)}, string(kg.CodeInvalidInput)},
		{"huge list variable", `query($ids: [ID!]) { entities(filter: {ids: $ids}) { totalCount } }`,
			map[string]any{"ids": strings.Split(strings.Repeat("person:x,", 200000), ",")}, string(kg.CodeInvalidInput)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(t, addr, c.query, c.vars)
			if code(r) != c.code {
				t.Errorf("code = %q, want %q (%+v)", code(r), c.code, r.Errors)
			}
		})
	}
	t.Run("invalid UTF-8", func(t *testing.T) {
		// encoding/json turns invalid bytes into U+FFFD; the name is stored that way, or refused.
		body := "{\"query\":\"mutation { upsertSources(input: [{id: \\\"source:utf\\\", title: \\\"a\xff\xfeb\\\"}]) { created } }\"}"
		resp, err := http.Post(addr+"/graphql", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if c := errCode(t, string(raw)); resp.StatusCode != http.StatusOK || (c != "" && c != string(kg.CodeInvalidInput)) {
			t.Errorf("status %d body %s", resp.StatusCode, raw)
		}
	})
}

func TestGraphQLOverHTTPStatus(t *testing.T) {
	addr := "http://" + listen(t, emptyStore(t), server.Config{}, 0)
	cases := []struct {
		name, body, accept string
		status             int
		code               string
	}{
		{"parse error, json", `{"query":"{ stats { "}`, "application/json", 200, "GRAPHQL_PARSE_FAILED"},
		{"parse error, graphql-response", `{"query":"{ stats { "}`, "application/graphql-response+json", 400, "GRAPHQL_PARSE_FAILED"},
		{"validation error, json", `{"query":"{ nope }"}`, "application/json", 200, "GRAPHQL_VALIDATION_FAILED"},
		{"validation error, graphql-response", `{"query":"{ nope }"}`, "application/graphql-response+json", 400, "GRAPHQL_VALIDATION_FAILED"},
		{"limit, graphql-response", `{"query":"{ stats { ` + strings.Repeat("entities ", 1001) + `} }"}`, "application/graphql-response+json", 400, "TOO_MANY_FIELDS"},
		{"limit, json", `{"query":"{ stats { ` + strings.Repeat("entities ", 1001) + `} }"}`, "application/json", 200, "TOO_MANY_FIELDS"},
		{"field error, graphql-response", `{"query":"{ entities(first: -1) { totalCount } }"}`, "application/graphql-response+json", 200, string(kg.CodeInvalidInput)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, addr+"/graphql", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", c.accept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || errCode(t, string(body)) != c.code {
				t.Errorf("got %d %s; want %d %s", resp.StatusCode, body, c.status, c.code)
			}
			if c.status == 400 && strings.Contains(string(body), `"data"`) {
				t.Errorf("a request error must not have a data entry: %s", body)
			}
		})
	}
}
