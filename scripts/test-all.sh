#!/usr/bin/env bash
# Sets everything up, then runs every check CI runs: lint, types, generated files, all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo '[test] lint' >&2
npx biome check .
echo '[test] types' >&2
npm run --silent typecheck
echo '[test] generated files are current' >&2
npm run --silent check-generated
echo '[test] tests' >&2
npx vitest run
