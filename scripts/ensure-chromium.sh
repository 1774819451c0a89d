#!/usr/bin/env bash
# The HTML report test drives Debian's Chromium headless. Install it when missing (root + apt), else say why and fail:
# the test is never skipped.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the HTML report test" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null; }
else
  echo "chromium not found and cannot be installed here (need root and apt-get); set CHROMIUM_PATH" >&2
  exit 1
fi
