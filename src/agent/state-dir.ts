/** The agent's files on disk: the state dir (strict permissions) and the optional ~/.ssh install. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File names inside the state dir. */
export const STATE_FILES = {
  hostKey: 'ssh_host_ed25519_key',
  sshdConfig: 'sshd_config',
  sshdPid: 'sshd.pid',
  authorizedKeys: 'authorized_keys',
  userKey: 'id_ed25519',
  userPublicKey: 'id_ed25519.pub',
  knownHosts: 'known_hosts',
  sshConfig: 'ssh_config',
  sshWrapper: 'ssh',
  hostfile: 'hostfile',
  hostfileMpich: 'hostfile.mpich',
  hostfileIntelMpi: 'hostfile.intelmpi',
  hosts: 'hosts',
} as const;

/** Absolute paths of the state files. */
export type StatePaths = { readonly [K in keyof typeof STATE_FILES]: string } & { readonly dir: string };

/** The state files' paths under `dir`. */
export function statePaths(dir: string): StatePaths {
  const out: Record<string, string> = { dir };
  for (const [k, name] of Object.entries(STATE_FILES)) out[k] = join(dir, name);
  return out as unknown as StatePaths;
}

/** Creates the state dir, readable by its owner only (sshd's StrictModes checks it too). */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Writes `content` with exactly `mode`, whatever the file's previous mode or the umask. */
export function writeFile(path: string, content: string, mode = 0o600): void {
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
}

const MARK = '# Written by mnbatch-agent';

/**
 * Copies the job's SSH client files into `<home>/.ssh` so `ssh`, `pdsh` and DeepSpeed work without
 * `-F`. A file that exists and was not written by the agent is left alone; the names skipped are returned.
 */
export function installUserSsh(
  home: string,
  files: { readonly config: string; readonly privateKey?: string; readonly knownHosts: string },
): string[] {
  const dir = join(home, '.ssh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const skipped: string[] = [];
  const put = (name: string, content: string, mode: number, marked: boolean) => {
    const path = join(dir, name);
    if (existsSync(path)) {
      const old = readFileSync(path, 'utf8');
      const ours = marked ? old.startsWith(MARK) : old === content;
      if (!ours) {
        skipped.push(path);
        return;
      }
    }
    writeFile(path, content, mode);
  };
  put('config', files.config, 0o600, true);
  if (files.privateKey !== undefined) put('id_ed25519', files.privateKey, 0o600, false);
  put('known_hosts', `${MARK} for this job only.\n${files.knownHosts}`, 0o644, true);
  return skipped;
}
