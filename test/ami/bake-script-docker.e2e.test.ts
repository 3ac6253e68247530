/**
 * The builder user data run for real inside a Debian container (ROOT=/, its real /etc), with
 * hooks recording instead of installing packages, running update-grub or powering off. Needs
 * Docker and the local image mnbatch/debian:bookworm (made here with
 * container/make-base-image.sh when missing); the container has no network.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBakeScripts, renderUserData } from '../../src/ami/user-data.js';
import { FIXTURES } from './fake-root.js';

const IMAGE = process.env.MNBATCH_BASE_IMAGE ?? 'mnbatch/debian:bookworm';
const MAKE_IMAGE = fileURLToPath(new URL('../../container/make-base-image.sh', import.meta.url));
const NFS_LINE =
  'fs-0123456789abcdef0.efs.eu-west-1.amazonaws.com:/ /efs nfs4 nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev 0 0';

function docker(args: string[], timeout = 60_000) {
  return spawnSync('docker', args, { encoding: 'utf8', timeout });
}

let dir: string;

beforeAll(async () => {
  if (docker(['info']).status !== 0) {
    throw new Error('Docker is not running (start it: dockerd &, or systemctl start docker)');
  }
  if (docker(['image', 'inspect', IMAGE]).status !== 0) {
    if (!existsSync(MAKE_IMAGE)) throw new Error(`${IMAGE} is missing and ${MAKE_IMAGE} does not exist`);
    execFileSync(MAKE_IMAGE, { stdio: 'inherit', timeout: 600_000 });
  }
  dir = mkdtempSync(join(tmpdir(), 'mnbatch-ami-docker-'));
  const scripts = await readBakeScripts();
  writeFileSync(
    join(dir, 'user-data'),
    renderUserData(scripts, {
      efs: { fileSystemId: 'fs-0123456789abcdef0', region: 'eu-west-1', mountPath: '/efs', mode: 'nfs4' },
      nrCpus: 18,
    }),
  );
  writeFileSync(join(dir, 'hook.sh'), '#!/bin/sh\nprintf "%s\\n" "$*" >>/mnt/bake/hooks.log\n', {
    mode: 0o755,
  });
  copyFileSync(join(FIXTURES, 'default-grub-debian'), join(dir, 'default-grub'));
  // Stands in for /dev/console: the script writes its result marker only where it can.
  writeFileSync(join(dir, 'console.log'), '');
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Seeds what a Debian cloud image has and a minbase root lacks, runs the user data twice as
// cloud-init would (as root, sh), and copies the results out after each run.
const SCRIPT = `
set -e
cp /mnt/bake/default-grub /etc/default/grub
mkdir -p /etc/ssh /var/lib/cloud/instances/i-0abc /var/log/journal/x
echo key >/etc/ssh/ssh_host_ed25519_key
echo cfg >/etc/ssh/sshd_config
echo 0123456789abcdef0123456789abcdef >/etc/machine-id
echo boot >/var/log/cloud-init.log
echo history >/root/.bash_history
for run in 1 2; do
  sh /mnt/bake/user-data
  cp /etc/fstab /mnt/bake/fstab.$run
  cp /etc/default/grub /mnt/bake/grub.$run
done
ls -A /etc/ssh >/mnt/bake/ssh.ls
wc -c </etc/machine-id >/mnt/bake/machine-id.size
wc -c </var/log/cloud-init.log >/mnt/bake/cloud-init-log.size
test -d /efs && echo yes >/mnt/bake/efs.dir
test -e /root/.bash_history || echo gone >/mnt/bake/history
`;

describe('ami user data in a Debian container', () => {
  it('writes one fstab line and nr_cpus in GRUB, cleans state, is idempotent, records the hooks', () => {
    const result = docker(
      [
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${dir}:/mnt/bake`,
        '-e',
        'MNBATCH_HOOK=/mnt/bake/hook.sh',
        '-e',
        'MNBATCH_CONSOLE=/mnt/bake/console.log',
        IMAGE,
        'bash',
        '-c',
        SCRIPT,
      ],
      120_000,
    );
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');

    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const fstab = read('fstab.1').split('\n');
    expect(fstab.filter((l) => l.includes(' /efs '))).toEqual([NFS_LINE]);
    expect(read('fstab.2')).toBe(read('fstab.1'));
    const grub = read('grub.1');
    expect(grub).toContain(
      'GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0 nr_cpus=18"',
    );
    expect(grub.match(/nr_cpus=/g)).toHaveLength(1);
    expect(read('grub.2')).toBe(grub);
    expect(read('hooks.log').split('\n').filter(Boolean)).toEqual([
      'install nfs-common',
      'update-grub',
      'stop-service ecs',
      'poweroff',
      'install nfs-common',
      'update-grub',
      'stop-service ecs',
      'poweroff',
    ]);
    expect(read('console.log').match(/MNBATCH_AMI_BAKE_OK/g)).toHaveLength(2);
    expect(read('ssh.ls').split('\n').filter(Boolean)).toEqual(['sshd_config']);
    expect(read('machine-id.size').trim()).toBe('0');
    expect(read('cloud-init-log.size').trim()).toBe('0');
    expect(read('efs.dir').trim()).toBe('yes');
    expect(read('history').trim()).toBe('gone');
  }, 150_000);
});
