#!/usr/bin/env bash
# The whole test suite, as CI runs it (`make test` calls this). On a fresh machine it needs only
# Go, Java 17 and Maven: it builds and starts a real Neo4j (tools/neo4j), checks formatting,
# vet and generated code, runs every Go test with the race detector against both stores, and
# stops Neo4j whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "generated code is in sync (go generate ./...)"
snapshot() { git ls-files -co --exclude-standard -z | xargs -0 sha256sum 2>/dev/null | sort; }
before=$(snapshot)
go generate ./...
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "go generate changed files; run it and commit the result:"
  diff <(echo "$before") <(echo "$after") || true
  exit 1
fi

step "web/dist is what web/build.sh builds from web/src and package-lock.json (npm ci)"
# The playground's bundle is committed so that `go run ./cmd/factgraph` needs no Node.js; this
# rebuild proves the committed bytes come from the committed sources and lockfile.
bash web/build.sh --check

step "start Neo4j (tools/neo4j)"
# The tests wipe the database they are given, so they get the project's own throwaway server
# through test-only variables, never a NEO4J_URI the user may have exported for real data.
# start.sh reuses a server it started earlier and refuses a port held by anything else. Stop
# Neo4j on exit only if this script started it, so a developer's running instance stays.
pidfile="${NEO4J_RUN_DIR:-tools/neo4j/run}/neo4j.pid"
if ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
  trap 'step "stop Neo4j"; bash tools/neo4j/stop.sh' EXIT
fi
bash tools/neo4j/start.sh >/dev/null
export FACTGRAPH_TEST_NEO4J_URI="bolt://127.0.0.1:${NEO4J_BOLT_PORT:-7687}"
export FACTGRAPH_TEST_NEO4J_USER=neo4j
export FACTGRAPH_TEST_NEO4J_PASSWORD="${NEO4J_PASSWORD:-factgraph-dev}"
# The outage test (kg/neo4j TestNeo4jStopStart) may stop and restart this server.
export FACTGRAPH_TEST_NEO4J_RESTART=1

step "go test -race -count=1 ./..."
# Packages run one at a time (-p 1): their tests share the one Neo4j database. The Neo4j
# contract suite under -race takes minutes on a small machine: 30m, not the default 10m.
go test -race -count=1 -p 1 -timeout 30m "$@" ./...

step "browser and client tests (web/test: Debian chromium driven by playwright-core)"
# playwright-core drives the machine's Chromium; it never downloads a browser of its own.
if ! command -v chromium >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
webtmp=$(mktemp -d)
go build -o "$webtmp/factgraph" ./cmd/factgraph
export FACTGRAPH_BIN="$webtmp/factgraph" FACTGRAPH_TEST_OUTPUT="$PWD/web/test-output"
(cd web && node --test --test-concurrency=1 test/*.test.mjs)
echo "screenshots: web/test-output/"
