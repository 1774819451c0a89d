#!/usr/bin/env bash
# Installs and starts the whole system on this machine, in the background:
# Temporal dev server (SQLite under .data/, UI on :8233), migrations, worker, API (:$PORT).
# Logs and pids go to .run/; `npm run down` stops everything.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/node24.sh
mkdir -p .data .run

[ -f .env ] || { cp .env.example .env; echo "created .env from .env.example"; }
bash scripts/ensure-secrets.sh .env

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
# .env is read by dotenv in node (exported variables win; values are not shell-expanded), never sourced here.
settings="$(node dist/scripts/print-settings.js)"
read -r PORT temporal_address namespace task_queue <<<"$settings"
temporal_port="${temporal_address##*:}"

alive() { [ -f ".run/$1.pid" ] && kill -0 "$(cat ".run/$1.pid")" 2>/dev/null; }
wait_for() { # name, command
  for _ in $(seq 1 120); do eval "$2" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$1 did not come up; see .run/$1.log" >&2; exit 1
}
start() { # name, command...
  local name="$1"; shift
  if alive "$name"; then echo "$name already running (pid $(cat ".run/$name.pid"))"; return; fi
  nohup "$@" >".run/$name.log" 2>&1 &
  echo $! >".run/$name.pid"
  echo "started $name (pid $!)"
}

temporal_bin="$(bash scripts/setup-temporal.sh)"
read -r -a search_attributes <<<"$(node -e 'console.log(require("./dist/domain/search-attributes").devServerSearchAttributeFlags().join(" "))')"
start temporal "$temporal_bin" server start-dev --ip 127.0.0.1 --port "$temporal_port" --ui-port 8233 \
  --ui-codec-endpoint "http://127.0.0.1:$PORT/codec" --db-filename .data/temporal.db --log-level warn "${search_attributes[@]}"
wait_for temporal "\"$temporal_bin\" operator cluster health --address 127.0.0.1:$temporal_port"

node dist/scripts/migrate.js
start worker node dist/worker.js
start api node dist/api/server.js
wait_for api "curl -fsS http://127.0.0.1:$PORT/health"
sign_in="$(node dist/scripts/sign-in-link.js)"

cat <<MSG
Support-led ordering is running:
  API          http://127.0.0.1:$PORT   (webhook: POST /webhooks/freshchat)
$sign_in
  Temporal UI  http://127.0.0.1:8233   (payloads decrypted by http://127.0.0.1:$PORT/codec: see docs/security.md)
  Secrets      .env (generated on first start; the README's examples read them from there)
  Temporal     $temporal_address (namespace $namespace, task queue $task_queue)
  Logs         .run/*.log      Stop: npm run down
MSG
