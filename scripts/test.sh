#!/usr/bin/env bash
# Runs the whole test suite against the real PostgreSQL and Redis on this machine and a real Temporal
# dev server (built once by scripts/setup-temporal.sh, started by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node24.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
[ ! -f scripts/ensure-chromium.sh ] || bash scripts/ensure-chromium.sh
export TEMPORAL_CLI_PATH="${TEMPORAL_CLI_PATH:-$(bash scripts/setup-temporal.sh)}"
npm run --silent typecheck
npm run --silent lint
npx jest "$@"
