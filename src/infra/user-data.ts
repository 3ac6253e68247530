/**
 * Launch template user data. AWS Batch only accepts MIME multipart user data in a launch
 * template (it merges its own part into it), so every script goes in as one part.
 */
import type { InfraConfig } from './config.js';
import {
  EFA_INSTALLER,
  EFA_INSTALLER_BASE_URL,
  type EfaInstallerPin,
  efaInstallerTarball,
} from './efa-installer.js';

const BOUNDARY = '==MNBATCH-BOUNDARY==';

/** Shell script mounting EFS `fileSystemId` at `mountPoint`, unless something (a baked AMI) already did. */
export function efsMountScript(fileSystemId: string, mountPoint: string): string {
  return [
    '#!/bin/bash',
    '# Mount EFS at boot (NFS options as AWS recommends); skipped when the AMI mounts it already.',
    'set -euo pipefail',
    `mkdir -p ${mountPoint}`,
    `if ! mountpoint -q ${mountPoint}; then`,
    '  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")',
    '  region=$(curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)',
    `  line="${fileSystemId}.efs.$region.amazonaws.com:/ ${mountPoint} nfs4 nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev 0 0"`,
    `  grep -q " ${mountPoint} " /etc/fstab || echo "$line" >> /etc/fstab`,
    `  mount ${mountPoint}`,
    'fi',
    '',
  ].join('\n');
}

/** Shell script taking every sibling hyper-thread offline, keeping the first thread of each core. */
export function hyperthreadingOffScript(): string {
  return [
    '#!/bin/bash',
    '# Hyper-threading off: MPI codes usually run best with one rank per physical core.',
    'for f in /sys/devices/system/cpu/cpu[0-9]*/topology/thread_siblings_list; do',
    '  [ -f "$f" ] || continue',
    '  cpu=$(dirname "$(dirname "$f")")',
    '  n=$(basename "$cpu" | sed s/^cpu//)',
    '  first=$(cut -d, -f1 "$f" | cut -d- -f1)',
    '  if [ "$n" != "$first" ] && [ -w "$cpu/online" ]; then echo 0 > "$cpu/online"; fi',
    'done',
    '',
  ].join('\n');
}

/**
 * Shell script making the EFA device available to containers (/dev/infiniband/uverbs0): loads
 * the in-kernel driver, and installs AWS's minimal EFA package only when that is not enough
 * (the ECS-optimized AMI may lack it; a baked AMI may have it already). The package is the
 * pinned installer version, and nothing of it runs unless its SHA-256 is the pinned one.
 */
export function efaDriverScript(pin: EfaInstallerPin = EFA_INSTALLER): string {
  if (!/^\d+\.\d+\.\d+$/.test(pin.version) || !/^[0-9a-f]{64}$/.test(pin.sha256)) {
    throw new Error(`EFA installer pin must be X.Y.Z and 64 hex digits, not ${pin.version} ${pin.sha256}`);
  }
  const tarball = efaInstallerTarball(pin);
  return [
    '#!/bin/bash',
    '# EFA device for the containers: in-kernel driver first, the pinned EFA installer only if needed.',
    'modprobe efa 2>/dev/null || true',
    'modprobe ib_uverbs 2>/dev/null || true',
    'if [ ! -e /dev/infiniband/uverbs0 ]; then',
    '  set -e',
    '  cd "$(mktemp -d)"',
    `  curl -sfO ${EFA_INSTALLER_BASE_URL}/${tarball}`,
    `  if ! echo "${pin.sha256}  ${tarball}" | sha256sum -c --status; then`,
    `    echo "mnbatch: ${tarball} does not have the pinned SHA-256 ${pin.sha256}: not installing EFA" >&2`,
    '    exit 1',
    '  fi',
    `  tar -xf ${tarball}`,
    '  cd aws-efa-installer && ./efa_installer.sh -y --minimal',
    'fi',
    '',
  ].join('\n');
}

/** Joins shell scripts into one MIME multipart document, or undefined when there are none. */
export function mimeMultipart(scripts: readonly string[]): string | undefined {
  if (scripts.length === 0) return undefined;
  const parts = scripts.map((s) =>
    [`--${BOUNDARY}`, 'Content-Type: text/x-shellscript; charset="us-ascii"', '', s].join('\n'),
  );
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    '',
    ...parts,
    `--${BOUNDARY}--`,
    '',
  ].join('\n');
}

/** The stack's user data (plain text), or undefined when the instances need none. */
export function stackUserData(config: InfraConfig, fileSystemId: string | undefined): string | undefined {
  const scripts: string[] = [];
  if (config.hyperthreading === 'offViaUserData') scripts.push(hyperthreadingOffScript());
  if (config.efa) scripts.push(efaDriverScript());
  if (fileSystemId) scripts.push(efsMountScript(fileSystemId, config.efsMountPoint));
  return mimeMultipart(scripts);
}
