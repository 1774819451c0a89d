#!/usr/bin/env bash
# Makes the Temporal UI's own server (temporalio/ui-server) available at .tools/bin/temporal-ui-server and prints
# its path: the same UI the dev server embeds (the CLI of scripts/setup-temporal.sh carries UI 2.42.1), run on its
# own because only the standalone server reads a configuration file with OIDC sign-in and the codec's
# "pass access token" and "include credentials" settings (`temporal server start-dev` sets the codec endpoint alone).
# Built once with `go install` through the Go module proxy.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=v2.42.1
bin="$root/.tools/bin/temporal-ui-server"
mkdir -p "$root/.tools/bin"

if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null | awk '{print $NF}')" = "${version#v}" ]; then echo "$bin"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "the Temporal UI server is built with Go, which is missing" >&2; exit 1; }
echo "building the Temporal UI server $version with go install (once)..." >&2
tmp="$(mktemp -d)"
GOBIN="$tmp" go install "github.com/temporalio/ui-server/v2/cmd/server@$version" >&2
mv "$tmp/server" "$bin"
rmdir "$tmp"
echo "$bin"
