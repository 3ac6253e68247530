#!/usr/bin/env bash
# Quick start on a fresh Debian/Ubuntu machine (as root): sets everything up, then runs the
# 4-node hello-mpi job on this machine with Docker, exactly as it would run on AWS Batch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/cli/main.js run --local examples/hello-mpi/job.yaml --nodes "${NODES:-4}"
