// Command factbench-raw is the benchmark's raw-driver baseline: the Cypher each shape needs,
// served over HTTP (see bench/rawserver). Neo4j comes from NEO4J_URI, NEO4J_USER and
// NEO4J_PASSWORD.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/factgraph/factgraph/bench/rawserver"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9104", "listen address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := run(*addr, log); err != nil {
		fmt.Fprintln(os.Stderr, "factbench-raw:", err)
		os.Exit(1)
	}
}

func run(addr string, log *slog.Logger) error {
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		return fmt.Errorf("NEO4J_URI is not set")
	}
	user := os.Getenv("NEO4J_USER")
	if user == "" {
		user = "neo4j"
	}
	driver, err := neo4j.NewDriverWithContext(uri, neo4j.BasicAuth(user, os.Getenv("NEO4J_PASSWORD"), ""))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer driver.Close(context.Background())
	if err := driver.VerifyConnectivity(ctx); err != nil {
		return err
	}
	return rawserver.Serve(ctx, addr, rawserver.New(driver, os.Getenv("NEO4J_DATABASE"), log).Handler(), log)
}
