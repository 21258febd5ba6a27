package neo4jstore

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/factgraph/factgraph/kg"
)

// Once a call has found the database unreachable, the others fail at once (errKnownDown)
// instead of each waiting out the driver's retries; a probe per interval looks again.
func TestKnownDownFailsFast(t *testing.T) {
	s, err := newStore(Config{URI: "bolt://127.0.0.1:1", User: "neo4j", Password: "x", RetryTime: time.Second, ProbeInterval: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx := t.Context()
	start := time.Now()
	if _, err := s.EntitiesByIDs(ctx, []string{"person:x"}); !errors.Is(err, kg.ErrUnavailable) {
		t.Fatalf("first call: %v, want unavailable", err)
	}
	t.Logf("first call (finds out): %v", time.Since(start).Round(time.Millisecond))
	for i := range 3 {
		start := time.Now()
		_, err := s.EntitiesByIDs(ctx, []string{"person:x"})
		if !errors.Is(err, kg.ErrUnavailable) || !errors.Is(err, errKnownDown) {
			t.Fatalf("call %d while known down: %v, want errKnownDown without trying", i, err)
		}
		t.Logf("call %d while known down: %v", i, time.Since(start).Round(time.Microsecond))
	}
	if err := s.Ping(ctx); !errors.Is(err, errKnownDown) {
		t.Errorf("Ping while known down: %v", err)
	}
}

// Against an address that accepts TCP but never speaks Bolt, Open gives up when its context
// does, and says why.
func TestOpenAgainstAnUnresponsiveListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn // accepted, never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	cause := errors.New("no answer from Neo4j within 500ms")
	ctx, cancel := context.WithTimeoutCause(t.Context(), 500*time.Millisecond, cause)
	defer cancel()
	start := time.Now()
	_, err = Open(ctx, Config{URI: "bolt://" + ln.Addr().String(), User: "neo4j", Password: "x"}, nil)
	t.Logf("Open gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if !errors.Is(err, kg.ErrUnavailable) || !strings.Contains(err.Error(), cause.Error()) {
		t.Errorf("err = %v, want unavailable with the cause %q", err, cause)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("Open did not stop with its context")
	}
}

// TestNeo4jStopStart stops the real test Neo4j with tools/neo4j/stop.sh, checks that calls
// fail fast with UNAVAILABLE, starts it again and checks that the same store recovers by
// itself. It restarts the shared test server, so it runs only where that is allowed:
// scripts/test.sh (which owns the server) sets FACTGRAPH_TEST_NEO4J_RESTART=1.
func TestNeo4jStopStart(t *testing.T) {
	cfg := testConfig(t)
	if os.Getenv("FACTGRAPH_TEST_NEO4J_RESTART") != "1" {
		if os.Getenv("CI") == "true" {
			t.Fatal("FACTGRAPH_TEST_NEO4J_RESTART=1 not set in CI: scripts/test.sh sets it")
		}
		t.Skip("FACTGRAPH_TEST_NEO4J_RESTART=1 not set: this test stops and starts the test Neo4j")
	}
	u, err := url.Parse(cfg.URI)
	if err != nil {
		t.Fatal(err)
	}
	script := func(name string) {
		t.Helper()
		cmd := exec.Command("bash", "../../tools/neo4j/"+name)
		cmd.Env = append(os.Environ(), "NEO4J_BOLT_PORT="+u.Port())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
	}
	ctx := t.Context()
	cfg.ProbeInterval = 500 * time.Millisecond
	s, err := Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	started := false
	defer func() {
		if !started {
			script("start.sh") // leave the server running for the next tests, whatever happened
		}
	}()

	script("stop.sh")
	start := time.Now()
	if _, err := s.EntitiesByIDs(ctx, []string{"person:x"}); !errors.Is(err, kg.ErrUnavailable) {
		t.Fatalf("first read after stop: %v, want unavailable", err)
	}
	t.Logf("first read after stop: UNAVAILABLE after %v", time.Since(start).Round(time.Millisecond))
	for i := range 5 {
		start := time.Now()
		_, err := s.EntitiesByIDs(ctx, []string{"person:x"})
		if !errors.Is(err, kg.ErrUnavailable) {
			t.Fatalf("read %d while down: %v", i, err)
		}
		if d := time.Since(start); d > 0 {
			t.Logf("read %d while down: UNAVAILABLE after %v", i, d.Round(time.Millisecond))
		}
	}

	script("start.sh")
	started = true
	start = time.Now()
	for s.Ping(ctx) != nil {
		if time.Since(start) > time.Minute {
			t.Fatal("the store did not recover within a minute of the database starting")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("ready again %v after start.sh returned", time.Since(start).Round(time.Millisecond))
	if _, err := s.EntitiesByIDs(ctx, []string{"person:x"}); err != nil {
		t.Fatalf("read after recovery: %v", err)
	}
}
