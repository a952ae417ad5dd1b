#!/usr/bin/env bash
# Builds every TypeScript project in the repository (each folder with a tsconfig.json) with `tsc -b`.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t projects < <(ls -d packages/*/tsconfig.json packages/drivers/*/tsconfig.json bench/tsconfig.json e2e/tsconfig.json examples/*/tsconfig.json 2>/dev/null | xargs -n1 dirname)
exec tsc -b "${projects[@]}" "$@"
