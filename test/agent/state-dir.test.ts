import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir, installUserSsh, statePaths, writeFile } from '../../src/agent/state-dir.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mnbatch-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const files = {
  config: '# Written by mnbatch-agent for this job only.\nHost 10.0.0.1\n',
  privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n',
  knownHosts: '[10.0.0.1]:2222 ssh-ed25519 AAAA\n',
};

describe('installUserSsh', () => {
  it('given an empty home, when installed, then config, key and known_hosts are written with strict modes', () => {
    expect(installUserSsh(home, files)).toEqual([]);
    expect(readFileSync(join(home, '.ssh/config'), 'utf8')).toBe(files.config);
    expect(statSync(join(home, '.ssh/id_ed25519')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(home, '.ssh/known_hosts'), 'utf8')).toContain(files.knownHosts);
  });

  it("given the user's own files, when installed, then they are left alone and reported", () => {
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh/config'), 'Host github.com\n  User git\n');
    writeFileSync(join(home, '.ssh/id_ed25519'), 'my own key\n');
    const skipped = installUserSsh(home, files);
    expect(skipped).toEqual([join(home, '.ssh/config'), join(home, '.ssh/id_ed25519')]);
    expect(readFileSync(join(home, '.ssh/config'), 'utf8')).toBe('Host github.com\n  User git\n');
    expect(readFileSync(join(home, '.ssh/id_ed25519'), 'utf8')).toBe('my own key\n');
  });

  it('given files from an earlier run of the agent, when installed again, then they are replaced', () => {
    installUserSsh(home, files);
    const next = { ...files, config: '# Written by mnbatch-agent for this job only.\nHost 10.0.0.2\n' };
    expect(installUserSsh(home, next)).toEqual([]);
    expect(readFileSync(join(home, '.ssh/config'), 'utf8')).toBe(next.config);
  });
});

describe('state dir', () => {
  it('given a fresh dir and a loose umask, when files are written, then modes are exactly as asked', () => {
    const dir = join(home, 'state');
    ensureDir(dir);
    const paths = statePaths(dir);
    writeFile(paths.userKey, 'k');
    writeFile(paths.hostfile, 'h', 0o644);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.userKey).mode & 0o777).toBe(0o600);
    expect(statSync(paths.hostfile).mode & 0o777).toBe(0o644);
    expect(paths.knownHosts).toBe(join(dir, 'known_hosts'));
  });
});
