# nr_cpus=N on the kernel command line, the way the OS's boot loader expects it: grubby on
# Amazon Linux (it replaces an existing nr_cpus=), GRUB_CMDLINE_LINUX in /etc/default/grub
# plus update-grub on Debian/Ubuntu. "keep" leaves the command line alone.

cmdline_check() {
  [ "$2" = keep ] && return 0
  printf '%s' "$2" | grep -Eq '^[1-9][0-9]{0,4}$' || die "nr_cpus must be a positive number or keep, got '$2'"
  [ "$3" = debian ] || return 0
  if [ ! -f "$1/etc/default/grub" ]; then
    die 'no /etc/default/grub: this system does not boot with GRUB, so nr_cpus cannot be set'
  fi
  # A drop-in read after /etc/default/grub would override our GRUB_CMDLINE_LINUX.
  for cfg in "$1"/etc/default/grub.d/*.cfg; do
    if [ -f "$cfg" ] && grep -q '^[[:space:]]*GRUB_CMDLINE_LINUX=' "$cfg"; then
      die "${cfg#"$1"} sets GRUB_CMDLINE_LINUX, which would override nr_cpus in /etc/default/grub"
    fi
  done
  return 0
}

cmdline_apply() {
  [ "$2" = keep ] && return 0
  case "$3" in
    al2023 | al2) hook grubby --update-kernel=ALL --args="nr_cpus=$2" ;;
    debian)
      # Two commands, not `a && b`: set -e does not stop on a failure left of &&.
      grub_default_set_nr_cpus "$1/etc/default/grub" "$2"
      hook update-grub
      ;;
  esac
  say "kernel command line: nr_cpus=$2"
}

# Rewrites GRUB_CMDLINE_LINUX in file $1 with nr_cpus=$2: drops any nr_cpus=… in it, appends
# ours, adds the variable when the file has none. Other lines are left byte for byte.
grub_default_set_nr_cpus() {
  updated=$(awk -v n="$2" '
    function fix(value,   out, i, k, words) {
      k = split(value, words, /[ \t]+/)
      out = ""
      for (i = 1; i <= k; i++) if (words[i] != "" && words[i] !~ /^nr_cpus=/) out = out words[i] " "
      return out "nr_cpus=" n
    }
    /^GRUB_CMDLINE_LINUX=/ {
      v = substr($0, length("GRUB_CMDLINE_LINUX=") + 1)
      q = substr(v, 1, 1)
      if (q == "\"" || q == "'"'"'") v = substr(v, 2, length(v) - 2)
      print "GRUB_CMDLINE_LINUX=\"" fix(v) "\""
      seen = 1
      next
    }
    { print }
    END { if (!seen) print "GRUB_CMDLINE_LINUX=\"nr_cpus=" n "\"" }
  ' "$1")
  printf '%s\n' "$updated" >"$1"
}
