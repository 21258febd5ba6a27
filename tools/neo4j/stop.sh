#!/usr/bin/env bash
# Stop the dev/CI Neo4j server started by start.sh: SIGTERM (the server's shutdown
# hook checkpoints and closes the store), wait, then SIGKILL after a timeout.
# Succeeds if it is not running.  Env: NEO4J_STOP_TIMEOUT (60 s).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PID_FILE="${NEO4J_RUN_DIR:-$DIR/run}/neo4j.pid"
MAIN_CLASS=com.factgraph.tools.neo4j.Neo4jServer
TIMEOUT="${NEO4J_STOP_TIMEOUT:-60}"

log() { echo "neo4j: $*" >&2; }

if [[ ! -f "$PID_FILE" ]]; then
  log "not running (no pid file)"
  exit 0
fi
pid="$(cat "$PID_FILE" 2>/dev/null || true)"
# Only signal the pid if it is alive and really our server (pid files can go stale).
if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null ||
   ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS"; then
  log "not running (stale pid file removed)"
  rm -f "$PID_FILE"
  exit 0
fi

log "stopping pid $pid..."
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$pid" 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    log "still running after ${TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
    break
  fi
  sleep 0.5
done
rm -f "$PID_FILE"
log "stopped"
