/** The sshd_config the agent renders, checked by this machine's real OpenSSH server (`sshd -t`). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSshKeyPair } from '../../src/agent/keys.js';
import { renderSshdConfig } from '../../src/agent/ssh-config.js';

describe('sshd_config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-sshd-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given the rendered config and a host key, when sshd checks it (sshd -t), then it is valid', () => {
    const settings = {
      port: 2222,
      listenAddress: '127.0.0.9',
      hostKeyFile: join(dir, 'ssh_host_ed25519_key'),
      authorizedKeysFile: join(dir, 'authorized_keys'),
      pidFile: join(dir, 'sshd.pid'),
      setEnv: { PATH: '/opt/mpi/bin:/usr/bin', LD_LIBRARY_PATH: '/opt/mpi/lib', NCCL_SOCKET_IFNAME: 'eth0' },
    };
    mkdirSync('/run/sshd', { recursive: true });
    writeFileSync(settings.hostKeyFile, generateSshKeyPair().privateKey, { mode: 0o600 });
    const file = join(dir, 'sshd_config');
    writeFileSync(file, renderSshdConfig(settings));
    expect(() => execFileSync('/usr/sbin/sshd', ['-t', '-f', file], { stdio: 'pipe' })).not.toThrow();
  });
});
