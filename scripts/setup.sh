#!/usr/bin/env bash
# Installs everything the project needs to build and run: a Node >= 22.13 (the pinned Node 24 from npm when the
# system one is older), the npm workspace dependencies, and the TypeScript build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

node_major() { "$1" -p 'process.versions.node.split(".").map(Number).reduce((a,v,i)=>i===0?v*1000:i===1?a+v:a,0)' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -lt 22013 ]; then
  if [ ! -x tools/node/node_modules/.bin/node ] || [ "$(node_major tools/node/node_modules/.bin/node)" -lt 22013 ]; then
    echo "setup: installing the pinned Node runtime into tools/node" >&2
    npm ci --prefix tools/node --no-audit --no-fund --loglevel=error
  fi
fi
# shellcheck source=env.sh
. "$root/scripts/env.sh"
stamp=node_modules/.jmp-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: npm ci ($(node --version))" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
echo "setup: building (tsc -b)" >&2
bash scripts/build.sh
