# EFS mounted at boot: the mount helper, the mount point, and exactly one /etc/fstab line for
# the mount point (an existing line for it is replaced, so running again changes nothing).

efs_check() {
  printf '%s' "$1" | grep -Eq '^fs-[0-9a-f]{8,40}$' || die "not an EFS file system id: '$1' (expected fs-0123456789abcdef0)"
  case "$3" in
    /*) ;;
    *) die "mount path must be absolute: '$3'" ;;
  esac
  printf '%s' "$3" | grep -Eq '^/[A-Za-z0-9._/-]+$' || die "mount path may hold only letters, digits and . _ - /: '$3'"
  case "$4" in
    nfs4) printf '%s' "$2" | grep -Eq '^[a-z]{2}(-[a-z]+)+-[0-9]+$' || die "nfs4 mounts need the region (--region), got '$2'" ;;
    efs-tls) [ "$5" != debian ] || die 'efs-tls needs amazon-efs-utils, which Debian and Ubuntu do not package; use --mount-mode nfs4' ;;
    *) die "unknown mount mode '$4' (nfs4 or efs-tls)" ;;
  esac
}

# The fstab line for file system $1 in region $2 at $3, mounted with mode $4.
efs_fstab_line() {
  case "$4" in
    # The NFS options AWS recommends for EFS (the same the efs mount helper applies).
    nfs4) printf '%s.efs.%s.amazonaws.com:/ %s nfs4 nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev 0 0\n' "$1" "$2" "$3" ;;
    efs-tls) printf '%s:/ %s efs _netdev,tls 0 0\n' "$1" "$3" ;;
  esac
}

efs_apply() {
  root=$1
  case "$5:$6" in
    nfs4:debian) helper=mount.nfs4 package=nfs-common ;;
    *:debian) die "no EFS mount helper for mode $5 on $6" ;;
    nfs4:*) helper=mount.nfs4 package=amazon-efs-utils ;;
    *) helper=mount.efs package=amazon-efs-utils ;;
  esac
  if [ -x "$root/sbin/$helper" ] || [ -x "$root/usr/sbin/$helper" ]; then
    say "$helper present; not installing $package"
  else
    say "installing $package"
    hook install "$package"
  fi

  mkdir -p "$root$4"
  line=$(efs_fstab_line "$2" "$3" "$4" "$5")
  fstab="$root/etc/fstab"
  [ -e "$fstab" ] || : >"$fstab"
  # Keep every line except an active entry for our mount point, then add ours; written in
  # place (not mv) so the file keeps its owner, mode and inode.
  kept=$(awk -v mp="$4" '!($1 !~ /^#/ && $2 == mp)' "$fstab")
  {
    if [ -n "$kept" ]; then printf '%s\n' "$kept"; fi
    printf '%s\n' "$line"
  } >"$fstab"
  say "fstab: $line"
}
