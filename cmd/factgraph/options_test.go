package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/factgraph/factgraph/server"
)

func TestVersionFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-version"}, func(string) string { return "" }, &out, os.Stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "factgraph ") || !strings.Contains(out.String(), "go1.") {
		t.Errorf("-version printed %q", out.String())
	}
}

func TestJSONLogs(t *testing.T) {
	var buf bytes.Buffer
	h, err := newLogHandler("json", &buf, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	slog.New(h).Info("serving", "addr", "127.0.0.1:1")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["msg"] != "serving" || line["addr"] != "127.0.0.1:1" {
		t.Errorf("json log line %q: %v", buf.String(), err)
	}
	if _, err := newLogHandler("xml", &buf, slog.LevelInfo); err == nil || !strings.Contains(err.Error(), "-log-format") {
		t.Errorf("unknown format: %v", err)
	}
}

func TestCORSHeadersAndMetricsFlags(t *testing.T) {
	c, err := parseFlags(nil, func(string) string { return "" }, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(splitList(c.corsHeaders), server.DefaultAllowedHeaders) || !c.metrics || c.logFormat != "text" {
		t.Errorf("defaults: headers %q, metrics %v, log format %q", c.corsHeaders, c.metrics, c.logFormat)
	}
	env := map[string]string{"FACTGRAPH_CORS_HEADERS": "Content-Type, X-Tenant ,", "FACTGRAPH_METRICS": "false", "FACTGRAPH_LOG_FORMAT": "json"}
	c, err = parseFlags(nil, func(k string) string { return env[k] }, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(splitList(c.corsHeaders), []string{"Content-Type", "X-Tenant"}) || c.metrics || c.logFormat != "json" {
		t.Errorf("from env: headers %q, metrics %v, log format %q", c.corsHeaders, c.metrics, c.logFormat)
	}
}
