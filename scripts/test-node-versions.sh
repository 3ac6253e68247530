#!/usr/bin/env bash
# Runs the unit and integration tiers on each Node.js major users run (22, 24), with runtimes
# from the npm package `node` (binaries published to the npm registry), kept in .node-versions/.
# The machine's own Node runs every tier in scripts/test-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
for major in ${MNBATCH_NODE_MAJORS:-22 24}; do
  dir=.node-versions/$major
  if [ ! -x "$dir/node_modules/node/bin/node" ]; then
    echo "[node $major] installing the runtime from the npm registry" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-fund --no-audit --loglevel=error "node@$major" >/dev/null
  fi
  node_bin=$PWD/$dir/node_modules/node/bin/node
  echo "[node $major] $("$node_bin" --version): unit and integration tiers" >&2
  # The CLI under test and vitest's workers run on process.execPath: this runtime.
  PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run --project unit --project integration
done
