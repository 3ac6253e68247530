#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine (as root) for mnbatch: system packages, a running
# Docker engine, npm dependencies, the build, and the local base image (made without any
# registry). Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

apt_packages=(docker.io debootstrap openmpi-bin libopenmpi-dev openssh-server openssh-client iproute2 zsh fish ca-certificates docker-registry)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log 'starting dockerd'
  if command -v systemctl >/dev/null 2>&1 && systemctl start docker 2>/dev/null; then :; else
    nohup dockerd >/var/log/mnbatch-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log 'dockerd did not start; see /var/log/mnbatch-dockerd.log'; exit 1; }
fi

# moto (an independent implementation of the AWS APIs) for the integration tier: a test tool
# only. The project's machines have it under pyenv's python3.11; elsewhere it goes into
# .moto-venv. The interpreter found is written to .moto-venv/python for the tests.
moto_python=''
for py in "${MNBATCH_PYTHON:-}" python3.11 "$HOME/.pyenv/shims/python3.11" /root/.pyenv/shims/python3.11 python3 .moto-venv/bin/python; do
  [ -n "$py" ] && "$py" -c 'import moto.server' >/dev/null 2>&1 && { moto_python=$(command -v "$py"); break; }
done
if [ -z "$moto_python" ]; then
  log "installing moto[server] into .moto-venv (test dependency of the integration tier)"
  dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q 'install ok installed' ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  python3 -m venv .moto-venv
  .moto-venv/bin/pip install --quiet 'moto[server]'
  moto_python=$PWD/.moto-venv/bin/python
fi
mkdir -p .moto-venv && printf '%s\n' "$moto_python" > .moto-venv/python

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log 'installing npm dependencies'
  npm ci --no-fund --no-audit --loglevel=error
fi

log 'building'
npm run --silent build
npm run --silent build:agent

if [ -x container/make-base-image.sh ]; then
  container/make-base-image.sh
fi
