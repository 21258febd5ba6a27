package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the factgraph binary as an operator would: signals, a database that never
// answers, slow clients, kill -9.

var binOnce struct {
	sync.Once
	path string
	err  error
}

func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "factgraph-bin")
		if err != nil {
			binOnce.err = err
			return
		}
		binOnce.path = filepath.Join(dir, "factgraph")
		out, err := exec.Command("go", "build", "-o", binOnce.path, ".").CombinedOutput()
		if err != nil {
			binOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binOnce.err != nil {
		t.Fatal(binOnce.err)
	}
	return binOnce.path
}

type process struct {
	cmd    *exec.Cmd
	stderr *safeBuffer
	addr   string
	done   chan error
}

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the binary with args and env; with wait it returns once it logs "serving".
func start(t *testing.T, wait bool, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	p := &process{cmd: cmd, stderr: &safeBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = io.MultiWriter(p.stderr, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := servingAddr.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
		close(addrc)
	}()
	if wait {
		select {
		case p.addr = <-addrc:
		case <-time.After(60 * time.Second):
			t.Fatalf("not serving after 60s:\n%s", p.stderr)
		}
		go func() {
			for range addrc {
			}
		}()
	}
	return p
}

// exit waits for the process to end and returns its exit code.
func (p *process) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("still running after %v:\n%s", within, p.stderr)
		return -1
	}
}

// unresponsive accepts TCP connections and never says a word, like a frozen database.
func unresponsive(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestStartAgainstAnUnresponsiveDatabase(t *testing.T) {
	db := unresponsive(t)
	t.Run("connect timeout names the cause", func(t *testing.T) {
		p := start(t, false, []string{"NEO4J_URI=bolt://" + db, "NEO4J_PASSWORD=x", "NEO4J_CONNECT_TIMEOUT=500ms"}, "-addr", "127.0.0.1:0")
		if code := p.exit(t, 30*time.Second); code != 1 || !strings.Contains(p.stderr.String(), "no answer within 500ms") {
			t.Errorf("exit %d, stderr:\n%s", code, p.stderr)
		}
	})
	t.Run("SIGTERM while connecting", func(t *testing.T) {
		p := start(t, false, []string{"NEO4J_URI=bolt://" + db, "NEO4J_PASSWORD=x", "NEO4J_CONNECT_TIMEOUT=10m"}, "-addr", "127.0.0.1:0")
		time.Sleep(500 * time.Millisecond)
		sent := time.Now()
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		code := p.exit(t, 30*time.Second)
		t.Logf("exit %d %v after SIGTERM", code, time.Since(sent).Round(time.Millisecond))
		if code != 0 {
			t.Errorf("exit %d, stderr:\n%s", code, p.stderr)
		}
	})
}

func TestShutdownWithSlowClients(t *testing.T) {
	p := start(t, true, nil, "-addr", "127.0.0.1:0", "-no-seed", "-shutdown-timeout", "1s", "-timeout", "30s")
	// Ten clients sending a body a byte at a time, and ten idle connections.
	for range 10 {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		go func() {
			for {
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
		idle, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer idle.Close()
	}
	time.Sleep(300 * time.Millisecond)
	sent := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	code := p.exit(t, 20*time.Second)
	t.Logf("exit %d %v after SIGTERM with 20 slow or idle clients", code, time.Since(sent).Round(time.Millisecond))
	if code != 0 {
		t.Errorf("exit %d, stderr:\n%s", code, p.stderr)
	}
}

func gql(t *testing.T, addr, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("%s: %v %v", query, err, r.Errors)
	}
	return r.Data
}

// Every write the embedded store acknowledged survives kill -9.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	data := filepath.Join(t.TempDir(), "factgraph.db")
	p := start(t, true, nil, "-addr", "127.0.0.1:0", "-no-seed", "-data", data)
	ctx, cancel := context.WithCancel(t.Context())
	acked := make(chan int, 1)
	go func() {
		n := 0
		defer func() { acked <- n }()
		for ctx.Err() == nil {
			body, _ := json.Marshal(map[string]any{"query": fmt.Sprintf(`mutation { upsertSources(input: [{id: "source:s%d", title: "S%d"}]) { created } }`, n, n)})
			resp, err := http.Post("http://"+p.addr+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				return
			}
			ok := resp.StatusCode == 200
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if !ok {
				return
			}
			n++
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	_ = p.cmd.Process.Kill() // SIGKILL, mid-write
	<-p.done
	cancel()
	n := <-acked
	if n == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	p2 := start(t, true, nil, "-addr", "127.0.0.1:0", "-no-seed", "-data", data)
	got := gql(t, p2.addr, `{ stats { sources } }`)["stats"].(map[string]any)["sources"].(float64)
	t.Logf("%d writes acknowledged before kill -9; %v sources after restart", n, got)
	if int(got) < n {
		t.Errorf("%d acknowledged writes, %v survived", n, got)
	}
	for _, i := range []int{0, n / 2, n - 1} {
		d := gql(t, p2.addr, fmt.Sprintf(`{ node(id: "source:s%d") { id } }`, i))
		if d["node"] == nil {
			t.Errorf("acknowledged source:s%d lost", i)
		}
	}
	_ = p2.cmd.Process.Signal(syscall.SIGTERM)
	if code := p2.exit(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
}

// gqlCode posts query with an optional bearer token and returns the first error's code.
func gqlCode(t *testing.T, addr, token, query string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func TestWriteAuthDefaults(t *testing.T) {
	const write = `mutation { upsertSources(input: [{id: "source:x", title: "X"}]) { created } }`
	local := func(addr string) string { _, port, _ := net.SplitHostPort(addr); return "127.0.0.1:" + port }
	t.Run("loopback without tokens: anyone here may write", func(t *testing.T) {
		p := start(t, true, nil, "-addr", "127.0.0.1:0", "-no-seed")
		if c := gqlCode(t, p.addr, "", write); c != "" {
			t.Errorf("code %q", c)
		}
	})
	t.Run("every interface without tokens: no writes", func(t *testing.T) {
		p := start(t, true, nil, "-addr", ":0", "-no-seed")
		if c := gqlCode(t, local(p.addr), "", write); c != "FORBIDDEN" {
			t.Errorf("code %q, want FORBIDDEN", c)
		}
	})
	t.Run("every interface, explicitly open", func(t *testing.T) {
		p := start(t, true, []string{"FACTGRAPH_ALLOW_ANONYMOUS_WRITES=true"}, "-addr", ":0", "-no-seed")
		if c := gqlCode(t, local(p.addr), "", write); c != "" {
			t.Errorf("code %q", c)
		}
	})
	t.Run("named tokens from a file and the environment, never logged", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "tokens")
		if err := os.WriteFile(file, []byte("alice token-from-the-file-123\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		p := start(t, true, []string{"FACTGRAPH_WRITE_TOKENS=bob:token-from-the-env-456"}, "-addr", ":0", "-no-seed", "-write-tokens-file", file, "-log-level", "debug")
		addr := local(p.addr)
		for token, want := range map[string]string{"": "UNAUTHENTICATED", "token-from-the-file-123": "", "token-from-the-env-456": ""} {
			if c := gqlCode(t, addr, token, write); c != want {
				t.Errorf("token %q: code %q, want %q", token, c, want)
			}
		}
		if log := p.stderr.String(); strings.Contains(log, "token-from") || !strings.Contains(log, "alice") {
			t.Errorf("the log shows a token, or not the names:\n%s", log)
		}
	})
}
