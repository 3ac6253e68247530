/**
 * A job's worth of agents as processes on loopback addresses (127.x.y.z), each with its own state
 * dir and real sshd: the main node started first and, once it listens, every child at once, as
 * Batch may start them. Shared by the bring-up and the MPI_Init benchmarks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { AGENT_ENV, BATCH_ENV } from '../src/contract/agent-env.js';

/** What to start. */
export interface JobOptions {
  readonly agent: string;
  readonly nodes: number;
  /** Parent of the job's directory (under /run: sshd's StrictModes refuses keys under /tmp). */
  readonly root: string;
  /** Second octet of the job's addresses (one per benchmark, so runs never share an address). */
  readonly octet: number;
  readonly run: number;
  readonly command: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** A started job. */
export interface LoopbackJob {
  readonly dir: string;
  readonly main: ChildProcess;
  readonly procs: readonly ChildProcess[];
  /** Epoch ms right after the last child was spawned. */
  readonly lastSpawn: number;
  /** Resolves once every agent has exited. */
  readonly exited: Promise<void>;
  ip(index: number): string;
}

/** Node `i`'s address: up to 250 nodes per /24, alternating subnets between runs (no TIME_WAIT reuse). */
export function nodeIp(octet: number, run: number, i: number): string {
  const base = 10 + (run % 2) * 100;
  return `127.${octet}.${base + Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`;
}

/** Starts the main node, waits until its rendezvous port listens, then spawns every child at once. */
export async function startJob(
  o: JobOptions,
  beforeChildren?: (main: ChildProcess) => void,
): Promise<LoopbackJob> {
  const dir = join(o.root, `o${o.octet}-n${o.nodes}-r${o.run}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ip = (i: number) => nodeIp(o.octet, o.run, i);
  const port = 27070 + o.run;
  const env = (i: number): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    [BATCH_ENV.jobId]: `bench-${o.nodes}-${o.run}#${i}`,
    [BATCH_ENV.attempt]: '1',
    [BATCH_ENV.numNodes]: String(o.nodes),
    [BATCH_ENV.nodeIndex]: String(i),
    [BATCH_ENV.mainNodeIndex]: '0',
    ...(i === 0 ? {} : { [BATCH_ENV.mainNodeIp]: ip(0) }),
    [AGENT_ENV.token]: 'bench-token-0123456789',
    [AGENT_ENV.slots]: '1',
    [AGENT_ENV.ip]: ip(i),
    [AGENT_ENV.stateDir]: join(dir, `node-${i}`),
    [AGENT_ENV.rendezvousPort]: String(port),
    [AGENT_ENV.sshPort]: '22222',
    [AGENT_ENV.rendezvousTimeout]: '300',
    [AGENT_ENV.logLevel]: 'warn',
    ...o.env,
  });
  const procs: ChildProcess[] = [];
  const start = (i: number) => {
    // Own process group, so a failed run can take the agent's sshd, mpirun and ranks down with it.
    const p = spawn(process.execPath, [o.agent, ...o.command], {
      env: env(i),
      detached: true,
      stdio: ['ignore', i === 0 ? 'pipe' : 'ignore', 'pipe'],
    });
    procs.push(p);
    return p;
  };
  const main = start(0);
  beforeChildren?.(main);
  await waitForListening(ip(0), port);
  for (let i = 1; i < o.nodes; i++) start(i);
  const lastSpawn = Date.now();
  const exited = Promise.all(
    procs.map(
      (p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.on('exit', r))),
    ),
  ).then(() => undefined);
  return { dir, main, procs, lastSpawn, exited, ip };
}

/**
 * Kills whatever of the job is still running: each agent's process group, and what left it (Open
 * MPI's `orted --daemonize` and its ranks, which carry the job's state dir in their environment);
 * then removes its files.
 */
export function stopJob(job: LoopbackJob): void {
  const kill = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  for (const p of job.procs) if (p.pid !== undefined) kill(-p.pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(job.dir)) kill(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  rmSync(job.dir, { recursive: true, force: true });
}

/** Resolves with the first line of `stream` that passes `test`; rejects after `ms` or when `p` exits first. */
export function waitForLine(
  p: ChildProcess,
  stream: 'stdout' | 'stderr',
  test: (line: string) => boolean,
  ms: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error(`no matching line within ${ms} ms`)), ms);
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const hit = lines.find(test);
      if (hit !== undefined) {
        clearTimeout(timer);
        p[stream]?.off('data', onData);
        resolve(hit);
      }
    };
    p[stream]?.on('data', onData);
    p.on('exit', () => reject(new Error('agent exited before the expected line')));
  });
}

async function waitForListening(host: string, port: number): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`main node never listened on ${host}:${port}`);
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system) of `pid`, ms. */
export function cpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which is in parentheses): utime and stime are 14th and 15th overall.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function kiB(file: string, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Resident memory of `pid` (shared pages such as node's own code counted in full), MiB. */
export const rssMiB = (pid: number) => kiB(`/proc/${pid}/status`, 'VmRSS');

/** Proportional set size of `pid` (shared pages split between the processes sharing them), MiB: what N of them cost together. */
export const pssMiB = (pid: number) => kiB(`/proc/${pid}/smaps_rollup`, 'Pss');

/** Direct children of `pid`. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Name of the executable of `pid` (comm). */
export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Values of `f` over `pids` that could be read. */
export function sample(
  pids: readonly (number | undefined)[],
  f: (pid: number) => number | undefined,
): number[] {
  return pids.flatMap((pid) => {
    const v = pid === undefined ? undefined : f(pid);
    return v === undefined ? [] : [v];
  });
}

/** Median (upper for even lengths). */
export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** Sum. */
export const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
