/** Text of sshd_config, ssh_config, known_hosts and authorized_keys (pure). */
import { AGENT_ENV, SECRET_AGENT_ENV } from '../contract/agent-env.js';
import type { NodeInfo } from './cluster.js';

/** Paths and settings that sshd_config refers to. */
export interface SshdSettings {
  readonly port: number;
  readonly listenAddress: string;
  readonly hostKeyFile: string;
  readonly authorizedKeysFile: string;
  readonly pidFile: string;
  /** Variables every SSH session gets (the container's environment, which sessions would otherwise lose). */
  readonly setEnv: Readonly<Record<string, string>>;
}

// Session variables that belong to the login, not the container, and the agent's own secret.
const NOT_FORWARDED = new Set([
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'PWD',
  'OLDPWD',
  'SHLVL',
  'TERM',
  'MAIL',
  '_',
  'HOSTNAME',
  ...SECRET_AGENT_ENV,
  // The agent's own JSON settings: mpirun applies them (-x/-genv), sessions have no use for them.
  AGENT_ENV.mpiEnv,
  AGENT_ENV.mpirunArgs,
]);

type Env = Readonly<Record<string, string | undefined>>;

/** The variables meant for sessions: no login variables, no secret, only names a shell takes. */
function forwarded(env: Env): [string, string][] {
  return Object.entries(env).filter(
    (e): e is [string, string] =>
      e[1] !== undefined &&
      !NOT_FORWARDED.has(e[0]) &&
      !e[0].startsWith('SSH_') &&
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(e[0]),
  );
}

// sshd_config has no escape for quotes or line breaks inside a quoted value.
const unquotable = (v: string) => /["\n\r\\]/.test(v) || v.length > 4000;

/** The subset of `env` that sshd can pass to sessions with SetEnv (no secrets, nothing sshd cannot quote). */
export function sessionEnv(env: Env): Record<string, string> {
  return Object.fromEntries(forwarded(env).filter(([, v]) => !unquotable(v)));
}

/** Names of variables meant for sessions that SetEnv cannot carry (so ranks on other nodes lack them). */
export function unforwardable(env: Env): string[] {
  return forwarded(env)
    .filter(([, v]) => unquotable(v))
    .map(([k]) => k);
}

/** sshd_config: key-only login on one address and port, host key and authorized keys in the state dir. */
export function renderSshdConfig(s: SshdSettings): string {
  const lines = [
    '# Written by mnbatch-agent for this job only.',
    `Port ${s.port}`,
    `ListenAddress ${s.listenAddress}`,
    `HostKey ${s.hostKeyFile}`,
    `AuthorizedKeysFile ${s.authorizedKeysFile}`,
    `PidFile ${s.pidFile}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    'PrintMotd no',
    'UseDNS no',
    // mpirun starts one session per node at once; the default (10:30:100) drops some on large jobs.
    'MaxStartups 1000',
    'MaxSessions 100',
    'ClientAliveInterval 30',
    'ClientAliveCountMax 4',
    'Subsystem sftp internal-sftp',
  ];
  const entries = Object.entries(s.setEnv).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length > 0) lines.push(`SetEnv ${entries.map(([k, v]) => `"${k}=${v}"`).join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** Paths and settings of the SSH client config that mpirun/pdsh/DeepSpeed use. */
export interface SshClientSettings {
  readonly hosts: readonly string[];
  readonly port: number;
  readonly user: string;
  readonly identityFile: string;
  readonly knownHostsFile: string;
  /** `KexAlgorithms` value (see jobKexAlgorithms); ssh's default when absent. */
  readonly kexAlgorithms?: string;
}

/**
 * The key exchange the job's ssh client should prefer, from `ssh -Q kex`. OpenSSH 9.0–9.8 put
 * sntrup761x25519 first, which costs the client ~70 ms of CPU per connection (measured: 78 ms
 * against 8 ms with curve25519, see docs/scale.md); mpirun's flat launch pays that once per node
 * on the main node. OpenSSH 9.9+ leads with mlkem768x25519, fast and post-quantum: kept as is.
 */
export function jobKexAlgorithms(supported: readonly string[]): string | undefined {
  if (supported.includes('mlkem768x25519-sha256') || !supported.includes('curve25519-sha256'))
    return undefined;
  return '^curve25519-sha256';
}

/** ssh_config with one Host block for the job's node addresses, strict host key checking on. */
export function renderSshConfig(s: SshClientSettings): string {
  return [
    '# Written by mnbatch-agent for this job only.',
    `Host ${s.hosts.join(' ')}`,
    `  Port ${s.port}`,
    `  User ${s.user}`,
    `  IdentityFile ${s.identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${s.knownHostsFile}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    ...(s.kexAlgorithms === undefined ? [] : [`  KexAlgorithms ${s.kexAlgorithms}`]),
    '  ConnectTimeout 10',
    '  ServerAliveInterval 30',
    '  LogLevel ERROR',
    '',
  ].join('\n');
}

/** known_hosts: `[ip]:port <host key>` per node (the bracket form is what ssh looks up on a non-22 port). */
export function renderKnownHosts(nodes: readonly NodeInfo[], port: number): string {
  return nodes
    .map((n) => {
      const host = port === 22 ? n.ip : `[${n.ip}]:${port}`;
      const key = n.hostKey.split(' ').slice(0, 2).join(' ');
      return `${host} ${key}\n`;
    })
    .join('');
}

/** authorized_keys holding the job's user key, restricted to what MPI launchers need. */
export function renderAuthorizedKeys(userPublicKey: string): string {
  return `${userPublicKey.trim()}\n`;
}
