#!/usr/bin/env bash
# Makes a Temporal CLI (the real server behind `temporal server start-dev`, with SQLite and the UI) available
# at .tools/bin/temporal and prints its path. Order of preference:
#   1. .tools/bin/temporal, built earlier;
#   2. a `temporal` on PATH whose bundled server is 1.2x or newer (copied by link);
#   3. `go install` of the official CLI through the Go module proxy (v1.5.1: later tags carry `replace`
#      directives and cannot be go-installed);
#   4. with internet but no Go: the Temporal SDK's own download (TestWorkflowEnvironment.createLocal).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin/temporal"
mkdir -p "$root/.tools/bin"

fits() { "$1" --version 2>/dev/null | grep -Eq 'Server 1\.(2[4-9]|[3-9][0-9])'; }

if [ -x "$bin" ] && fits "$bin"; then echo "$bin"; exit 0; fi
if command -v temporal >/dev/null 2>&1 && fits "$(command -v temporal)"; then
  ln -sf "$(command -v temporal)" "$bin"; echo "$bin"; exit 0
fi
if command -v go >/dev/null 2>&1; then
  echo "building the Temporal CLI with go install (once; a few minutes)..." >&2
  GOBIN="$root/.tools/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1 >&2
  echo "$bin"; exit 0
fi
echo "no Go toolchain: falling back to the Temporal SDK's download of the CLI" >&2
cd "$root"
node -e '
const { TestWorkflowEnvironment } = require("@temporalio/testing");
TestWorkflowEnvironment.createLocal().then(async (env) => { await env.teardown(); console.error("downloaded"); });
' >&2
found="$(find "${TMPDIR:-/tmp}" -maxdepth 3 -type f -name 'temporal*' -perm -u+x 2>/dev/null | head -n 1)"
[ -n "$found" ] || { echo "could not obtain a Temporal CLI" >&2; exit 1; }
ln -sf "$found" "$bin"; echo "$bin"
