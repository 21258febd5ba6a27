// Command factgraph-seed loads seed files into a running factgraph server through its GraphQL
// API, in batches. It validates every file first and writes nothing if any is broken; the
// upserts are idempotent, so running it twice leaves the same graph. Without file arguments
// it loads the built-in seed.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/factgraph/factgraph/kg"
	"github.com/factgraph/factgraph/seed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "factgraph-seed:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("factgraph-seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", envOr("FACTGRAPH_ENDPOINT", "http://localhost:8080/graphql"), "GraphQL endpoint of a running server (env FACTGRAPH_ENDPOINT)")
	token := fs.String("token", os.Getenv("FACTGRAPH_WRITE_TOKEN"), "write token, if the server has one (env FACTGRAPH_WRITE_TOKEN)")
	batch := fs.Int("batch", 500, "items per mutation (at most 1000)")
	check := fs.Bool("check", false, "validate the files and exit without writing")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: factgraph-seed [flags] [file.yaml ...]\n\nWithout files, loads the built-in seed.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *batch < 1 || *batch > kg.MaxBatch {
		return fmt.Errorf("-batch %d is outside 1..%d", *batch, kg.MaxBatch)
	}
	var b *seed.Bundle
	var err error
	if fs.NArg() == 0 {
		b, err = seed.Builtin()
	} else {
		b, err = seed.LoadFiles(fs.Args()...)
	}
	if err == nil {
		err = b.Validate()
	}
	if err != nil {
		return fmt.Errorf("nothing written:\n%w", err)
	}
	if *check {
		fmt.Fprintf(stdout, "ok: %d sources, %d entities, %d relations\n", len(b.Sources), len(b.Entities), len(b.Relations))
		return nil
	}
	c := &client{endpoint: *endpoint, token: *token, http: &http.Client{Timeout: 2 * time.Minute}}
	stages := []struct {
		name, mutation string
		items          []any
	}{
		{"sources", "upsertSources(input: $input) { created updated unchanged }", anys(b.Sources)},
		{"entities", "upsertEntities(input: $input) { created updated unchanged }", anys(b.Entities)},
		{"relations", "upsertRelations(input: $input) { created updated unchanged }", anys(b.Relations)},
	}
	for _, st := range stages {
		var total kg.WriteCounts
		typ := map[string]string{"sources": "SourceInput", "entities": "EntityInput", "relations": "RelationInput"}[st.name]
		query := fmt.Sprintf("mutation($input: [%s!]!) { result: %s }", typ, st.mutation)
		for start := 0; start < len(st.items); start += *batch {
			end := min(start+*batch, len(st.items))
			var out struct {
				Result kg.WriteCounts `json:"result"`
			}
			if err := c.do(ctx, query, map[string]any{"input": st.items[start:end]}, &out); err != nil {
				return fmt.Errorf("%s %d..%d: %w (earlier batches were written; rerunning is safe)", st.name, start, end-1, err)
			}
			total.Created += out.Result.Created
			total.Updated += out.Result.Updated
			total.Unchanged += out.Result.Unchanged
			fmt.Fprintf(stderr, "\r%-9s %d/%d", st.name, end, len(st.items))
		}
		fmt.Fprintf(stderr, "\n")
		fmt.Fprintf(stdout, "%-9s created %d, updated %d, unchanged %d\n", st.name, total.Created, total.Updated, total.Unchanged)
	}
	return nil
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i := range xs {
		out[i] = xs[i]
	}
	return out
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

type client struct {
	endpoint, token string
	http            *http.Client
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// do sends one GraphQL request and decodes its data into out; GraphQL errors come back as
// one error listing each message and code.
func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("%s answered %s, not GraphQL: %w", c.endpoint, resp.Status, err)
	}
	if len(res.Errors) > 0 {
		msgs := make([]string, len(res.Errors))
		for i, e := range res.Errors {
			msgs[i] = fmt.Sprintf("%s (%v)", e.Message, e.Extensions["code"])
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return json.Unmarshal(res.Data, out)
}
