package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/factgraph/factgraph/kg/embedded"
	"github.com/factgraph/factgraph/kg/neo4j/neo4jtest"
	"github.com/factgraph/factgraph/server"
)

// Live changes are tested as a browser would use them: graphql-transport-ws over a real
// websocket, against a real server; across processes, against two factgraph processes built
// from this package and serving one Neo4j.

// wsSub is one subscription over graphql-transport-ws.
type wsSub struct {
	t    *testing.T
	conn *websocket.Conn
}

// dial opens a graphql-transport-ws connection and completes its handshake.
func dial(t *testing.T, base, origin string) (*wsSub, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, err
	}
	s := &wsSub{t: t, conn: conn}
	t.Cleanup(func() { _ = conn.CloseNow() })
	s.send(map[string]any{"type": "connection_init"})
	if m := s.read(); m["type"] != "connection_ack" {
		t.Fatalf("handshake answered %v", m)
	}
	return s, nil
}

func (s *wsSub) send(m map[string]any) {
	s.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(s.t.Context(), 5*time.Second)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, b); err != nil {
		s.t.Fatalf("websocket write: %v", err)
	}
}

// read returns the next message other than a ping, or fails the test after 10s.
func (s *wsSub) read() map[string]any {
	s.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(s.t.Context(), 10*time.Second)
		_, b, err := s.conn.Read(ctx)
		cancel()
		if err != nil {
			s.t.Fatalf("websocket read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			s.t.Fatalf("websocket message %s: %v", b, err)
		}
		switch m["type"] {
		case "ping":
			s.send(map[string]any{"type": "pong"})
		case "pong":
		default:
			return m
		}
	}
}

const liveQuery = `subscription($after: Int, $filter: ChangeFilter) { changes(after: $after, filter: $filter) { seq operation objectType id writer } }`

func (s *wsSub) subscribe(vars map[string]any) {
	s.t.Helper()
	s.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": liveQuery, "variables": vars}})
}

// next returns the next revision the subscription delivers.
func (s *wsSub) next() map[string]any {
	s.t.Helper()
	m := s.read()
	if m["type"] != "next" {
		s.t.Fatalf("subscription sent %v, want next", m)
	}
	p, _ := m["payload"].(map[string]any)
	if errs := p["errors"]; errs != nil {
		s.t.Fatalf("subscription errors: %v", errs)
	}
	d, _ := p["data"].(map[string]any)
	r, _ := d["changes"].(map[string]any)
	return r
}

func postJSON(t *testing.T, base, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out["errors"] != nil {
		t.Fatalf("%s: %v", query, out["errors"])
	}
	return out
}

func addSource(t *testing.T, base, id string) {
	t.Helper()
	postJSON(t, base, fmt.Sprintf(`mutation { upsertSources(input: [{id: %q, title: "Title of %s"}]) { created } }`, id, id))
}

// seqOf reads a revision's sequence number.
func seqOf(r map[string]any) int {
	f, _ := r["seq"].(float64)
	return int(f)
}

func TestLiveChanges(t *testing.T) {
	s, err := embedded.Open(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(s, server.Config{AllowedOrigins: []string{"https://app.example"}, PollInterval: 20 * time.Millisecond}, discard()))
	t.Cleanup(srv.Close)

	sub, err := dial(t, srv.URL, "https://app.example")
	if err != nil {
		t.Fatal(err)
	}
	sub.subscribe(nil) // from now on
	time.Sleep(100 * time.Millisecond)
	addSource(t, srv.URL, "source:a")
	if r := sub.next(); r["id"] != "source:a" || r["operation"] != "CREATE" || seqOf(r) != 1 {
		t.Errorf("first live change = %v", r)
	}
	addSource(t, srv.URL, "source:b")
	if r := sub.next(); r["id"] != "source:b" || seqOf(r) != 2 {
		t.Errorf("second live change = %v", r)
	}

	t.Run("resume misses nothing", func(t *testing.T) {
		_ = sub.conn.Close(websocket.StatusNormalClosure, "")
		// Written while no one listened.
		addSource(t, srv.URL, "source:c")
		addSource(t, srv.URL, "source:d")
		again, err := dial(t, srv.URL, "https://app.example")
		if err != nil {
			t.Fatal(err)
		}
		again.subscribe(map[string]any{"after": 2})
		for _, want := range []string{"source:c", "source:d"} {
			if r := again.next(); r["id"] != want {
				t.Errorf("resumed subscription sent %v, want %s", r, want)
			}
		}
		addSource(t, srv.URL, "source:e")
		if r := again.next(); r["id"] != "source:e" || seqOf(r) != 5 {
			t.Errorf("after catching up: %v", r)
		}
	})

	t.Run("filter", func(t *testing.T) {
		f, err := dial(t, srv.URL, "https://app.example")
		if err != nil {
			t.Fatal(err)
		}
		f.subscribe(map[string]any{"after": 0, "filter": map[string]any{"objects": []string{"ENTITY"}}})
		addSource(t, srv.URL, "source:f")
		postJSON(t, srv.URL, `mutation { upsertEntities(input: [{id: "country:x", kind: COUNTRY, name: "X"}]) { created } }`)
		if r := f.next(); r["id"] != "country:x" || r["objectType"] != "ENTITY" {
			t.Errorf("entity-only subscription sent %v", r)
		}
	})

	t.Run("bad arguments are errors", func(t *testing.T) {
		b, err := dial(t, srv.URL, "https://app.example")
		if err != nil {
			t.Fatal(err)
		}
		b.subscribe(map[string]any{"filter": map[string]any{"types": []string{"LIKES"}}})
		if m := b.read(); m["type"] != "error" {
			t.Errorf("a bad filter answered %v, want an error message", m)
		}
	})

	t.Run("README subscription", func(t *testing.T) {
		q, err := os.ReadFile(filepath.Join("testdata", "watch-pause.graphql"))
		if err != nil {
			t.Fatal(err)
		}
		readme, err := os.ReadFile("../../README.md")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readme, bytes.TrimSpace(q)) {
			t.Error("README.md does not show testdata/watch-pause.graphql verbatim")
		}
		w, err := dial(t, srv.URL, "https://app.example")
		if err != nil {
			t.Fatal(err)
		}
		w.send(map[string]any{"id": "w", "type": "subscribe", "payload": map[string]any{"query": string(q)}})
		postJSON(t, srv.URL, `mutation { upsertEntities(input: [{id: "agreement:2025-03-energy-infrastructure-strike-pause", kind: AGREEMENT, name: "Pause"}]) { created } }`)
		m := w.read()
		p, _ := m["payload"].(map[string]any)
		d, _ := p["data"].(map[string]any)
		r, _ := d["changes"].(map[string]any)
		if m["type"] != "next" || r["id"] != "agreement:2025-03-energy-infrastructure-strike-pause" || r["operation"] != "CREATE" {
			t.Errorf("the README subscription sent %v", m)
		}
	})

	t.Run("origin follows CORS", func(t *testing.T) {
		if _, err := dial(t, srv.URL, "https://evil.example"); err == nil || !strings.Contains(err.Error(), "403") {
			t.Errorf("a websocket from a foreign origin: %v, want refused with 403", err)
		}
	})
}

// factgraph is one server process.
type factgraph struct {
	base string
	cmd  *exec.Cmd
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// buildFactgraph builds this command into dir.
func buildFactgraph(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "factgraph")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startFactgraph starts a server process on a free port of 127.0.0.1 with env added, and
// waits until it serves.
func startFactgraph(t *testing.T, bin string, env ...string) *factgraph {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-log-level", "info")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingAddr.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		return &factgraph{base: "http://" + a, cmd: cmd}
	case <-time.After(2 * time.Minute):
		t.Fatal("factgraph did not start serving within 2 minutes")
		return nil
	}
}

// twoProcesses starts two factgraph processes over the test Neo4j, wiped.
func twoProcesses(t *testing.T) (a, b *factgraph) {
	neo4jtest.OpenEmpty(t) // wipes the database; fails in CI without one
	cfg := neo4jtest.Config(t)
	bin := buildFactgraph(t)
	env := []string{"NEO4J_URI=" + cfg.URI, "NEO4J_USER=" + cfg.User, "NEO4J_PASSWORD=" + cfg.Password, "NEO4J_DATABASE=" + cfg.Database}
	return startFactgraph(t, bin, env...), startFactgraph(t, bin, env...)
}

// TestTwoProcessesOneNeo4j runs two factgraph processes over one Neo4j: a change written
// through one reaches a subscriber of the other, a subscriber that reconnects to either misses
// nothing, and a client that writes through one and reads through the other with the write's
// bookmark sees its write.
func TestTwoProcessesOneNeo4j(t *testing.T) {
	a, b := twoProcesses(t)
	t.Run("live changes", func(t *testing.T) {
		sub, err := dial(t, b.base, "")
		if err != nil {
			t.Fatal(err)
		}
		sub.subscribe(map[string]any{"after": 0})
		addSource(t, a.base, "source:one")
		first := sub.next()
		if first["id"] != "source:one" || first["operation"] != "CREATE" {
			t.Fatalf("B's subscriber got %v, want the source written through A", first)
		}
		_ = sub.conn.Close(websocket.StatusNormalClosure, "")

		// Written while the subscriber is away; it resumes on A this time.
		addSource(t, a.base, "source:two")
		addSource(t, b.base, "source:three")
		again, err := dial(t, a.base, "")
		if err != nil {
			t.Fatal(err)
		}
		again.subscribe(map[string]any{"after": seqOf(first)})
		for i, want := range []string{"source:two", "source:three"} {
			r := again.next()
			if r["id"] != want || seqOf(r) != seqOf(first)+i+1 {
				t.Errorf("resumed change %d = %v, want %s at %d", i, r, want, seqOf(first)+i+1)
			}
		}
	})
	t.Run("read your writes", func(t *testing.T) {
		resp, body := request(t, a.base, `mutation { upsertSources(input: [{id: "source:mine", title: "Mine"}]) { created } }`, "")
		tok := resp.Header.Get(server.BookmarkHeader)
		ext, _ := body["extensions"].(map[string]any)
		if tok == "" || ext["bookmark"] != tok {
			t.Fatalf("a write answered bookmark header %q, extension %v; want the same token in both", tok, ext["bookmark"])
		}
		resp, body = request(t, b.base, `{ node(id: "source:mine") { ... on Source { title } } }`, tok)
		if d, _ := body["data"].(map[string]any); resp.StatusCode != http.StatusOK || d["node"] == nil {
			t.Errorf("reading the write through B with its bookmark: %s %v", resp.Status, body)
		}
		if resp.Header.Get(server.BookmarkHeader) != "" {
			t.Errorf("a read answered a bookmark header")
		}
		if resp, _ := request(t, b.base, `{ stats { sources } }`, "not a bookmark"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a malformed bookmark: %s, want 400", resp.Status)
		}
	})
}

// request posts a GraphQL request with an optional bookmark and returns the response and
// its decoded body.
func request(t *testing.T, base, query, bookmark string) (*http.Response, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bookmark != "" {
		req.Header.Set(server.BookmarkHeader, bookmark)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}
