package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Machine describes where and on what a run happened.
type Machine struct {
	CPUs       int               `json:"cpus"`
	MemoryMB   int               `json:"memoryMB"`
	Kernel     string            `json:"kernel"`
	Versions   map[string]string `json:"versions"`
	Commit     string            `json:"commit"`
	CommitLine string            `json:"commitLine"`
	// Load averages (1 min) sampled every 5 s during the run.
	LoadStart, LoadEnd, LoadMean, LoadMax float64
}

func readLoad() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func memoryMB() int {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb / 1024
		}
	}
	return 0
}

func output(dir, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// describeMachine collects what can be known before the run; the Neo4j version is added later.
func describeMachine(repo, anchorDir string) Machine {
	m := Machine{
		CPUs:      runtime.NumCPU(),
		MemoryMB:  memoryMB(),
		Kernel:    output(repo, "uname", "-sr"),
		Versions:  map[string]string{"go (harness)": runtime.Version(), "node": output(repo, "node", "--version")},
		LoadStart: readLoad(),
	}
	// The last commit that changed factgraph itself (not the harness), and whether the work
	// tree has changes beyond it.
	m.Commit = output(repo, "git", "log", "-1", "--format=%h", "--", ".", ":!bench")
	m.CommitLine = output(repo, "git", "log", "-1", "--format=%s", "--", ".", ":!bench")
	if output(repo, "git", "status", "--porcelain", "--", ".", ":!bench") != "" {
		m.Commit += " (with uncommitted changes)"
	}
	if b, err := os.ReadFile(filepath.Join(anchorDir, "package-lock.json")); err == nil {
		var lock struct {
			Packages map[string]struct{ Version string } `json:"packages"`
		}
		if json.Unmarshal(b, &lock) == nil {
			for _, p := range []string{"@neo4j/graphql", "@apollo/server", "neo4j-driver", "graphql"} {
				if v := lock.Packages["node_modules/"+p].Version; v != "" {
					m.Versions[p] = v
				}
			}
		}
	}
	return m
}

// loadSampler samples the load average every 5 s until stopped.
type loadSampler struct {
	mu      sync.Mutex
	samples []float64
	stop    context.CancelFunc
	done    chan struct{}
}

func sampleLoad() *loadSampler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &loadSampler{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			s.mu.Lock()
			s.samples = append(s.samples, readLoad())
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *loadSampler) finish(m *Machine) {
	s.stop()
	<-s.done
	m.LoadEnd = readLoad()
	sum := 0.0
	for _, v := range s.samples {
		sum += v
		m.LoadMax = max(m.LoadMax, v)
	}
	if len(s.samples) > 0 {
		m.LoadMean = sum / float64(len(s.samples))
	}
}
