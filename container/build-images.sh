#!/usr/bin/env bash
# Builds the agent executable (npm run build:agent) and the agent base image
# mnbatch/agent:<version> + :latest. Uses mnbatch/debian:bookworm (container/make-base-image.sh)
# as the base when it exists, otherwise the public default; BASE_IMAGE=… overrides both.
# MPI=mpich builds mnbatch/agent-mpich:<version> + :latest (MPICH instead of Open MPI).
set -euo pipefail
cd "$(dirname "$0")/.."

version="$(node -p 'require("./package.json").version')"
if [ -z "${BASE_IMAGE:-}" ]; then
  if docker image inspect mnbatch/debian:bookworm >/dev/null 2>&1; then BASE_IMAGE=mnbatch/debian:bookworm; else BASE_IMAGE=debian:bookworm-slim; fi
fi
npm run --silent build:agent
# The same label `mnbatch run --local` reads to tell whether the image is current (src/local/images.ts).
mpi="${MPI:-openmpi}"
repo=mnbatch/agent suffix=''
if [ "$mpi" = mpich ]; then repo=mnbatch/agent-mpich suffix=' mpich'; fi
inputs="$(sha256sum dist/agent-bundle/mnbatch-agent | cut -d" " -f1) $(sha256sum container/Dockerfile | cut -d" " -f1) $BASE_IMAGE$suffix"
docker build --force-rm -f container/Dockerfile --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "MPI=$mpi" \
  --label "mnbatch.agent.inputs=$inputs" -t "$repo:$version" -t "$repo:latest" dist/agent-bundle
