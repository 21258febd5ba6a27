#!/usr/bin/env bash
# Start the dev/CI Neo4j server (embedded Neo4j community + Bolt) in the background.
# Idempotent: if it is already running and answering, it only prints the exports.
#
#   eval "$(tools/neo4j/start.sh)"   # starts (building if needed) and exports NEO4J_*
#
# Progress goes to stderr; stdout carries only the `export` lines.
# Env: NEO4J_RUN_DIR (<dir>/run: pid file and log; give a second server its own),
#      NEO4J_BOLT_PORT (7687), NEO4J_PASSWORD (factgraph-dev), NEO4J_DATA_DIR (<dir>/data),
#      NEO4J_PLUGINS_DIR (<dir>/plugins), NEO4J_APOC=1 (build with -Papoc),
#      NEO4J_HEAP (1g), NEO4J_JAVA_OPTS (extra JVM flags), NEO4J_START_TIMEOUT (180 s),
#      NEO4J_MVN_ARGS (extra Maven args, e.g. -o for offline).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${NEO4J_RUN_DIR:-$DIR/run}"
PID_FILE="$RUN_DIR/neo4j.pid"
LOG_FILE="$RUN_DIR/neo4j.log"
STATE_FILE="$RUN_DIR/neo4j.env" # settings of the running server, for re-runs
MAIN_CLASS=com.factgraph.tools.neo4j.Neo4jServer

export NEO4J_BOLT_HOST="${NEO4J_BOLT_HOST:-127.0.0.1}"
export NEO4J_BOLT_PORT="${NEO4J_BOLT_PORT:-7687}"
export NEO4J_PASSWORD="${NEO4J_PASSWORD:-factgraph-dev}"
export NEO4J_DATA_DIR="${NEO4J_DATA_DIR:-$DIR/data}"
export NEO4J_PLUGINS_DIR="${NEO4J_PLUGINS_DIR:-$DIR/plugins}"
export NEO4J_LOGS_DIR="${NEO4J_LOGS_DIR:-$RUN_DIR/logs}"
HEAP="${NEO4J_HEAP:-1g}"
TIMEOUT="${NEO4J_START_TIMEOUT:-180}"

log() { echo "neo4j: $*" >&2; }

port_open() {
  # bash's /dev/tcp; `timeout` guards against a connect that hangs.
  timeout 2 bash -c "exec 3<>/dev/tcp/$NEO4J_BOLT_HOST/$NEO4J_BOLT_PORT" 2>/dev/null
}

# Our server's pid, if the pid file names a live process that is really ours
# (guards against a stale pid file whose pid was reused).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS" || return 1
  echo "$pid"
}

print_exports() {
  printf 'export NEO4J_URI=%q\n' "bolt://$NEO4J_BOLT_HOST:$NEO4J_BOLT_PORT"
  printf 'export NEO4J_USER=neo4j\n'
  printf 'export NEO4J_PASSWORD=%q\n' "$NEO4J_PASSWORD"
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + TIMEOUT))
  # READY is printed after the password has been set, so wait for it (not just the
  # port: Bolt opens a moment earlier, while neo4j still has its initial password).
  until grep -q ' READY ' "$LOG_FILE" 2>/dev/null && port_open; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server process $pid exited during startup; log tail:"
      tail -n 60 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "not ready after ${TIMEOUT}s; log tail ($LOG_FILE):"
      tail -n 60 "$LOG_FILE" >&2 || true
      return 1
    fi
    sleep 0.25
  done
}

build_if_needed() {
  local stamp="$DIR/target/.build-stamp" profile=() why=""
  # Rebuild when never built or the pom/sources changed; after the first fetch Maven
  # needs no network. `clean` keeps target/lib free of jars from older versions.
  if [[ ! -f "$stamp" || ! -d "$DIR/target/lib" ]]; then
    why="not built yet"
  elif [[ -n "$(find "$DIR/pom.xml" "$DIR/src" -newer "$stamp" -print -quit)" ]]; then
    why="sources changed"
  fi
  if [[ "${NEO4J_APOC:-0}" == 1 ]]; then
    profile=(-Papoc "-Dplugins.dir=$NEO4J_PLUGINS_DIR")
    compgen -G "$NEO4J_PLUGINS_DIR/apoc-core-*.jar" >/dev/null || why="${why:-APOC not in plugins dir}"
  fi
  [[ -n "$why" ]] || return 0
  log "building ($why): mvn clean package ${profile[*]}"
  # sed drops the stray ESC[0m codes Maven 3.8's -q prints; pipefail keeps mvn's status.
  # shellcheck disable=SC2086 # NEO4J_MVN_ARGS is intentionally word-split
  (cd "$DIR" && mvn -q -B ${NEO4J_MVN_ARGS:-} "${profile[@]}" clean package) 2>&1 |
    sed 's/\x1b\[0m//g' >&2
  touch "$stamp"
}

if pid="$(running_pid)"; then
  # Report the running server's settings, which may differ from this shell's env.
  if [[ -f "$STATE_FILE" ]]; then
    # shellcheck source=/dev/null
    source "$STATE_FILE"
  fi
  if port_open; then
    log "already running (pid $pid) on bolt://$NEO4J_BOLT_HOST:$NEO4J_BOLT_PORT"
    print_exports
    exit 0
  fi
  log "pid $pid is running but not answering yet; waiting"
  wait_ready "$pid"
  print_exports
  exit 0
fi
rm -f "$PID_FILE"

if port_open; then
  log "port $NEO4J_BOLT_HOST:$NEO4J_BOLT_PORT is already in use by another process" \
      "(not started by this script); stop it or set NEO4J_BOLT_PORT"
  exit 1
fi

command -v java >/dev/null || { log "java (17+) not found on PATH"; exit 1; }
build_if_needed

mkdir -p "$RUN_DIR" "$NEO4J_DATA_DIR" "$NEO4J_PLUGINS_DIR" "$NEO4J_LOGS_DIR"
[[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"

# plugins/* is on the classpath as well, as in Neo4j's own launcher: Neo4j loads
# procedures from plugin_dir, but plugin extensions (APOC registers its ApocConfig
# component that way) are only found through the JVM classpath.
# The --add-opens flags are the ones Neo4j's own launcher passes; without them the
# page cache and tx-log native access fall back to slower paths (warnings in debug.log).
# shellcheck disable=SC2086 # NEO4J_JAVA_OPTS is intentionally word-split
nohup java \
  -Xms"$HEAP" -Xmx"$HEAP" \
  -XX:+ExitOnOutOfMemoryError \
  --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  -Dio.netty.tryReflectionSetAccessible=true \
  -Djdk.nio.maxCachedBufferSize=1024 \
  ${NEO4J_JAVA_OPTS:-} \
  -cp "$DIR/target/classes:$DIR/target/lib/*:$NEO4J_PLUGINS_DIR/*" \
  "$MAIN_CLASS" >"$LOG_FILE" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$PID_FILE"
printf 'NEO4J_BOLT_HOST=%q\nNEO4J_BOLT_PORT=%q\nNEO4J_PASSWORD=%q\n' \
  "$NEO4J_BOLT_HOST" "$NEO4J_BOLT_PORT" "$NEO4J_PASSWORD" >"$STATE_FILE"
log "started pid $pid (log $LOG_FILE); waiting for Bolt on $NEO4J_BOLT_HOST:$NEO4J_BOLT_PORT..."

start=$SECONDS
wait_ready "$pid"
log "ready in $((SECONDS - start))s: $(grep -m1 ' READY ' "$LOG_FILE")"
print_exports
