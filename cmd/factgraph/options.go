package main

import (
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
)

// version describes this build from what the Go toolchain stamped into it: the module version
// (a tag for `go install ...@v1.2.3`, "(devel)" for a local build), the commit and its time,
// and whether the work tree had changes. `go run` and `go test` stamp no commit.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "factgraph (no build information)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "factgraph %s", info.Main.Version)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, " commit %s", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(" with uncommitted changes")
		}
	}
	fmt.Fprintf(&b, ", %s", info.GoVersion)
	return b.String()
}

// newLogHandler is text (logfmt, for people) or JSON (one object a line, for log pipelines).
func newLogHandler(format string, w io.Writer, level slog.Level) (slog.Handler, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.NewTextHandler(w, opts), nil
	case "json":
		return slog.NewJSONHandler(w, opts), nil
	}
	return nil, fmt.Errorf("-log-format: %q is neither text nor json", format)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
