/**
 * Bring-up benchmark: N agents on loopback addresses (real sshd each), the main node started
 * first and every child at once, as Batch may start them. Bring-up is the main node's launch
 * line `t=` minus the moment the last child process was spawned. Also the children's resident
 * memory at steady state. Runs the built agent (dist/agent/main.js): `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseLaunchLine } from '../src/agent/log.js';
import { AGENT_ENV, BATCH_ENV } from '../src/contract/agent-env.js';
import type { BenchSection } from './section.js';

const AGENT = 'dist/agent/main.js';
const SIZES = [2, 4, 8, 16, 32, 64];
const RUNS = 3;
const TARGETS: Record<number, number> = { 16: 0.5, 64: 1.5 };
const RSS_TARGET_MIB = 60;

interface Run {
  /** Last child spawned → launch, seconds. */
  readonly bringUp: number;
  /** Main node start → launch, seconds (as the launch line says). */
  readonly mainToLaunch: number;
  /** Children's VmRSS at steady state, MiB. */
  readonly rss: readonly number[];
  /** Children's CPU time (user + system) from start to steady state, ms. */
  readonly cpu: readonly number[];
  /** 1-minute load average when the run ended (the machine is shared). */
  readonly load: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which is in parentheses): utime and stime are 14th and 15th overall.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

function waitForLine(p: ChildProcess, test: (line: string) => boolean, ms: number): Promise<string> {
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
        p.stderr?.off('data', onData);
        resolve(hit);
      }
    };
    p.stderr?.on('data', onData);
    p.on('exit', () => reject(new Error('agent exited before the expected line')));
  });
}

async function once(agent: string, n: number, root: string, run: number): Promise<Run> {
  const dir = join(root, `n${n}-r${run}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = 10 + (run % 2) * 100;
  const ip = (i: number) => `127.77.${base + Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`;
  const env = (i: number): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: dir,
    [BATCH_ENV.jobId]: `bench-${n}-${run}#${i}`,
    [BATCH_ENV.attempt]: '1',
    [BATCH_ENV.numNodes]: String(n),
    [BATCH_ENV.nodeIndex]: String(i),
    [BATCH_ENV.mainNodeIndex]: '0',
    ...(i === 0 ? {} : { [BATCH_ENV.mainNodeIp]: ip(0) }),
    [AGENT_ENV.token]: 'bench-token-0123456789',
    [AGENT_ENV.launch]: 'main',
    [AGENT_ENV.slots]: '1',
    [AGENT_ENV.ip]: ip(i),
    [AGENT_ENV.stateDir]: join(dir, `node-${i}`),
    [AGENT_ENV.rendezvousPort]: String(27070 + run),
    [AGENT_ENV.sshPort]: '22222',
    [AGENT_ENV.rendezvousTimeout]: '60',
    [AGENT_ENV.logLevel]: 'warn',
  });
  const procs: ChildProcess[] = [];
  const start = (i: number) => {
    // The command holds the job open long enough to read the children's memory.
    const p = spawn(process.execPath, [agent, 'sleep', '2'], {
      env: env(i),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    procs.push(p);
    return p;
  };
  try {
    const main = start(0);
    // Children start once the main node is listening (it starts first on Batch too).
    const launch = waitForLine(main, (l) => parseLaunchLine(l) !== undefined, 90_000);
    await waitForListening(ip(0), 27070 + run);
    for (let i = 1; i < n; i++) start(i);
    const lastSpawn = Date.now();
    const line = parseLaunchLine(await launch)!;
    await new Promise((r) => setTimeout(r, 700));
    const sample = (f: (pid: number) => number | undefined) =>
      procs.slice(1).flatMap((p) => {
        const v = p.pid === undefined ? undefined : f(p.pid);
        return v === undefined ? [] : [v];
      });
    const rss = sample(rssMiB);
    const cpu = sample(cpuMs);
    const load = loadavg()[0] ?? Number.NaN;
    const exited = procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.on('exit', r))));
    await Promise.all(exited);
    return { bringUp: (line.t - lastSpawn) / 1000, mainToLaunch: line.bringUpSeconds, rss, cpu, load };
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitForListening(host: string, port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 600; i++) {
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

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** What to measure (defaults: the full table, from the built agent and, when built, the bundle). */
export interface BringUpOptions {
  readonly sizes?: readonly number[];
  readonly runs?: number;
  /** The agent entries to run, by label. */
  readonly agents?: Readonly<Record<string, string>>;
}

/** scripts/build-agent.ts's single-file bundle: what container images run. */
const BUNDLE = 'dist/agent-bundle/mnbatch-agent.cjs';

async function table(agent: string, sizes: readonly number[], runs: number, root: string) {
  const rows: string[] = [];
  const rss: number[] = [];
  for (const n of sizes) {
    const results: Run[] = [];
    for (let r = 0; r < runs; r++) results.push(await once(agent, n, root, r));
    const bringUp = median(results.map((r) => r.bringUp));
    const nodeRss = results.flatMap((r) => r.rss);
    const cpu = results.flatMap((r) => r.cpu);
    rss.push(...nodeRss);
    const target = TARGETS[n];
    rows.push(
      `| ${n} | ${bringUp.toFixed(3)} | ${results.map((r) => r.bringUp.toFixed(3)).join(', ')} | ${median(results.map((r) => r.mainToLaunch)).toFixed(3)} | ${median(nodeRss).toFixed(1)} / ${Math.max(...nodeRss).toFixed(1)} | ${median(cpu).toFixed(0)} | ${results.map((r) => r.load.toFixed(1)).join(', ')} | ${target === undefined ? '' : `< ${target} s ${bringUp < target ? '✓' : '✗'}`} |`,
    );
    process.stderr.write(`[bench] bring-up ${n} nodes (${agent}): ${bringUp.toFixed(3)} s\n`);
  }
  return { rows, maxRss: Math.max(...rss) };
}

/** Bring-up time and child memory for 2…64 loopback nodes. */
export async function benchBringUp(options: BringUpOptions = {}): Promise<BenchSection> {
  const sizes = options.sizes ?? SIZES;
  const runs = options.runs ?? RUNS;
  const agents = options.agents ?? {
    [`\`node ${AGENT}\` (npm run build)`]: AGENT,
    ...(existsSync(BUNDLE) ? { [`\`node ${BUNDLE}\` (the single-file bundle images ship)`]: BUNDLE } : {}),
  };
  for (const file of Object.values(agents)) {
    if (!existsSync(file)) throw new Error(`${file} not found: run \`npm run build\` first`);
  }
  const root = `/run/mnbatch-bench-${process.pid}`;
  const parts: string[] = [
    `Each size run ${runs} times on loopback addresses, every node with its own sshd; children spawned all at once after the main node listens. Bring-up = launch line \`t=\` − last child spawned (median of ${runs}; all runs listed). Main start → launch = the launch line's own bring-up (from the main node's start, so it includes the spawning). The machine is shared: the 1-minute load average at the end of each run is listed, and CPU time per child shows what the agent costs whatever the load.`,
  ];
  try {
    for (const [label, file] of Object.entries(agents)) {
      const { rows, maxRss } = await table(file, sizes, runs, root);
      parts.push(
        '',
        `### ${label}`,
        '',
        '| nodes | bring-up (s) | runs (s) | main start → launch (s) | child RSS median / max (MiB) | child CPU to steady state (ms) | load avg (1 min) | target |',
        '|---:|---:|---|---:|---:|---:|---|---|',
        ...rows,
        '',
        `Child agent resident memory (VmRSS at steady state): max ${maxRss.toFixed(1)} MiB — target < ${RSS_TARGET_MIB} MiB ${maxRss < RSS_TARGET_MIB ? '✓' : '✗'}.`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    title: 'Agent bring-up and memory',
    command: 'npm run build && node --import tsx scripts/build-agent.ts --no-sea && npm run bench -- bringup',
    markdown: parts.join('\n'),
  };
}
