/**
 * Bring-up benchmark: N agents on loopback addresses (real sshd each), the main node started
 * first and every child at once, as Batch may start them. Bring-up is the main node's launch
 * line `t=` minus the moment the last child process was spawned. Also the children's resident
 * memory at steady state. Runs the built agent (dist/agent/main.js): `npm run build` first.
 */
import { existsSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseLaunchLine } from '../src/agent/log.js';
import { AGENT_ENV } from '../src/contract/agent-env.js';
import {
  childPids,
  commOf,
  cpuMs,
  median,
  pssMiB,
  rssMiB,
  sample,
  startJob,
  stopJob,
  sum,
  waitForLine,
} from './loopback.js';
import type { BenchSection } from './section.js';

const AGENT = 'dist/agent/main.js';
const SIZES = [2, 16, 64, 128, 256];
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
  /** PSS of every agent and every sshd of the job together at steady state, MiB. */
  readonly jobPss: number;
  /** 1-minute load average when the run ended (the machine is shared). */
  readonly load: number;
}

async function once(agent: string, n: number, root: string, run: number): Promise<Run> {
  let launch: Promise<string> | undefined;
  // The command holds the job open long enough to read the children's memory.
  const job = await startJob(
    { agent, nodes: n, root, octet: 77, run, command: ['sleep', '3'], env: { [AGENT_ENV.launch]: 'main' } },
    (main) => {
      launch = waitForLine(main, 'stderr', (l) => parseLaunchLine(l) !== undefined, 60_000 + n * 1000);
    },
  );
  try {
    const line = parseLaunchLine(await launch!)!;
    await new Promise((r) => setTimeout(r, 700));
    const agents = job.procs.map((p) => p.pid);
    const children = agents.slice(1);
    const sshds = agents.flatMap((pid) =>
      pid === undefined ? [] : childPids(pid).filter((c) => commOf(c) === 'sshd'),
    );
    const rss = sample(children, rssMiB);
    const cpu = sample(children, cpuMs);
    const jobPss = sum(sample([...agents, ...sshds], pssMiB));
    const load = loadavg()[0] ?? Number.NaN;
    await job.exited;
    return {
      bringUp: (line.t - job.lastSpawn) / 1000,
      mainToLaunch: line.bringUpSeconds,
      rss,
      cpu,
      jobPss,
      load,
    };
  } finally {
    stopJob(job);
  }
}

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
    const jobPss = median(results.map((r) => r.jobPss));
    rows.push(
      `| ${n} | ${bringUp.toFixed(3)} | ${results.map((r) => r.bringUp.toFixed(3)).join(', ')} | ${median(results.map((r) => r.mainToLaunch)).toFixed(3)} | ${median(nodeRss).toFixed(1)} / ${Math.max(...nodeRss).toFixed(1)} | ${median(cpu).toFixed(0)} | ${jobPss.toFixed(0)} | ${results.map((r) => r.load.toFixed(1)).join(', ')} | ${target === undefined ? '' : `< ${target} s ${bringUp < target ? '✓' : '✗'}`} |`,
    );
    process.stderr.write(`[bench] bring-up ${n} nodes (${agent}): ${bringUp.toFixed(3)} s\n`);
  }
  return { rows, maxRss: Math.max(...rss) };
}

/** Bring-up time and memory for 2…256 loopback nodes. */
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
    `Each size run ${runs} times on loopback addresses, every node with its own sshd; children spawned all at once after the main node listens. Bring-up = launch line \`t=\` − last child spawned (median of ${runs}; all runs listed). Main start → launch = the launch line's own bring-up (from the main node's start, so it includes the spawning). The machine is shared: the 1-minute load average at the end of each run is listed, and CPU time per child shows what the agent costs whatever the load. Child RSS counts the pages every node process shares (node's own code) in full; the whole job's PSS (\`/proc/<pid>/smaps_rollup\`, shared pages split between their users) of every agent and sshd is what the job costs this one machine, and what decides whether 256 nodes fit in it.`,
  ];
  try {
    for (const [label, file] of Object.entries(agents)) {
      const { rows, maxRss } = await table(file, sizes, runs, root);
      parts.push(
        '',
        `### ${label}`,
        '',
        '| nodes | bring-up (s) | runs (s) | main start → launch (s) | child RSS median / max (MiB) | child CPU to steady state (ms) | whole job PSS, agents + sshds (MiB) | load avg (1 min) | target |',
        '|---:|---:|---|---:|---:|---:|---:|---|---|',
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
