#!/usr/bin/env bash
# Rebuilds web/dist (the playground and explorer the Go binary embeds) from web/src with the
# exact packages of package-lock.json. Commit web/dist after running it; CI runs
# `web/build.sh --check` and fails when the committed files differ from a fresh build.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "${1:-}" = "--check" ]; then
  before=$(cd dist && find . -type f | sort | xargs sha256sum)
  node build.mjs >/dev/null
  after=$(cd dist && find . -type f | sort | xargs sha256sum)
  if [ "$before" != "$after" ]; then
    echo "web/dist is not what web/build.sh builds from web/src and package-lock.json:"
    diff <(echo "$before") <(echo "$after") || true
    echo "run web/build.sh and commit web/dist"
    exit 1
  fi
  echo "web/dist is current"
else
  node build.mjs
fi
