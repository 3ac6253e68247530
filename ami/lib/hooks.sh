# Logging, errors and the hooks: the commands that act on the running machine (package
# install, boot loader, services, power). With MNBATCH_HOOK set, `$MNBATCH_HOOK NAME ARGS…`
# runs instead, so tests record what would happen.

# Where progress and the result marker go besides stderr (the EC2 console, when it exists).
MNBATCH_CONSOLE=${MNBATCH_CONSOLE:-/dev/console}

say() {
  printf 'mnbatch-ami: %s\n' "$*" >&2
  if [ -w "$MNBATCH_CONSOLE" ]; then printf 'mnbatch-ami: %s\n' "$*" >>"$MNBATCH_CONSOLE" 2>/dev/null || true; fi
}

die() {
  say "error: $*"
  exit 1
}

hook() {
  if [ -n "${MNBATCH_HOOK:-}" ]; then
    "$MNBATCH_HOOK" "$@"
    return
  fi
  name=$1
  shift
  case "$name" in
    install) install_packages "$@" ;;
    grubby) grubby "$@" ;;
    update-grub) update-grub ;;
    stop-service) if command -v systemctl >/dev/null 2>&1; then systemctl stop "$@" || true; fi ;;
    cloud-init-clean) cloud-init clean --logs ;;
    poweroff) poweroff ;;
    *) die "unknown hook $name" ;;
  esac
}

# Installs packages with the OS's package manager (OS_FAMILY from os.sh).
install_packages() {
  case "$OS_FAMILY" in
    al2023) dnf install -y "$@" ;;
    al2) yum install -y "$@" ;;
    debian) DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" ;;
  esac
}
