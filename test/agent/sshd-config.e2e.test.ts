/** The sshd_config the agent renders, checked by this machine's real OpenSSH server (`sshd -t`). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSshKeyPair } from '../../src/agent/keys.js';
import { renderSshdConfig } from '../../src/agent/ssh-config.js';
import { testSshdSettings } from './_sshd-settings.js';

describe('sshd_config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-sshd-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given the rendered config and a host key, when sshd checks it (sshd -t), then it is valid', () => {
    const settings = testSshdSettings(dir);
    mkdirSync('/run/sshd', { recursive: true });
    writeFileSync(settings.hostKeyFile, generateSshKeyPair().privateKey, { mode: 0o600 });
    const file = join(dir, 'sshd_config');
    writeFileSync(file, renderSshdConfig(settings));
    expect(() => execFileSync('/usr/sbin/sshd', ['-t', '-f', file], { stdio: 'pipe' })).not.toThrow();
  });
});
