// Command factgraph-seed loads seed files into a running factgraph server through its GraphQL
// API, in batches. It validates every file first, all together, and writes nothing if any is
// broken; ids the files reference but do not define are looked up on the server (one GraphQL
// request), so a file may build on what is already loaded. The upserts are idempotent, so
// running it twice leaves the same graph. Without file arguments it loads the built-in seed.
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
	check := fs.Bool("check", false, "validate the files (references they do not define against the server) and exit without writing")
	mode := fs.String("mode", "merge", "merge: fields a file leaves out keep the server's values, null clears; replace: each item is the whole object")
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
	upsertMode := kg.UpsertMode(strings.ToUpper(*mode))
	if upsertMode != kg.ModeMerge && upsertMode != kg.ModeReplace {
		return fmt.Errorf("-mode %q is neither merge nor replace", *mode)
	}
	c := &client{endpoint: *endpoint, token: *token, http: &http.Client{Timeout: 2 * time.Minute}}
	var b *seed.Bundle
	var err error
	if fs.NArg() == 0 {
		b, err = seed.Builtin()
	} else {
		b, err = seed.Load(ctx, c.lookup, fs.Args()...)
	}
	if err != nil {
		if *check {
			return fmt.Errorf("check failed:\n%w", err)
		}
		return fmt.Errorf("nothing written:\n%w", err)
	}
	if *check {
		fmt.Fprintf(stdout, "ok: %d sources, %d entities, %d relations\n", len(b.Sources), len(b.Entities), len(b.Relations))
		return nil
	}
	stages := []struct {
		name, input, mutation string
		batches               [][]any
	}{
		{"sources", "SourceInput", "upsertSources", chunks(b.Sources, *batch)},
		{"entities", "EntityInput", "upsertEntities", chunks(b.Entities, *batch)},
		// Relations go in an order where each comes with or after the relations it disputes.
		{"relations", "RelationInput", "upsertRelations", anys(b.RelationBatches(*batch))},
	}
	for _, st := range stages {
		query := fmt.Sprintf("mutation($input: [%s!]!) { result: %s(input: $input, mode: %s) { created updated unchanged } }", st.input, st.mutation, upsertMode)
		var total kg.WriteCounts
		done, all := 0, 0
		for _, items := range st.batches {
			all += len(items)
		}
		for _, items := range st.batches {
			var out struct {
				Result kg.WriteCounts `json:"result"`
			}
			if err := c.do(ctx, query, map[string]any{"input": items}, &out); err != nil {
				return fmt.Errorf("%s %d..%d: %w (earlier batches were written; rerunning is safe)", st.name, done, done+len(items)-1, err)
			}
			total.Created += out.Result.Created
			total.Updated += out.Result.Updated
			total.Unchanged += out.Result.Unchanged
			done += len(items)
			fmt.Fprintf(stderr, "\r%-9s %d/%d", st.name, done, all)
		}
		fmt.Fprintf(stderr, "\n")
		fmt.Fprintf(stdout, "%-9s created %d, updated %d, unchanged %d\n", st.name, total.Created, total.Updated, total.Unchanged)
	}
	return nil
}

// chunks splits items into batches of at most size, as the untyped values a request sends.
func chunks[T any](items []T, size int) [][]any {
	var out [][]any
	for start := 0; start < len(items); start += size {
		out = append(out, anys([][]T{items[start:min(start+size, len(items))]})[0])
	}
	return out
}

// anys turns typed batches into the untyped values a request sends.
func anys[T any](batches [][]T) [][]any {
	out := make([][]any, len(batches))
	for i, b := range batches {
		out[i] = make([]any, len(b))
		for j, it := range b {
			out[i][j] = it
		}
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

// lookup implements seed.Lookup with one GraphQL request: the nodes query, which answers up
// to kg.MaxNodeIDs ids (the seed package batches to that) with one batched read per kind of
// node, in the order asked; one root field, so the server's alias and root-field limits hold.
func (c *client) lookup(ctx context.Context, ids []string) (map[string]string, error) {
	const q = "query SeedReferences($ids: [ID!]!) { nodes(ids: $ids) { __typename } }"
	var out struct {
		Nodes []*struct {
			Typename string `json:"__typename"`
		} `json:"nodes"`
	}
	if err := c.do(ctx, q, map[string]any{"ids": ids}, &out); err != nil {
		return nil, err
	}
	if len(out.Nodes) != len(ids) {
		return nil, fmt.Errorf("nodes: %d answers for %d ids", len(out.Nodes), len(ids))
	}
	found := make(map[string]string, len(ids))
	for i, id := range ids {
		n := out.Nodes[i]
		switch {
		case n == nil:
		case n.Typename == "Source":
			found[id] = "sources"
		case n.Typename == "Relation":
			found[id] = "relations"
		default: // Person, Country, ...: the entity types
			found[id] = "entities"
		}
	}
	return found, nil
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
