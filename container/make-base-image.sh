#!/usr/bin/env bash
# Makes the Docker image mnbatch/debian:bookworm without any registry: debootstrap a minimal
# Debian bookworm from this machine's apt mirror, then `docker import` it. For air-gapped
# machines and for mnbatch's own tests/CI; everyone else can use the public debian:bookworm-slim.
#
# Idempotent: does nothing when the image exists; the root file system is cached as a tarball
# under /var/cache/mnbatch, so making the image again (after `docker rmi`) takes seconds.
#
# Environment: MNBATCH_BASE_IMAGE (default mnbatch/debian:bookworm), MNBATCH_DEBIAN_MIRROR
# (default: the Debian mirror from /etc/apt), MNBATCH_CACHE_DIR (default /var/cache/mnbatch).
set -euo pipefail

image="${MNBATCH_BASE_IMAGE:-mnbatch/debian:bookworm}"
cache_dir="${MNBATCH_CACHE_DIR:-/var/cache/mnbatch}"
suite=bookworm
tarball="$cache_dir/debian-$suite-minbase-$(dpkg --print-architecture 2>/dev/null || uname -m).tar"

log() { printf '[make-base-image] %s\n' "$*" >&2; }
die() { printf '[make-base-image] error: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die 'docker is not installed (apt-get install docker.io)'
docker info >/dev/null 2>&1 || die 'the Docker daemon is not running (start it: systemctl start docker, or dockerd &)'

if docker image inspect "$image" >/dev/null 2>&1; then
  log "$image exists; nothing to do"
  exit 0
fi

# One maker at a time (parallel test workers, setup scripts): the others wait, then find the image.
mkdir -p "$cache_dir" 2>/dev/null || die "cannot create $cache_dir (run as root, or set MNBATCH_CACHE_DIR)"
exec 9>"$cache_dir/.make-base-image.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if docker image inspect "$image" >/dev/null 2>&1; then
  log "$image exists; nothing to do"
  exit 0
fi

# The first Debian (not security, not third-party) mirror in apt's sources, one-line or deb822 format.
find_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; break } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
  done
}

if [ ! -s "$tarball" ]; then
  [ "$(id -u)" -eq 0 ] || die 'debootstrap needs root (run with sudo)'
  command -v debootstrap >/dev/null 2>&1 || die 'debootstrap is not installed (apt-get install debootstrap)'
  mirror="${MNBATCH_DEBIAN_MIRROR:-$(find_mirror | grep -E '/debian/?$' | grep -v security | head -n 1 || true)}"
  [ -n "$mirror" ] || die 'no Debian mirror found in /etc/apt sources; set MNBATCH_DEBIAN_MIRROR=http://…/debian'
  rootfs="$(mktemp -d "$cache_dir/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs" "$tarball.partial"' EXIT
  log "debootstrap $suite from $mirror (about a minute)"
  if ! debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$cache_dir/debootstrap.log" 2>&1; then
    tail -n 20 "$cache_dir/debootstrap.log" >&2
    die "debootstrap failed (full log: $cache_dir/debootstrap.log)"
  fi
  # Like the official images: no package lists, no apt cache, point apt at the same mirror.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  echo "deb $mirror $suite main" >"$rootfs/etc/apt/sources.list"
  tar --numeric-owner -C "$rootfs" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$rootfs"
  trap - EXIT
else
  log "using cached root file system $tarball"
fi

log "importing $image"
docker import --change 'CMD ["/bin/bash"]' "$tarball" "$image" >/dev/null
log "made $image"
