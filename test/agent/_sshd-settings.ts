import { join } from 'node:path';
import type { SshdSettings } from '../../src/agent/ssh-config.js';

/** The sshd settings the sshd_config tests render, with the node's files in `dir`. */
export function testSshdSettings(dir: string): SshdSettings {
  return {
    port: 2222,
    listenAddress: '127.0.0.9',
    hostKeyFile: join(dir, 'ssh_host_ed25519_key'),
    authorizedKeysFile: join(dir, 'authorized_keys'),
    pidFile: join(dir, 'sshd.pid'),
    setEnv: { PATH: '/opt/mpi/bin:/usr/bin', LD_LIBRARY_PATH: '/opt/mpi/lib', NCCL_SOCKET_IFNAME: 'eth0' },
  };
}
