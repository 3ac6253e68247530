/**
 * `mnbatch run --local`: the job of job.yaml on this machine, one container per node, planned
 * by the same `planJob` as `submit`, so the agent sees what it would see on AWS Batch.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlannedJob } from '../plan/index.js';
import type { Output } from '../ui/output.js';
import { mnbatchVersion } from '../version.js';
import { OWNER_FILE, removeLeftoverDirs, removeLeftovers, removeStaleEnvDirs } from './cleanup.js';
import { createDocker, type Docker } from './docker.js';
import { ensureAgentImage, ensureJobImage } from './images.js';
import { type LocalRunPlan, planLocalRun } from './node-plan.js';
import { ownerState, selfOwner } from './owner.js';
import { type RunHooks, runContainers } from './run-containers.js';

export interface RunLocalOptions {
  /** job.yaml, relative to `cwd`. */
  readonly file: string;
  readonly cwd: string;
  readonly output: Output;
  /** Aborted on Ctrl-C: every node gets SIGTERM, then SIGKILL after the grace period. */
  readonly signal: AbortSignal;
  /** Aborted on the second Ctrl-C: every node is killed at once. */
  readonly force?: AbortSignal;
  /** --grace: between SIGTERM and SIGKILL when the run is stopped (default 30 s). */
  readonly graceMs?: number;
  /** How long a paused or unreadable main node may stay so (default 30 s). */
  readonly unresponsiveAfterMs?: number;
  /** --nodes: node count instead of the spec's. */
  readonly nodes?: number;
  /** --keep: leave containers, network and the EFS directory, on every path. */
  readonly keep?: boolean;
  /** --raw: output as the programs print it: no `[node i]`, no `[node i rank r]`. */
  readonly raw?: boolean;
  /** false with --no-build: use the images as they are. */
  readonly build?: boolean;
  /** BASE_IMAGE of the agent image (default: mnbatch/debian:bookworm when present, else debian:bookworm-slim). */
  readonly baseImage?: string;
  /** Node indices not to start (fault tests). */
  readonly skipNodes?: readonly number[];
  /** Run id (labels, names); random when not given. */
  readonly runId?: string;
  readonly hooks?: RunHooks & { readonly planned?: (run: LocalRunPlan) => void };
  readonly childGraceMs?: number;
  readonly docker?: Docker;
  /** Variables for the docker CLI (DOCKER_HOST, PATH…), over this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Where container/ and dist/agent-bundle are: two levels above this file in src/ and in dist/. */
function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Runs the job locally and returns its exit code (the main node's). */
export async function runLocal(options: RunLocalOptions): Promise<number> {
  const say = (line: string) => options.output.err(`[mnbatch] ${line}`);
  const docker = options.docker ?? createDocker(options.env);
  // A fresh token per run, as per submission; no queue is needed on one machine.
  const { spec, plan, dir } = await loadPlannedJob(
    resolve(options.cwd, options.file),
    {
      rendezvous: { kind: 'token', token: randomBytes(32).toString('hex') },
      version: mnbatchVersion(),
      ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
    },
    false,
  );
  await docker.check();

  const allowBuild = options.build !== false;
  if (spec.build && allowBuild) {
    await ensureAgentImage(docker, {
      packageRoot: packageRoot(),
      version: mnbatchVersion(),
      say,
      signal: options.signal,
      ...(options.baseImage ? { baseImage: options.baseImage } : {}),
      // A job that names MPICH builds FROM the MPICH agent image (examples/mpich-hello).
      ...(spec.mpi.implementation === 'mpich' ? { mpi: 'mpich' as const } : {}),
    });
  }
  await ensureJobImage(docker, {
    image: spec.image,
    build: spec.build,
    dir,
    allowBuild,
    say,
    signal: options.signal,
  });

  const runId = options.runId ?? randomBytes(4).toString('hex');
  const owner = selfOwner();
  const timeoutSeconds = plan.registerJobDefinition.timeout?.attemptDurationSeconds;
  const sharedDir = join(tmpdir(), `mnbatch-${runId}`);
  const run = planLocalRun({
    plan,
    runId,
    jobId: randomUUID(),
    pid: process.pid,
    owner,
    uid: myUid(),
    sharedDir,
    hostPathExists: existsSync,
    keep: options.keep === true,
    raw: options.raw === true,
    cpus: await docker.cpus(),
  });
  // Node groups may name their own images: they must be here too.
  for (const image of new Set(run.nodes.map((n) => n.image))) {
    if (image !== spec.image) await ensureJobImage(docker, { image, build: undefined, dir, allowBuild, say });
  }
  options.hooks?.planned?.(run);

  const removed = await removeLeftovers(docker, { state: ownerState, includeKept: false, uid: myUid() });
  if (removed.length > 0) say(`removed leftovers of runs whose runner is gone: ${removed.join(', ')}`);
  if (run.sharedDirs.length > 0) {
    // Not recursive: a directory of that name made by someone else is an error, not ours to use.
    mkdirSync(sharedDir);
    // Says whose directory this is, so that run --cleanup removes it only once this runner is gone.
    writeFileSync(join(sharedDir, OWNER_FILE), JSON.stringify({ owner, keep: options.keep === true }));
    for (const d of run.sharedDirs) mkdirSync(d, { recursive: true });
  }
  say(
    `running ${spec.name} (run ${runId}) on ${run.nodes.length} local node${run.nodes.length === 1 ? '' : 's'} (network ${run.network}); ` +
      'per-node vCPU and memory are not enforced on one machine',
  );
  if (run.note !== undefined) say(run.note);
  let code: number | undefined;
  try {
    code = await runContainers(run, {
      docker,
      output: options.output,
      signal: options.signal,
      ...(options.force ? { force: options.force } : {}),
      ...(options.keep !== undefined ? { keep: options.keep } : {}),
      ...(options.raw !== undefined ? { raw: options.raw } : {}),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      ...(options.unresponsiveAfterMs !== undefined
        ? { unresponsiveAfterMs: options.unresponsiveAfterMs }
        : {}),
      ...(options.skipNodes ? { skipNodes: options.skipNodes } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.childGraceMs !== undefined ? { childGraceMs: options.childGraceMs } : {}),
    });
    return code;
  } finally {
    if (run.sharedDirs.length > 0) settleSharedDir(sharedDir, options.keep === true, code === 0, say);
  }
}

/**
 * The run's EFS directory: kept with --keep, removed after a success, and otherwise kept for
 * the results and logs in it (a failed or stopped run's files are what one wants to look at).
 */
function settleSharedDir(dir: string, keep: boolean, succeeded: boolean, say: (line: string) => void): void {
  if (keep || !succeeded) {
    say(`kept the shared (EFS) directory ${dir}${keep ? '' : ' (the run did not succeed)'}`);
    return;
  }
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    say(`could not remove ${dir} (files made by the containers' users); remove it by hand`);
  }
}

/** This user's uid (0 where processes have none). */
function myUid(): number {
  return process.getuid?.() ?? 0;
}

/** `mnbatch run --cleanup`: removes what dead runs of this machine left; returns a line per thing removed. */
export async function cleanupLocal(options: {
  readonly output: Output;
  readonly docker?: Docker;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly tmp?: string;
}): Promise<number> {
  const say = (line: string) => options.output.err(`[mnbatch] ${line}`);
  const docker = options.docker ?? createDocker(options.env);
  await docker.check();
  const leftover = { state: ownerState, includeKept: true, uid: myUid() };
  const runs = await removeLeftovers(docker, leftover);
  const dirs = removeLeftoverDirs(options.tmp ?? tmpdir(), leftover);
  const envDirs = removeStaleEnvDirs(options.tmp ?? tmpdir(), leftover.uid, Date.now());
  for (const r of runs) say(`removed the containers and network of run ${r}`);
  for (const d of [...dirs.removed, ...envDirs]) say(`removed ${d}`);
  for (const d of dirs.failed)
    say(`could not remove ${d} (files made by the containers' users); remove it as root`);
  if (runs.length + dirs.removed.length + dirs.failed.length + envDirs.length === 0)
    say('nothing left by dead runs');
  return dirs.failed.length > 0 ? 1 : 0;
}
