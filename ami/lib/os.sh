# Detects the OS from $ROOT/etc/os-release without sourcing it (it is data, not a script).
# Sets OS_FAMILY (al2023 | al2 | debian) and OS_NAME, or refuses with the OS's name.

os_release_value() {
  sed -n "s/^$2=//p" "$1" | head -n 1 | sed 's/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/'
}

detect_os() {
  release="$1/etc/os-release"
  [ -r "$release" ] || release="$1/usr/lib/os-release"
  [ -r "$release" ] || die "unsupported OS: no /etc/os-release under ${1:-/}; mnbatch bakes Amazon Linux 2023, Amazon Linux 2, Debian and Ubuntu"
  id=$(os_release_value "$release" ID)
  version=$(os_release_value "$release" VERSION_ID)
  OS_NAME=$(os_release_value "$release" PRETTY_NAME)
  [ -n "$OS_NAME" ] || OS_NAME="$id $version"
  case "$id:$version" in
    amzn:2023*) OS_FAMILY=al2023 ;;
    amzn:2) OS_FAMILY=al2 ;;
    debian:* | ubuntu:*) OS_FAMILY=debian ;;
    *) die "unsupported OS: $OS_NAME (ID=$id VERSION_ID=$version); mnbatch bakes Amazon Linux 2023, Amazon Linux 2, Debian and Ubuntu" ;;
  esac
}
