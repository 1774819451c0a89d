#!/usr/bin/env bash
# Runs the whole test suite against the real PostgreSQL and Redis on this machine and a real Temporal
# dev server (built once by scripts/setup-temporal.sh, started by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node24.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
[ ! -f scripts/ensure-chromium.sh ] || bash scripts/ensure-chromium.sh
export TEMPORAL_CLI_PATH="${TEMPORAL_CLI_PATH:-$(bash scripts/setup-temporal.sh)}"
# The Temporal UI's own server, for the UI's OIDC sign-in test: built before jest, not inside a test's setup.
bash scripts/setup-temporal-ui.sh > /dev/null
npm run --silent typecheck
# Lint runs beside jest (the system tests mostly wait on Temporal and PostgreSQL); its verdict counts the same.
mkdir -p .run
npm run --silent lint > .run/lint.log 2>&1 &
lint_pid=$!
jest_status=0
npx jest "$@" || jest_status=$?
lint_status=0
wait "$lint_pid" || lint_status=$?
cat .run/lint.log
[ "$lint_status" -eq 0 ] || echo "lint failed (eslint or prettier --check): see above" >&2
[ "$jest_status" -eq 0 ] && [ "$lint_status" -eq 0 ]
