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
echo "[test] tests: unit, integration and e2e tiers on this machine's Node" >&2
npx vitest run --project unit --project integration --project e2e
echo '[test] slow tier: the example programs through run --local' >&2
slow_start=$SECONDS
npm run --silent test:slow
echo "[test] slow tier took $((SECONDS - slow_start))s" >&2
echo '[test] unit and integration tiers on Node 22 and 24' >&2
bash scripts/test-node-versions.sh
