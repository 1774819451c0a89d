#!/usr/bin/env bash
# Stops what scripts/up.sh started (API, worker, Temporal dev server). Data in .data/ is kept.
set -uo pipefail
cd "$(dirname "$0")/.."
for name in api worker temporal; do
  pid_file=".run/$name.pid"
  [ -f "$pid_file" ] || continue
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    echo "stopped $name"
  fi
  rm -f "$pid_file"
done
