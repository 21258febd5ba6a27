#!/usr/bin/env bash
# factgraph's benchmark in one command (see bench/README.md):
#
#   bash bench/run.sh                         # 20,000 entities, all shapes and servers
#   BENCH_QUICK=1 bash bench/run.sh           # a smoke run: 2,000 entities, short phases
#   BENCH_N=100000 BENCH_LABEL=big bash bench/run.sh -duration 30s
#   BENCH_SCALING="10000 100000" bash bench/run.sh   # Q1/Q4 at each size -> results/scaling.md
#   BENCH_N=100000 bash bench/run.sh -load-only      # load a size now, measure it later
#
# Builds factgraph and the raw-driver server, installs the anchor (npm ci), starts the project's
# Neo4j (tools/neo4j) on its own port, run directory and one data directory per data size
# (so a size loads once and later runs reuse it), runs bench/cmd/factbench with the remaining
# arguments, and stops Neo4j again. Env:
#   BENCH_N (20000)            entities in the data set
#   BENCH_LABEL (run-<N>)      results go to bench/results/<label>.{md,svg,json}
#   BENCH_QUICK=1              small and short: for checking the harness, not for figures
#   BENCH_SCALING="N1 N2 ..."  instead of a full run: Q1 and Q4 at each size
#   BENCH_NEO4J_PORT (7690)    Bolt port of the benchmark's Neo4j (run dir bench/.run/neo4j-<port>)
#   BENCH_PORT_BASE (9100)     servers listen on 127.0.0.1:<base+1..4>
#   BENCH_KEEP_NEO4J=1         leave Neo4j running afterwards
#   NEO4J_HEAP (1g), NEO4J_PAGECACHE_MB (256)  passed to tools/neo4j
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
RUN="$ROOT/bench/.run"
PORT="${BENCH_NEO4J_PORT:-7690}"
PORT_BASE="${BENCH_PORT_BASE:-9100}"
N="${BENCH_N:-20000}"
# One run directory per port, so that a second benchmark Neo4j (another BENCH_NEO4J_PORT) can
# load a big size while the first one measures.
export NEO4J_RUN_DIR="$RUN/neo4j-$PORT" NEO4J_BOLT_PORT="$PORT"
export NEO4J_PASSWORD="${NEO4J_PASSWORD:-factgraph-dev}"

log() { echo "bench: $*" >&2; }

log "building factgraph, the raw-driver server and the harness"
BIN="$RUN/bin-$PORT" # per port, so a second run does not replace binaries the first one runs
mkdir -p "$BIN"
go build -o "$BIN/factgraph" ./cmd/factgraph
go build -o "$BIN/factbench-raw" ./bench/cmd/factbench-raw
go build -o "$BIN/factbench" ./bench/cmd/factbench

if [[ ! -f bench/anchor/node_modules/.package-lock.json ||
      bench/anchor/package-lock.json -nt bench/anchor/node_modules/.package-lock.json ]]; then
  log "installing the anchor (npm ci)"
  (cd bench/anchor && npm ci --no-audit --no-fund)
fi

# A loaded machine can take minutes to start Neo4j.
export NEO4J_START_TIMEOUT="${NEO4J_START_TIMEOUT:-900}"
stop_neo4j() { bash tools/neo4j/stop.sh || true; rm -f "$NEO4J_RUN_DIR/bench-data-dir"; }
# start_neo4j N: the server on the data directory of N entities. A server left running
# (BENCH_KEEP_NEO4J=1) on that directory is reused; one on another directory is restarted, as
# start.sh would otherwise keep it.
start_neo4j() {
  export NEO4J_DATA_DIR="$RUN/neo4j-data-$1"
  if [[ "$(cat "$NEO4J_RUN_DIR/bench-data-dir" 2>/dev/null)" != "$NEO4J_DATA_DIR" ]]; then
    stop_neo4j
  fi
  bash tools/neo4j/start.sh >/dev/null
  echo "$NEO4J_DATA_DIR" >"$NEO4J_RUN_DIR/bench-data-dir"
}
if [[ "${BENCH_KEEP_NEO4J:-0}" != 1 ]]; then
  trap stop_neo4j EXIT
fi

common=(-neo4j-uri "bolt://127.0.0.1:$PORT" -port-base "$PORT_BASE"
  -factgraph "$BIN/factgraph" -raw "$BIN/factbench-raw" -logs "$RUN/logs-$PORT")
if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  N="${BENCH_N:-2000}"
  common+=(-requests 60 -warmup 20 -duration 4s -slice 1s)
fi

if [[ -n "${BENCH_SCALING:-}" ]]; then
  files=()
  for n in $BENCH_SCALING; do
    log "scaling: $n entities"
    start_neo4j "$n"
    "$BIN/factbench" "${common[@]}" -n "$n" -shapes q1,q4 -label "scaling-$n" "$@"
    files+=("bench/results/scaling-$n.json")
  done
  "$BIN/factbench" -scaling "${files[@]}" >bench/results/scaling.md
  log "wrote bench/results/scaling.md"
  exit 0
fi

start_neo4j "$N"
"$BIN/factbench" "${common[@]}" -n "$N" -label "${BENCH_LABEL:-run-$N}" "$@"
