#!/usr/bin/env bash
# Regenerates the protocol code and fails if the committed copy differs.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent gen >/dev/null
if ! git diff --quiet --exit-code -- packages/protocol/src/gen || [ -n "$(git ls-files --others --exclude-standard packages/protocol/src/gen)" ]; then
  echo "gen-check: packages/protocol/src/gen differs from what buf generates; run 'npm run gen' and commit" >&2
  git status --short packages/protocol/src/gen >&2
  exit 1
fi
echo "gen-check: generated code is up to date"
