#!/bin/sh
# mnbatch AMI bake: run as root on a builder instance (cloud-init user data) to turn it into an
# image for AWS Batch: EFS in /etc/fstab, nr_cpus on the kernel command line, instance state
# cleaned, then power off so `mnbatch ami bake` can create the image.
#
# Usage: bake.sh [--root DIR] [--efs-id fs-… --region R [--mount-path /efs] [--mount-mode nfs4|efs-tls]]
#                [--nr-cpus N|keep] [--poweroff]
# Every path goes through --root (default /), so tests run it against a tree in a temp dir.
# Commands that change the running machine go through hooks (lib/hooks.sh): with
# MNBATCH_HOOK=/path/to/recorder set, the recorder is run instead of each of them.
# Idempotent: a second run leaves the tree as the first one did. Refuses an unsupported OS,
# and checks everything before changing anything.
set -eu

MNBATCH_AMI_LIB=${MNBATCH_AMI_LIB:-$(dirname "$0")/lib}
. "$MNBATCH_AMI_LIB/hooks.sh"
. "$MNBATCH_AMI_LIB/os.sh"
. "$MNBATCH_AMI_LIB/efs.sh"
. "$MNBATCH_AMI_LIB/cmdline.sh"
. "$MNBATCH_AMI_LIB/cleanup.sh"

ROOT=/
EFS_ID=
REGION=
MOUNT_PATH=/efs
MOUNT_MODE=nfs4
NR_CPUS=keep
POWEROFF=no

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT=$2; shift 2 ;;
    --efs-id) EFS_ID=$2; shift 2 ;;
    --region) REGION=$2; shift 2 ;;
    --mount-path) MOUNT_PATH=$2; shift 2 ;;
    --mount-mode) MOUNT_MODE=$2; shift 2 ;;
    --nr-cpus) NR_CPUS=$2; shift 2 ;;
    --poweroff) POWEROFF=yes; shift ;;
    *) die "unknown argument: $1" ;;
  esac
done
# "/" and "/tmp/x/" both become a prefix that joins with absolute paths.
ROOT=${ROOT%/}

# When this runs as user data, power off also after a failure, with a marker on the console
# that `mnbatch ami bake` reads, so a failed bake ends in seconds, not at the timeout.
finish() {
  code=$?
  if [ "$code" -eq 0 ]; then say 'MNBATCH_AMI_BAKE_OK'; else say "MNBATCH_AMI_BAKE_FAILED exit=$code"; fi
  if [ "$POWEROFF" = yes ]; then hook poweroff || true; fi
}
trap finish EXIT

# Checks first: nothing is changed unless all of them pass.
detect_os "$ROOT"
say "OS: $OS_NAME ($OS_FAMILY)"
if [ -n "$EFS_ID" ]; then efs_check "$EFS_ID" "$REGION" "$MOUNT_PATH" "$MOUNT_MODE" "$OS_FAMILY"; fi
cmdline_check "$ROOT" "$NR_CPUS" "$OS_FAMILY"

if [ -n "$EFS_ID" ]; then efs_apply "$ROOT" "$EFS_ID" "$REGION" "$MOUNT_PATH" "$MOUNT_MODE" "$OS_FAMILY"; fi
cmdline_apply "$ROOT" "$NR_CPUS" "$OS_FAMILY"
cleanup_instance_state "$ROOT"
say 'bake finished'
