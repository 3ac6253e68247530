import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSandbox, type OsKind, runBake, type Sandbox, snapshot } from './fake-root.js';

const NFS_LINE =
  'fs-0123456789abcdef0.efs.eu-west-1.amazonaws.com:/ /efs nfs4 nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev 0 0';
const TLS_LINE = 'fs-0123456789abcdef0:/ /efs efs _netdev,tls 0 0';
const EFS_ARGS = ['--efs-id', 'fs-0123456789abcdef0', '--region', 'eu-west-1'];

let boxes: Sandbox[] = [];
afterEach(() => {
  for (const b of boxes) b.cleanup();
  boxes = [];
});
function sandbox(kind: OsKind): Sandbox {
  const b = makeSandbox(kind);
  boxes.push(b);
  return b;
}
const read = (box: Sandbox, path: string) => readFileSync(join(box.root, path), 'utf8');
const fstabLines = (box: Sandbox) => read(box, 'etc/fstab').split('\n').filter(Boolean);

describe('ami/bake.sh on Amazon Linux 2023', () => {
  it('adds one nfs4 fstab line, sets nr_cpus with grubby, installs the efs helper, and powers off', () => {
    const box = sandbox('al2023');
    const before = fstabLines(box);

    const run = runBake(box, [...EFS_ARGS, '--nr-cpus', '36', '--poweroff']);

    expect(run.code, run.stderr).toBe(0);
    expect(fstabLines(box)).toEqual([...before, NFS_LINE]);
    expect(snapshot(box.root).efs).toBe('dir');
    expect(run.hooks).toEqual([
      'install amazon-efs-utils',
      'grubby --update-kernel=ALL --args=nr_cpus=36',
      'stop-service ecs',
      'cloud-init-clean',
      'poweroff',
    ]);
    expect(run.console).toContain('MNBATCH_AMI_BAKE_OK');
  });

  it('writes the efs helper line with TLS at the chosen mount path', () => {
    const box = sandbox('al2023');

    const run = runBake(box, [...EFS_ARGS, '--mount-mode', 'efs-tls', '--mount-path', '/shared/efs']);

    expect(run.code, run.stderr).toBe(0);
    expect(fstabLines(box).at(-1)).toBe('fs-0123456789abcdef0:/ /shared/efs efs _netdev,tls 0 0');
    expect(snapshot(box.root)['shared/efs']).toBe('dir');
    expect(run.hooks).not.toContain('poweroff');
  });

  it('is idempotent: a second run leaves the tree exactly as the first did', () => {
    const box = sandbox('al2023');
    const args = [...EFS_ARGS, '--nr-cpus', '36'];
    expect(runBake(box, args).code).toBe(0);
    const first = snapshot(box.root);

    const second = runBake(box, args);

    expect(second.code, second.stderr).toBe(0);
    expect(snapshot(box.root)).toEqual(first);
    expect(fstabLines(box).filter((l) => l.includes(' /efs '))).toEqual([NFS_LINE]);
    // grubby replaces an existing nr_cpus= itself; we ask for the one value again.
    expect(second.hooks.filter((h) => h.startsWith('grubby'))).toEqual([
      'grubby --update-kernel=ALL --args=nr_cpus=36',
    ]);
  });

  it('replaces an existing entry for the mount point instead of adding a second one', () => {
    const box = sandbox('al2023');
    runBake(box, [...EFS_ARGS, '--mount-mode', 'efs-tls']);

    const run = runBake(box, EFS_ARGS);

    expect(run.code, run.stderr).toBe(0);
    const efsLines = fstabLines(box).filter((l) => l.includes(' /efs '));
    expect(efsLines).toEqual([NFS_LINE]);
    expect(efsLines).not.toContain(TLS_LINE);
  });

  it('does not install the helper when it is already there, and keeps nr_cpus untouched with keep', () => {
    const box = sandbox('al2023');
    const helper = join(box.root, 'usr/sbin');
    mkdirSync(helper, { recursive: true });
    writeFileSync(join(helper, 'mount.efs'), '#!/bin/sh\n', { mode: 0o755 });

    const run = runBake(box, [...EFS_ARGS, '--mount-mode', 'efs-tls', '--nr-cpus', 'keep']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.hooks.some((h) => h.startsWith('install'))).toBe(false);
    expect(run.hooks.some((h) => h.startsWith('grubby'))).toBe(false);
  });
});

describe('ami/bake.sh on Amazon Linux 2', () => {
  it('uses grubby and installs amazon-efs-utils', () => {
    const box = sandbox('al2');

    const run = runBake(box, [...EFS_ARGS, '--nr-cpus', '8']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.hooks.slice(0, 2)).toEqual([
      'install amazon-efs-utils',
      'grubby --update-kernel=ALL --args=nr_cpus=8',
    ]);
    expect(fstabLines(box).at(-1)).toBe(NFS_LINE);
  });
});

describe('ami/bake.sh on Debian and Ubuntu', () => {
  it.each(['debian12', 'ubuntu2204'] as const)(
    '%s: sets nr_cpus in GRUB_CMDLINE_LINUX, runs update-grub, installs nfs-common',
    (kind) => {
      const box = sandbox(kind);
      const grubBefore = read(box, 'etc/default/grub').split('\n');

      const run = runBake(box, [...EFS_ARGS, '--nr-cpus', '18']);

      expect(run.code, run.stderr).toBe(0);
      const grub = read(box, 'etc/default/grub').split('\n');
      expect(grub.filter((l) => l.startsWith('GRUB_CMDLINE_LINUX='))).toEqual([
        'GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200 earlyprintk=ttyS0,115200 consoleblank=0 nr_cpus=18"',
      ]);
      // Every other line stays byte for byte.
      expect(grub.filter((l) => !l.startsWith('GRUB_CMDLINE_LINUX='))).toEqual(
        grubBefore.filter((l) => !l.startsWith('GRUB_CMDLINE_LINUX=')),
      );
      expect(run.hooks).toEqual(['install nfs-common', 'update-grub', 'stop-service ecs']);
      expect(fstabLines(box).at(-1)).toBe(NFS_LINE);
    },
  );

  it('replaces an existing nr_cpus and is idempotent', () => {
    const box = sandbox('debian12');
    runBake(box, ['--nr-cpus', '4']);
    runBake(box, ['--nr-cpus', '18']);
    const first = snapshot(box.root);

    const run = runBake(box, ['--nr-cpus', '18']);

    expect(run.code, run.stderr).toBe(0);
    expect(snapshot(box.root)).toEqual(first);
    const line = read(box, 'etc/default/grub')
      .split('\n')
      .filter((l) => l.startsWith('GRUB_CMDLINE_LINUX='));
    expect(line).toHaveLength(1);
    expect(line[0]?.match(/nr_cpus=/g)).toHaveLength(1);
    expect(line[0]).toContain('nr_cpus=18"');
  });

  it('adds GRUB_CMDLINE_LINUX when the file has none', () => {
    const box = sandbox('debian12');
    writeFileSync(join(box.root, 'etc/default/grub'), 'GRUB_TIMEOUT=0\n');

    expect(runBake(box, ['--nr-cpus', '2']).code).toBe(0);

    expect(read(box, 'etc/default/grub')).toBe('GRUB_TIMEOUT=0\nGRUB_CMDLINE_LINUX="nr_cpus=2"\n');
  });

  it('keeps drop-ins that set only GRUB_CMDLINE_LINUX_DEFAULT, refuses one that sets GRUB_CMDLINE_LINUX', () => {
    const box = sandbox('ubuntu2204');
    mkdirSync(join(box.root, 'etc/default/grub.d'), { recursive: true });
    writeFileSync(
      join(box.root, 'etc/default/grub.d/50-cloudimg-settings.cfg'),
      'GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0"\n',
    );
    expect(runBake(box, ['--nr-cpus', '8']).code).toBe(0);

    writeFileSync(join(box.root, 'etc/default/grub.d/60-custom.cfg'), 'GRUB_CMDLINE_LINUX="quiet"\n');
    const before = snapshot(box.root);
    const run = runBake(box, ['--nr-cpus', '16']);

    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('/etc/default/grub.d/60-custom.cfg sets GRUB_CMDLINE_LINUX');
    expect(snapshot(box.root)).toEqual(before);
  });

  it('refuses efs-tls (no amazon-efs-utils package) before changing anything', () => {
    const box = sandbox('debian12');
    const before = snapshot(box.root);

    const run = runBake(box, [...EFS_ARGS, '--mount-mode', 'efs-tls', '--nr-cpus', '4']);

    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('efs-tls needs amazon-efs-utils');
    expect(snapshot(box.root)).toEqual(before);
  });
});

describe('ami/bake.sh refuses what it cannot do, before changing anything', () => {
  it.each([
    ['alpine', 'Alpine Linux v3.20'],
    ['arch', 'Arch Linux'],
  ] as const)('unsupported OS %s: names it, exits non-zero, tree unchanged', (kind, name) => {
    const box = sandbox(kind);
    const before = snapshot(box.root);

    const run = runBake(box, [...EFS_ARGS, '--nr-cpus', '4', '--poweroff']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`unsupported OS: ${name}`);
    expect(snapshot(box.root)).toEqual(before);
    // Only the power-off that ends a failed bake, with the failure marker for `mnbatch ami bake`.
    expect(run.hooks).toEqual(['poweroff']);
    expect(run.console).toContain('MNBATCH_AMI_BAKE_FAILED');
  });

  it.each([
    [['--efs-id', 'vol-123', '--region', 'eu-west-1'], 'not an EFS file system id'],
    [['--efs-id', 'fs-0123456789abcdef0'], 'nfs4 mounts need the region'],
    [[...EFS_ARGS, '--mount-path', 'efs'], 'mount path must be absolute'],
    [[...EFS_ARGS, '--mount-mode', 'cifs'], "unknown mount mode 'cifs'"],
    [['--nr-cpus', '0'], 'nr_cpus must be a positive number'],
    [['--bogus'], 'unknown argument: --bogus'],
  ])('%j → %s', (args, message) => {
    const box = sandbox('al2023');
    const before = snapshot(box.root);

    const run = runBake(box, args);

    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(message);
    expect(snapshot(box.root)).toEqual(before);
  });

  it('refuses nr_cpus on a Debian system without /etc/default/grub', () => {
    const box = sandbox('debian12');
    rmSync(join(box.root, 'etc/default/grub'));
    const before = snapshot(box.root);

    const run = runBake(box, ['--nr-cpus', '4']);

    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('no /etc/default/grub');
    expect(snapshot(box.root)).toEqual(before);
  });
});

describe('ami/bake.sh is POSIX sh', () => {
  it.each(['al2023', 'debian12'] as const)('%s: dash gives the same tree as bash', (kind) => {
    const withBash = sandbox(kind);
    const withDash = sandbox(kind);
    const args = [...EFS_ARGS, '--nr-cpus', '36', '--poweroff'];

    const bashRun = runBake(withBash, args, 'bash');
    const dashRun = runBake(withDash, args, 'dash');

    expect(dashRun.code, dashRun.stderr).toBe(0);
    expect(snapshot(withDash.root)).toEqual(snapshot(withBash.root));
    expect(dashRun.hooks).toEqual(bashRun.hooks);
  });
});

describe('ami/bake.sh cleanup', () => {
  it('removes instance state and nothing else', () => {
    const box = sandbox('al2023');
    const before = snapshot(box.root);

    const run = runBake(box, []);

    expect(run.code, run.stderr).toBe(0);
    const after = snapshot(box.root);
    const removed = Object.keys(before).filter((k) => !(k in after));
    const changed = Object.keys(before).filter((k) => k in after && after[k] !== before[k]);
    const added = Object.keys(after).filter((k) => !(k in before));
    expect(removed.sort()).toEqual(
      [
        'etc/ssh/ssh_host_ecdsa_key',
        'etc/ssh/ssh_host_ecdsa_key.pub',
        'etc/ssh/ssh_host_ed25519_key',
        'etc/ssh/ssh_host_ed25519_key.pub',
        'etc/ssh/ssh_host_rsa_key',
        'etc/ssh/ssh_host_rsa_key.pub',
        'var/lib/cloud/data/instance-id',
        'var/lib/cloud/instance',
        'var/lib/cloud/instances/i-0123456789abcdef0',
        'var/lib/cloud/instances/i-0123456789abcdef0/user-data.txt',
        'var/lib/ecs/data/agent.db',
        'var/log/journal/4f1c2b0e9a8d4c7bb1e2f3a4b5c6d7e8',
        'var/log/journal/4f1c2b0e9a8d4c7bb1e2f3a4b5c6d7e8/system.journal',
        'root/.bash_history',
        'home/ec2-user/.bash_history',
      ].sort(),
    );
    expect(changed.sort()).toEqual(
      [
        'etc/ecs/ecs.config',
        'etc/machine-id',
        'var/log/cloud-init-output.log',
        'var/log/cloud-init.log',
        'var/log/ecs/ecs-agent.log',
        'var/log/messages',
      ].sort(),
    );
    expect(added).toEqual([]);
    for (const log of changed.filter((k) => k.startsWith('var/log/'))) expect(after[log]).toBe('file 644 ');
    expect(after['etc/machine-id']).toBe('file 644 ');
    expect(read(box, 'etc/ecs/ecs.config')).toBe(
      'ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\nECS_LOGLEVEL=info\n',
    );
  });
});
