import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type NodeInfo, orderNodes, renderHostfiles, totalSlots } from '../../src/agent/cluster.js';
import { commandEnv } from '../../src/agent/job-files.js';
import {
  jobKexAlgorithms,
  renderKnownHosts,
  renderSshConfig,
  renderSshdConfig,
  sessionEnv,
  unforwardable,
} from '../../src/agent/ssh-config.js';
import { statePaths } from '../../src/agent/state-dir.js';
import { testSshdSettings } from './_sshd-settings.js';

const key = (n: number) =>
  `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${String(n).repeat(43).slice(0, 43)} mnbatch-host-node-${n}`;
const nodes: NodeInfo[] = [
  { index: 2, ip: '10.0.0.12', slots: 4, hostname: 'c2', hostKey: key(2) },
  { index: 1, ip: '10.0.0.11', slots: 8, hostname: 'm', hostKey: key(1) },
  { index: 0, ip: '10.0.0.10', slots: 4, hostname: 'c0', hostKey: key(0) },
];

describe('hostfiles', () => {
  it('given nodes with main node index 1, when ordered, then the main node comes first, children by index', () => {
    expect(orderNodes(nodes, 1).map((n) => n.index)).toEqual([1, 0, 2]);
    expect(totalSlots(nodes)).toBe(16);
  });

  it('given ordered nodes, when rendered, then each MPI gets its own format', () => {
    const h = renderHostfiles(orderNodes(nodes, 1));
    expect(h.hostfile).toBe('10.0.0.11 slots=8\n10.0.0.10 slots=4\n10.0.0.12 slots=4\n');
    expect(h['hostfile.mpich']).toBe('10.0.0.11:8\n10.0.0.10:4\n10.0.0.12:4\n');
    expect(h['hostfile.intelmpi']).toBe(h['hostfile.mpich']);
    expect(h.hosts).toBe('10.0.0.11\n10.0.0.10\n10.0.0.12\n');
  });
});

describe('known_hosts', () => {
  it('given a non-22 port, when rendered, then entries use [ip]:port and drop the key comment', () => {
    expect(renderKnownHosts(orderNodes(nodes, 1).slice(0, 2), 2222)).toBe(
      `[10.0.0.11]:2222 ${key(1).split(' ').slice(0, 2).join(' ')}\n[10.0.0.10]:2222 ${key(0).split(' ').slice(0, 2).join(' ')}\n`,
    );
  });

  it('given port 22, when rendered, then entries are bare addresses', () => {
    expect(renderKnownHosts([nodes[0]!], 22)).toMatch(/^10\.0\.0\.12 ssh-ed25519 /);
  });
});

describe('ssh_config', () => {
  it('given the job settings, when rendered, then strict checking and the job key are on for the job hosts', () => {
    expect(
      renderSshConfig({
        hosts: ['10.0.0.11', '10.0.0.10'],
        port: 2222,
        user: 'root',
        identityFile: '/run/mnbatch/id_ed25519',
        knownHostsFile: '/run/mnbatch/known_hosts',
      }),
    ).toBe(
      [
        '# Written by mnbatch-agent for this job only.',
        'Host 10.0.0.11 10.0.0.10',
        '  Port 2222',
        '  User root',
        '  IdentityFile /run/mnbatch/id_ed25519',
        '  IdentitiesOnly yes',
        '  UserKnownHostsFile /run/mnbatch/known_hosts',
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  ConnectTimeout 10',
        '  ServerAliveInterval 30',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );
  });

  it('given a key exchange preference, when rendered, then the Host block carries it before the timeouts', () => {
    const text = renderSshConfig({
      hosts: ['10.0.0.11'],
      port: 2222,
      user: 'root',
      identityFile: '/k',
      knownHostsFile: '/kh',
      kexAlgorithms: '^curve25519-sha256',
    });
    expect(text).toContain('  BatchMode yes\n  KexAlgorithms ^curve25519-sha256\n  ConnectTimeout 10\n');
  });
});

describe('the job ssh key exchange (jobKexAlgorithms)', () => {
  // `ssh -Q kex` of Debian bookworm's OpenSSH 9.2, whose default leads with sntrup761x25519.
  const openssh92 = [
    'diffie-hellman-group14-sha256',
    'ecdh-sha2-nistp256',
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'sntrup761x25519-sha512',
    'sntrup761x25519-sha512@openssh.com',
  ];

  it('given an OpenSSH that leads with sntrup761x25519, when choosing, then curve25519 goes first (the rest of the defaults stay)', () => {
    expect(jobKexAlgorithms(openssh92)).toBe('^curve25519-sha256');
  });

  it('given an OpenSSH with mlkem768x25519 (9.9+), when choosing, then its default is kept', () => {
    expect(jobKexAlgorithms([...openssh92, 'mlkem768x25519-sha256'])).toBeUndefined();
  });

  it('given ssh that could not say, or has no curve25519, when choosing, then nothing is set', () => {
    expect(jobKexAlgorithms([])).toBeUndefined();
    expect(jobKexAlgorithms(['ecdh-sha2-nistp256', 'diffie-hellman-group14-sha256'])).toBeUndefined();
  });
});

describe('sshd_config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-files-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const settings = testSshdSettings(dir);

  it('given the settings, when rendered, then key-only login, our files and the container variables are there', () => {
    const text = renderSshdConfig(settings);
    for (const line of [
      'Port 2222',
      'ListenAddress 127.0.0.9',
      `HostKey ${settings.hostKeyFile}`,
      `AuthorizedKeysFile ${settings.authorizedKeysFile}`,
      `PidFile ${settings.pidFile}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'SetEnv "LD_LIBRARY_PATH=/opt/mpi/lib" "NCCL_SOCKET_IFNAME=eth0" "PATH=/opt/mpi/bin:/usr/bin"',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('given the agent environment, when filtered for sessions, then the token and login variables are dropped', () => {
    expect(
      sessionEnv({
        PATH: '/usr/bin',
        LD_LIBRARY_PATH: '/x',
        MNBATCH_TOKEN: 'secret',
        MNBATCH_RENDEZVOUS_KEY: 'stack-secret',
        HOME: '/root',
        SSH_AUTH_SOCK: '/s',
        WEIRD: 'has "quotes"',
        'BAD-NAME': 'x',
        AWS_BATCH_JOB_ID: 'j',
      }),
    ).toEqual({ PATH: '/usr/bin', LD_LIBRARY_PATH: '/x', AWS_BATCH_JOB_ID: 'j' });
  });

  it('given variables sshd_config cannot quote, when checked, then they are named (so the agent can warn), login variables and the token are not', () => {
    expect(
      unforwardable({
        PATH: '/usr/bin',
        WEIRD: 'has "quotes"',
        WIN: 'C:\\dir',
        LONG: 'x'.repeat(4001),
        MNBATCH_TOKEN: 'a"b',
        MNBATCH_RENDEZVOUS_KEY: 'a"b',
        SSH_X: 'a"b',
      }),
    ).toEqual(['WEIRD', 'WIN', 'LONG']);
  });

  it("given mpi.env and mpi.args (the agent's own JSON settings), when checked, then they are neither forwarded nor warned about", () => {
    // JSON always holds '"': these were the spurious "not passed to SSH sessions" warning of every job with mpi.env.
    const env = {
      PATH: '/usr/bin',
      MNBATCH_MPI_ENV: '{"OMP_NUM_THREADS":"2"}',
      MNBATCH_MPIRUN_ARGS: '["-v"]',
    };
    expect(unforwardable(env)).toEqual([]);
    expect(sessionEnv(env)).toEqual({ PATH: '/usr/bin' });
  });
});

describe('the command environment', () => {
  it('given the agent environment with both secrets, when the command env is built, then neither is in it and the rank variables are', () => {
    const env = commandEnv(
      {
        PATH: '/usr/bin',
        MNBATCH_TOKEN: 'secret',
        MNBATCH_RENDEZVOUS_KEY: 'stack-secret',
        AWS_BATCH_JOB_ID: 'j',
      },
      statePaths('/run/mnbatch'),
      1,
      2,
      '10.0.0.10',
    );
    expect(env).not.toHaveProperty('MNBATCH_TOKEN');
    expect(env).not.toHaveProperty('MNBATCH_RENDEZVOUS_KEY');
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      AWS_BATCH_JOB_ID: 'j',
      MNBATCH_NODE_RANK: '1',
      MNBATCH_MAIN_IP: '10.0.0.10',
    });
  });
});
