# Sourced by scripts/test.sh, scripts/up.sh and .ci/run: puts a Node 24 (the LTS this project runs on) first on PATH.
# The machine's own `node` is used when it is 24 or newer. Otherwise the npm registry's `node` package (node@24,
# the official binary published as a registry package) is installed once into .tools/node24 and used instead,
# so everything started from here (npm, jest, tsx, the worker and the API) runs on Node 24.
node24_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node24_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node24_major" -lt 24 ]; then
  node24_prefix="$node24_root/.tools/node24"
  if [ ! -x "$node24_prefix/node_modules/.bin/node" ]; then
    echo "node $(node -v 2>/dev/null || echo missing) is older than 24: installing node@24 from the npm registry into .tools/node24" >&2
    npm install --prefix "$node24_prefix" --no-save --no-package-lock --no-audit --no-fund node@24 >&2
  fi
  export PATH="$node24_prefix/node_modules/.bin:$PATH"
fi
unset node24_root node24_major node24_prefix
