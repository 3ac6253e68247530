/**
 * End to end: N loopback agents (real sshd each) launch a tiny MPI program with the product's own
 * mpirun command line (real Open MPI over the job's ssh config, per-job key, strict host keys),
 * 1 rank per node. Measures last node started → every rank past MPI_Init, split into bring-up
 * (→ launch line) and mpirun (launch → last MPI_Init), and what the fan-out costs the main node
 * (mpirun's ssh clients and file descriptors). Runs the single-file bundle images ship.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseLaunchLine } from '../src/agent/log.js';
import { AGENT_ENV } from '../src/contract/agent-env.js';
import { LOOPBACK_MPIRUN_ARGS } from '../test/_helpers/loopback-mpi.js';
import { childPids, commOf, median, sample, startJob, stopJob, sum, waitForLine } from './loopback.js';
import type { BenchSection } from './section.js';
import { sshCost } from './ssh-cost.js';

const BUNDLE = 'dist/agent-bundle/mnbatch-agent.cjs';
const SIZES = [2, 16, 64, 128, 256];
const RUNS = 3;
/** Seconds each rank holds the job open after MPI_Init, while the fan-out is sampled. */
const HOLD_S = 3;
/** OpenSSH 9.0–9.8's first default key exchange. */
const SNTRUP = 'sntrup761x25519-sha512@openssh.com';

interface Run {
  /** Last node spawned → last rank past MPI_Init, s. */
  readonly endToEnd: number;
  /** Last node spawned → launch line, s. */
  readonly bringUp: number;
  /** Launch line → last rank past MPI_Init, s. */
  readonly mpirun: number;
  /** Most ssh clients mpirun had running at once (Open MPI 4's orted daemonizes, so each ends once its daemon is up). */
  readonly ssh: number;
  /** Most file descriptors mpirun held open at once. */
  readonly fds: number;
  readonly load: number;
}

function fdCount(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

async function once(agent: string, program: string, n: number, root: string, run: number): Promise<Run> {
  let launch: Promise<string> | undefined;
  const ranks = new Map<number, number>();
  let allInit: (() => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  const initialized = new Promise<void>((resolve, reject) => {
    allInit = resolve;
    failed = reject;
  });
  const job = await startJob(
    {
      agent,
      nodes: n,
      root,
      octet: 78,
      run,
      command: [program, String(HOLD_S)],
      env: { [AGENT_ENV.launch]: 'mpirun', [AGENT_ENV.mpirunArgs]: JSON.stringify(LOOPBACK_MPIRUN_ARGS) },
    },
    (main) => {
      launch = waitForLine(main, 'stderr', (l) => parseLaunchLine(l) !== undefined, 60_000 + n * 1000);
      // The main node's log tail says why, when it ends before every rank got past MPI_Init.
      let log = '';
      main.stderr?.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString('utf8')).slice(-600);
      });
      main.on('exit', (code) => {
        const tail = log.trim().split('\n').slice(-3).join(' / ');
        failed?.(
          new Error(`the main node exited ${code} with ${ranks.size}/${n} ranks past MPI_Init: ${tail}`),
        );
      });
      let pending = '';
      main.stdout?.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) {
          const m = /^mpi-init rank=(\d+) us=(\d+)$/.exec(l);
          if (m !== null) ranks.set(Number(m[1]), Number(m[2]) / 1000);
        }
        if (ranks.size === n) allInit?.();
      });
    },
  );
  try {
    const line = parseLaunchLine(await launch!)!;
    // The main node's fan-out, polled from launch until every rank is past MPI_Init.
    let peakSsh = 0;
    let peakFds = 0;
    const poll = setInterval(() => {
      const mpirun =
        job.main.pid === undefined ? [] : childPids(job.main.pid).filter((p) => commOf(p) === 'mpirun');
      peakSsh = Math.max(
        peakSsh,
        mpirun.flatMap((p) => childPids(p).filter((c) => commOf(c) === 'ssh')).length,
      );
      peakFds = Math.max(peakFds, sum(sample(mpirun, fdCount)));
    }, 20);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${ranks.size}/${n} ranks past MPI_Init after 300 s`)),
        300_000,
      );
    });
    await Promise.race([initialized, deadline]).finally(() => {
      clearTimeout(timer);
      clearInterval(poll);
    });
    const lastInit = Math.max(...ranks.values());
    const run_: Run = {
      endToEnd: (lastInit - job.lastSpawn) / 1000,
      bringUp: (line.t - job.lastSpawn) / 1000,
      mpirun: (lastInit - line.t) / 1000,
      ssh: peakSsh,
      fds: peakFds,
      load: loadavg()[0] ?? Number.NaN,
    };
    const code = await new Promise<number | null>((r) =>
      job.main.exitCode !== null ? r(job.main.exitCode) : job.main.on('exit', (c) => r(c)),
    );
    if (code !== 0) throw new Error(`${n} nodes: the main node exited ${code}`);
    await job.exited;
    return run_;
  } finally {
    stopJob(job);
  }
}

/** What to measure (defaults: 2…256 nodes, 3 runs each). */
export interface MpiInitOptions {
  readonly sizes?: readonly number[];
  readonly runs?: number;
}

/** Last node started → every rank past MPI_Init, 1 rank per node. */
export async function benchMpiInit(options: MpiInitOptions = {}): Promise<BenchSection> {
  const sizes = options.sizes ?? SIZES;
  const runs = options.runs ?? RUNS;
  if (!existsSync(BUNDLE))
    throw new Error(`${BUNDLE} not found: run \`node --import tsx scripts/build-agent.ts --no-sea\``);
  const root = `/run/mnbatch-bench-mpi-${process.pid}`;
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const rows: string[] = [];
  try {
    const program = join(root, 'mpi-init');
    execFileSync('mpicc', ['-O1', '-o', program, 'bench/mpi-init.c'], { stdio: 'pipe' });
    const mpiVersion = execFileSync('mpirun', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
    // ssh -V writes to stderr.
    const sshVersion = spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
    const kex = execFileSync('ssh', ['-Q', 'kex'], { encoding: 'utf8' }).split('\n');
    const costs: string[] = [];
    const cost = async (label: string, args: readonly string[]) => {
      const c = await sshCost(BUNDLE, root, args);
      costs.push(`| ${label} | ${c.client.toFixed(0)} | ${c.server.toFixed(0)} |`);
    };
    await cost("the job's ssh_config as the agent writes it", []);
    if (kex.includes(SNTRUP))
      await cost(`the same with \`-o KexAlgorithms=${SNTRUP}\``, ['-o', `KexAlgorithms=${SNTRUP}`]);
    for (const n of sizes) {
      const results: Run[] = [];
      const failures: string[] = [];
      for (let r = 0; r < runs; r++) {
        try {
          results.push(await once(BUNDLE, program, n, root, r));
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
      }
      if (results.length === 0) {
        rows.push(`| ${n} | failed: ${failures.join('; ')} | | | | | | |`);
        continue;
      }
      const m = (f: (r: Run) => number) => median(results.map(f));
      rows.push(
        `| ${n} | ${m((r) => r.endToEnd).toFixed(3)} | ${results.map((r) => r.endToEnd.toFixed(3)).join(', ')} | ${m((r) => r.bringUp).toFixed(3)} | ${m((r) => r.mpirun).toFixed(3)} | ${m((r) => r.ssh)} | ${m((r) => r.fds)} | ${results.map((r) => r.load.toFixed(1)).join(', ')}${failures.length > 0 ? ` (${failures.length} failed: ${failures.join('; ')})` : ''} |`,
      );
      process.stderr.write(`[bench] MPI_Init ${n} nodes: ${m((r) => r.endToEnd).toFixed(3)} s\n`);
    }
    return {
      title: 'End to end: last node started → every rank past MPI_Init',
      command:
        'npm run build && node --import tsx scripts/build-agent.ts --no-sea && npm run bench -- mpiInit',
      markdown: [
        `${mpiVersion}, the agent's own mpirun command line (\`--mca plm_rsh_args "-F <state>/ssh_config"\`: the per-job key, strict host keys) plus \`${LOOPBACK_MPIRUN_ARGS.join(' ')}\` (the nodes live on loopback). 1 rank per node, the program (bench/mpi-init.c) prints the wall clock when MPI_Init returns. Each size run ${runs} times from \`node ${BUNDLE}\`; the nodes are agents on loopback addresses with their own sshd, started as in the bring-up benchmark. End to end = last rank past MPI_Init − last node spawned (median; all runs listed) = bring-up (→ launch line) + mpirun (launch line → last MPI_Init). Main-node fan-out, polled every 20 ms from launch to the last MPI_Init: the most ssh clients mpirun ran at once (Open MPI 4 starts \`orted --daemonize\`, so each ssh ends once its daemon is up) and the most file descriptors it held. Everything shares this machine's cores, so the mpirun column is ~N× what one node does on its own; the load average at the end of each run is listed.`,
        '',
        '| nodes | end to end (s) | runs (s) | bring-up (s) | mpirun → last MPI_Init (s) | most ssh clients at once on the main node | most mpirun fds | load avg (1 min) |',
        '|---:|---:|---|---:|---:|---:|---:|---|',
        ...rows,
        '',
        `CPU of one ssh connection over the job's ssh_config (${sshVersion}; 20 connections, main node to one child; client = the main node's share of the flat launch per node, server = the target node's sshd):`,
        '',
        '| ssh | client CPU per connection (ms) | server CPU per connection (ms) |',
        '|---|---:|---:|',
        ...costs,
      ].join('\n'),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
