/**
 * The agent's configuration: AWS_BATCH_* and MNBATCH_* variables plus the command (argv),
 * validated by hand so that the agent's import graph stays tiny. Pure: no I/O here.
 */
import type { LaunchMode, MpiSetting } from '../contract/agent-env.js';
import { AGENT_DEFAULTS, AGENT_ENV, BATCH_ENV, MPI_SETTINGS } from '../contract/agent-env.js';
import { LIMITS } from '../contract/limits.js';
import { OUTPUT_MODES, type OutputMode } from '../contract/output-tags.js';
import { AgentError } from './errors.js';
import { deriveJobToken } from './job-token.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Role = 'main' | 'child';

/** Everything the agent needs to know, typed and checked. */
export interface AgentConfig {
  /** The multi-node job's id, without the `#<node index>` Batch appends on each node. */
  readonly jobId: string;
  readonly attempt: number;
  readonly nodeIndex: number;
  readonly numNodes: number;
  readonly mainNodeIndex: number;
  readonly role: Role;
  /** The main node's IPv4 address (children only). */
  readonly mainIp: string | undefined;
  readonly token: string;
  readonly protocol: string;
  readonly jobName: string;
  readonly launch: LaunchMode;
  /** As job.yaml says; `auto` and the check against the image happen on the main node before the launch. */
  readonly mpi: MpiSetting;
  readonly slots: number | 'auto';
  readonly gpus: number;
  /** Ranks share CPUs: ask the MPI to yield when idle (MNBATCH_YIELD_WHEN_IDLE=1). */
  readonly yieldWhenIdle: boolean;
  readonly mpirunArgs: readonly string[];
  readonly mpiEnv: Readonly<Record<string, string>>;
  /** `tagged`: mpirun's lines as `[node i rank r] text`; `raw`: as mpirun prints them. */
  readonly output: OutputMode;
  readonly rendezvousPort: number;
  readonly rendezvousTimeoutSeconds: number;
  readonly minNodes: number;
  readonly sshPort: number;
  readonly interface: string;
  /** Explicit own address; otherwise taken from `interface`. */
  readonly ip: string | undefined;
  readonly stateDir: string;
  readonly logLevel: LogLevel;
  /** Whether to also install the SSH client files into `<home>/.ssh`. */
  readonly installSsh: boolean;
  readonly home: string | undefined;
  /** The user's command: the agent's own arguments. */
  readonly command: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** The user the agent (and sshd, and every SSH login of the job) runs as. */
export interface RunAs {
  readonly uid: number;
  /** Home directory from the user database. */
  readonly home: string;
}

const ROOT: RunAs = { uid: 0, home: '/root' };

/** Where the agent writes when MNBATCH_STATE_DIR is not set: /run/mnbatch as root, else under the user's home (a non-root user cannot create /run/mnbatch). */
export function defaultStateDir(user: RunAs): string {
  return user.uid === 0 ? AGENT_DEFAULTS.stateDir : `${user.home.replace(/\/+$/, '')}/.mnbatch`;
}

/** Minimum length of MNBATCH_TOKEN and MNBATCH_RENDEZVOUS_KEY: a short secret would make the HMAC guessable. */
export const MIN_TOKEN_LENGTH = 16;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address. */
export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

function fail(name: string, problem: string): never {
  throw new AgentError('config', `${name} ${problem}`);
}

function required(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v.trim() === '') fail(name, 'is not set');
  return v.trim();
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function integer(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value)) fail(name, `must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) fail(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    fail(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function jsonArgs(name: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    fail(name, 'must be a JSON array of strings');
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    fail(name, 'must be a JSON array of strings');
  }
  return parsed;
}

function jsonEnv(name: string, value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    fail(name, 'must be a JSON object of strings');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(name, 'must be a JSON object of strings');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) fail(name, `has an invalid variable name "${k}"`);
    if (typeof v !== 'string') fail(name, `value of ${k} must be a string`);
    out[k] = v;
  }
  return out;
}

/**
 * The token of this job attempt: derived from the stack's key on Batch, or the per-run token of a
 * local run. Exactly one of the two must be set: a job that got both was planned by something else.
 */
function rendezvousToken(env: Env, jobId: string, attempt: number): string {
  const key = optional(env, AGENT_ENV.rendezvousKey);
  const token = optional(env, AGENT_ENV.token);
  if (key !== undefined && token !== undefined)
    fail(AGENT_ENV.token, `and ${AGENT_ENV.rendezvousKey} are both set; set only one`);
  if (key === undefined && token === undefined)
    fail(AGENT_ENV.rendezvousKey, `is not set (nor ${AGENT_ENV.token} for a local run)`);
  const secret = (key ?? token) as string;
  const name = key !== undefined ? AGENT_ENV.rendezvousKey : AGENT_ENV.token;
  if (secret.length < MIN_TOKEN_LENGTH) fail(name, `must be at least ${MIN_TOKEN_LENGTH} characters`);
  return key !== undefined ? deriveJobToken(key, jobId, attempt) : secret;
}

/** Reads and validates the agent's configuration; throws AgentError('config') naming the variable. */
export function parseConfig(env: Env, argv: readonly string[], user: RunAs = ROOT): AgentConfig {
  // On multi-node jobs Batch sets `<job id>#<node index>`: nodes agree on the part before `#`.
  const jobId = required(env, BATCH_ENV.jobId).replace(/#\d+$/, '');
  const attempt = integer(BATCH_ENV.attempt, optional(env, BATCH_ENV.attempt) ?? '1', 0);
  const numNodes = integer(BATCH_ENV.numNodes, required(env, BATCH_ENV.numNodes), 1, 10_000);
  const nodeIndex = integer(BATCH_ENV.nodeIndex, required(env, BATCH_ENV.nodeIndex), 0, numNodes - 1);
  const mainNodeIndex = integer(
    BATCH_ENV.mainNodeIndex,
    required(env, BATCH_ENV.mainNodeIndex),
    0,
    numNodes - 1,
  );
  const role: Role = nodeIndex === mainNodeIndex ? 'main' : 'child';
  let mainIp: string | undefined;
  if (role === 'child') {
    mainIp = required(env, BATCH_ENV.mainNodeIp);
    if (!isIpv4(mainIp)) fail(BATCH_ENV.mainNodeIp, `must be an IPv4 address, got "${mainIp}"`);
  }

  const token = rendezvousToken(env, jobId, attempt);
  const protocol = optional(env, AGENT_ENV.protocol) ?? AGENT_DEFAULTS.protocol;
  if (protocol !== AGENT_DEFAULTS.protocol) {
    fail(AGENT_ENV.protocol, `is "${protocol}" but this agent speaks protocol ${AGENT_DEFAULTS.protocol}`);
  }
  const launch = oneOf<LaunchMode>(
    AGENT_ENV.launch,
    optional(env, AGENT_ENV.launch) ?? AGENT_DEFAULTS.launch,
    ['mpirun', 'each', 'main'],
  );
  const mpi = oneOf<MpiSetting>(
    AGENT_ENV.mpi,
    optional(env, AGENT_ENV.mpi) ?? AGENT_DEFAULTS.mpi,
    MPI_SETTINGS,
  );
  const slotsText = optional(env, AGENT_ENV.slots) ?? AGENT_DEFAULTS.slots;
  const slots = slotsText === 'auto' ? 'auto' : integer(AGENT_ENV.slots, slotsText, 1, LIMITS.agent.maxSlots);
  const gpus = integer(AGENT_ENV.gpus, optional(env, AGENT_ENV.gpus) ?? '0', 0, LIMITS.agent.maxGpus);
  const yieldWhenIdle =
    oneOf(AGENT_ENV.yieldWhenIdle, optional(env, AGENT_ENV.yieldWhenIdle) ?? '0', ['0', '1']) === '1';
  const port = (name: string, fallback: number) =>
    integer(name, optional(env, name) ?? String(fallback), 1, 65535);
  const rendezvousPort = port(AGENT_ENV.rendezvousPort, AGENT_DEFAULTS.rendezvousPort);
  const sshPort = port(AGENT_ENV.sshPort, AGENT_DEFAULTS.sshPort);
  if (rendezvousPort === sshPort)
    fail(AGENT_ENV.rendezvousPort, `must differ from ${AGENT_ENV.sshPort} (${sshPort})`);
  const rendezvousTimeoutSeconds = integer(
    AGENT_ENV.rendezvousTimeout,
    optional(env, AGENT_ENV.rendezvousTimeout) ?? String(AGENT_DEFAULTS.rendezvousTimeoutSeconds),
    LIMITS.agent.minRendezvousSeconds,
    LIMITS.agent.maxRendezvousSeconds,
  );
  const minNodes = integer(
    AGENT_ENV.minNodes,
    optional(env, AGENT_ENV.minNodes) ?? String(numNodes),
    1,
    numNodes,
  );

  const ip = optional(env, AGENT_ENV.ip);
  if (ip !== undefined && !isIpv4(ip)) fail(AGENT_ENV.ip, `must be an IPv4 address, got "${ip}"`);
  const stateDirGiven = optional(env, AGENT_ENV.stateDir);
  const stateDir = stateDirGiven ?? defaultStateDir(user);
  if (!stateDir.startsWith('/')) fail(AGENT_ENV.stateDir, `must be an absolute path, got "${stateDir}"`);
  const installText = optional(env, AGENT_ENV.installSsh) ?? 'auto';
  const install = oneOf(AGENT_ENV.installSsh, installText, ['auto', 'yes', 'no']);
  const installSsh = install === 'yes' || (install === 'auto' && stateDirGiven === undefined);

  if (argv.length === 0 || argv[0] === '') {
    throw new AgentError(
      'config',
      'no command given: pass the program to run as the arguments of mnbatch-agent',
    );
  }
  return {
    jobId,
    attempt,
    nodeIndex,
    numNodes,
    mainNodeIndex,
    role,
    mainIp,
    token,
    protocol,
    jobName: optional(env, AGENT_ENV.jobName) ?? jobId,
    launch,
    mpi,
    slots,
    gpus,
    yieldWhenIdle,
    mpirunArgs: jsonArgs(AGENT_ENV.mpirunArgs, optional(env, AGENT_ENV.mpirunArgs)),
    mpiEnv: jsonEnv(AGENT_ENV.mpiEnv, optional(env, AGENT_ENV.mpiEnv)),
    output: oneOf<OutputMode>(AGENT_ENV.output, optional(env, AGENT_ENV.output) ?? 'tagged', OUTPUT_MODES),
    rendezvousPort,
    rendezvousTimeoutSeconds,
    minNodes,
    sshPort,
    interface: optional(env, AGENT_ENV.interface) ?? AGENT_DEFAULTS.interface,
    ip,
    stateDir,
    logLevel: oneOf<LogLevel>(AGENT_ENV.logLevel, optional(env, AGENT_ENV.logLevel) ?? 'info', [
      'debug',
      'info',
      'warn',
      'error',
    ]),
    installSsh,
    home: optional(env, 'HOME'),
    command: [...argv],
  };
}
