/**
 * File system roots for running the ami/ scripts for real: a temp dir that looks enough like
 * a builder instance (os-release, fstab, ECS/cloud-init state, keys, logs), a recorder that
 * stands in for every hook (package install, grubby, update-grub, poweroff), and a snapshot of
 * the whole tree to compare before and after.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const AMI_DIR = fileURLToPath(new URL('../../ami/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../_fixtures/ami/', import.meta.url));

export type OsKind = 'al2023' | 'al2' | 'debian12' | 'ubuntu2204' | 'alpine' | 'arch';

/** A temp dir holding `root/` (the fake system) and the hook log next to it. */
export interface Sandbox {
  readonly dir: string;
  readonly root: string;
  cleanup(): void;
}

function put(root: string, path: string, content: string, mode?: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  if (mode !== undefined) chmodSync(full, mode);
}

/** Makes a sandbox whose root looks like a freshly booted builder of OS `kind`. */
export function makeSandbox(kind: OsKind): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-ami-'));
  const root = join(dir, 'root');
  const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
  put(root, 'etc/os-release', fixture(`os-release/${kind}`));
  put(root, 'etc/fstab', fixture('fstab-al2023'));
  put(root, 'etc/machine-id', '4f1c2b0e9a8d4c7bb1e2f3a4b5c6d7e8\n');
  put(root, 'etc/ssh/sshd_config', 'PasswordAuthentication no\n');
  for (const t of ['rsa', 'ecdsa', 'ed25519']) {
    put(root, `etc/ssh/ssh_host_${t}_key`, `private ${t}\n`, 0o600);
    put(root, `etc/ssh/ssh_host_${t}_key.pub`, `public ${t}\n`);
  }
  put(root, 'etc/ecs/ecs.config', fixture('ecs.config'));
  put(root, 'var/lib/ecs/data/agent.db', 'ecs agent state');
  put(root, 'var/lib/ecs/README', 'kept');
  put(root, 'var/lib/cloud/instances/i-0123456789abcdef0/user-data.txt', '#!/bin/sh\n');
  symlinkSync('/var/lib/cloud/instances/i-0123456789abcdef0', join(root, 'var/lib/cloud/instance'));
  put(root, 'var/lib/cloud/data/instance-id', 'i-0123456789abcdef0\n');
  put(root, 'var/lib/cloud/scripts/per-boot/keep.sh', '#!/bin/sh\n');
  put(root, 'var/log/cloud-init.log', 'builder boot log\n');
  put(root, 'var/log/cloud-init-output.log', 'builder output\n');
  put(root, 'var/log/messages', 'kernel: hello\n');
  put(root, 'var/log/ecs/ecs-agent.log', 'agent log\n');
  put(root, 'var/log/README', 'kept as is\n');
  put(root, 'var/log/journal/4f1c2b0e9a8d4c7bb1e2f3a4b5c6d7e8/system.journal', 'journal');
  put(root, 'root/.bash_history', 'ls\n');
  put(root, 'home/ec2-user/.bash_history', 'sudo -i\n');
  put(root, 'home/ec2-user/.bashrc', '# kept\n');
  if (kind === 'al2023' || kind === 'al2') put(root, 'usr/bin/cloud-init', '#!/bin/sh\n', 0o755);
  if (kind === 'debian12' || kind === 'ubuntu2204')
    put(root, 'etc/default/grub', fixture('default-grub-debian'));
  put(dir, 'hook.sh', '#!/bin/sh\nprintf "%s\\n" "$*" >>"$(dirname "$0")/hooks.log"\n', 0o755);
  return { dir, root, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What one run of ami/bake.sh did. */
export interface BakeRun {
  readonly code: number | null;
  readonly stderr: string;
  /** Each hook call as one line `NAME ARGS…`, from this run only. */
  readonly hooks: string[];
  /** What the script wrote to its console (the result marker). */
  readonly console: string;
}

/** Runs ami/bake.sh against the sandbox's root with `shell`, hooks recorded. */
export function runBake(box: Sandbox, args: readonly string[], shell = 'bash'): BakeRun {
  const hookLog = join(box.dir, 'hooks.log');
  const consoleLog = join(box.dir, 'console.log');
  rmSync(hookLog, { force: true });
  rmSync(consoleLog, { force: true });
  writeFileSync(consoleLog, '');
  const result = spawnSync(shell, [join(AMI_DIR, 'bake.sh'), '--root', box.root, ...args], {
    env: { PATH: process.env.PATH, MNBATCH_HOOK: join(box.dir, 'hook.sh'), MNBATCH_CONSOLE: consoleLog },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    code: result.status,
    stderr: result.stderr,
    hooks: read(hookLog).split('\n').filter(Boolean),
    console: read(consoleLog),
  };
}

/** Every entry under `root`: files as `file <mode> <content>`, links as `link -> target`, dirs as `dir`. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const full = join(root, rel);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(full)}`;
    else if (st.isDirectory()) {
      if (rel) out[rel] = 'dir';
      for (const name of readdirSync(full).sort()) walk(rel ? `${rel}/${name}` : name);
    } else out[rel] = `file ${(st.mode & 0o777).toString(8)} ${readFileSync(full, 'utf8')}`;
  };
  walk('');
  return out;
}
