/**
 * Test helper: N agents on loopback addresses 127.a.b.x (one random /24 per cluster, so test
 * files can run in parallel), each with its own state dir, HOME and real sshd, run from an
 * esbuild bundle of src/agent/main.ts (what container images ship). Every process group it
 * starts, and every process whose command line or environment mentions the cluster's root
 * dir (sshd, orted, ranks, commands), is killed by `cleanup()`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { AGENT_DEFAULTS, AGENT_ENV, BATCH_ENV } from '../../src/contract/agent-env.js';
import { LOOPBACK_MPIRUN_ARGS } from '../_helpers/loopback-mpi.js';

/** Builds the agent bundle once into `dir`; returns its path and the files it was built from. */
export async function bundleAgent(dir: string): Promise<{ file: string; inputs: string[] }> {
  const file = join(dir, 'mnbatch-agent.mjs');
  const result = await build({
    entryPoints: ['src/agent/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  return { file, inputs: Object.keys(result.metafile.inputs) };
}

/** Compiles the MPI test program with mpicc into `dir`. */
export function compileHello(dir: string): string {
  const out = join(dir, 'hello');
  execFileSync('mpicc', ['-O1', '-o', out, 'test/_fixtures/agent/hello.c'], { stdio: 'pipe' });
  return out;
}

/** A running agent. */
export interface AgentProcess {
  readonly index: number;
  readonly ip: string;
  readonly proc: ChildProcess;
  /** stderr (the agent's log) so far. */
  log(): string;
  /** stdout (the command's output) so far. */
  out(): string;
  /** Resolves with the exit code (or rejects after `ms`). */
  exited(ms: number): Promise<number>;
  /** Resolves when the log (or output) matches, rejects after `ms`. */
  waitFor(re: RegExp, ms: number, stream?: 'log' | 'out'): Promise<string>;
  /** Kills the agent's process group (agent and its sshd), like a node that dies. */
  killNode(signal?: NodeJS.Signals): void;
}

export interface ClusterOptions {
  readonly numNodes: number;
  readonly env?: Record<string, string>;
  /** Per-node extra variables. */
  readonly nodeEnv?: (index: number) => Record<string, string>;
}

/** A job's worth of loopback nodes. */
export class Cluster {
  readonly root: string;
  readonly token = 'loopback-test-token-0123456789';
  readonly jobId = `job-${Math.random().toString(36).slice(2, 10)}`;
  readonly rendezvousPort = AGENT_DEFAULTS.rendezvousPort;
  readonly sshPort = AGENT_DEFAULTS.sshPort;
  private readonly subnet: string;
  private readonly procs: ChildProcess[] = [];
  private readonly logs: (() => string)[] = [];

  constructor(
    private readonly agent: string,
    private readonly options: ClusterOptions,
  ) {
    // /run (root-owned, 0755) because sshd's StrictModes refuses key files under world-writable /tmp.
    this.root = mkdtempSync('/run/mnbatch-it-');
    this.subnet = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250)}`;
  }

  /** The address of node `index`. */
  ip(index: number): string {
    return `${this.subnet}.${index + 2}`;
  }

  /** The state dir of node `index`. */
  stateDir(index: number): string {
    return join(this.root, `node-${index}`);
  }

  /** Starts node `index` running `command` (the agent's argv). */
  start(index: number, command: readonly string[]): AgentProcess {
    const home = join(this.root, `home-${index}`);
    mkdirSync(home, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      MNBATCH_TEST_ROOT: this.root,
      // As on Batch: each node's job id is the job's id plus `#<node index>`.
      [BATCH_ENV.jobId]: `${this.jobId}#${index}`,
      [BATCH_ENV.attempt]: '1',
      [BATCH_ENV.numNodes]: String(this.options.numNodes),
      [BATCH_ENV.nodeIndex]: String(index),
      [BATCH_ENV.mainNodeIndex]: '0',
      ...(index === 0 ? {} : { [BATCH_ENV.mainNodeIp]: this.ip(0) }),
      [AGENT_ENV.token]: this.token,
      [AGENT_ENV.ip]: this.ip(index),
      [AGENT_ENV.stateDir]: this.stateDir(index),
      [AGENT_ENV.rendezvousPort]: String(this.rendezvousPort),
      [AGENT_ENV.sshPort]: String(this.sshPort),
      [AGENT_ENV.slots]: '2',
      [AGENT_ENV.rendezvousTimeout]: '60',
      [AGENT_ENV.mpirunArgs]: JSON.stringify(LOOPBACK_MPIRUN_ARGS),
      ...this.options.env,
      ...this.options.nodeEnv?.(index),
    };
    const proc = spawn(process.execPath, [this.agent, ...command], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.procs.push(proc);
    let log = '';
    this.logs[index] = () => log;
    let out = '';
    proc.stderr?.on('data', (c: Buffer) => {
      log += c.toString('utf8');
    });
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    const exit = new Promise<number>((resolve) => {
      proc.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
    });
    const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
      new Promise<T>((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `node ${index}: ${what} within ${ms} ms\n--- log ---\n${log}--- out ---\n${out}${this.othersLogs(index)}`,
              ),
            ),
          ms,
        );
        p.then(
          (v) => {
            clearTimeout(t);
            resolve(v);
          },
          (e) => {
            clearTimeout(t);
            reject(e);
          },
        );
      });
    return {
      index,
      ip: this.ip(index),
      proc,
      log: () => log,
      out: () => out,
      exited: (ms) => withTimeout(exit, ms, 'did not exit'),
      waitFor: (re, ms, stream = 'log') =>
        withTimeout(
          new Promise<string>((resolve) => {
            const check = () => {
              const m = re.exec(stream === 'log' ? log : out);
              if (m !== null) resolve(m[0]);
              else setTimeout(check, 20);
            };
            check();
          }),
          ms,
          `no ${re} in ${stream}`,
        ),
      killNode: (signal = 'SIGKILL') => {
        if (proc.pid !== undefined) process.kill(-proc.pid, signal);
      },
    };
  }

  /** The other nodes' logs, for a failure message. */
  private othersLogs(index: number): string {
    return this.logs
      .map((l, i) => (i === index || l === undefined ? '' : `\n--- node ${i} log ---\n${l()}`))
      .join('');
  }

  /** Pids of live processes whose command line or environment mention this cluster. */
  leftovers(): number[] {
    const found: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
        const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
        if (state !== 'Z' && (cmdline.includes(this.root) || environ.includes(this.root)))
          found.push(Number(entry));
      } catch {
        // gone, or not ours to read
      }
    }
    return found;
  }

  /** Kills everything this cluster started and removes its files. */
  async cleanup(): Promise<void> {
    for (const p of this.procs) {
      if (p.pid !== undefined && p.exitCode === null && p.signalCode === null) {
        try {
          process.kill(-p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (let i = 0; i < 3; i++) {
      const left = this.leftovers();
      if (left.length === 0) break;
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
