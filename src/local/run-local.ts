/**
 * `mnbatch run --local`: the job of job.yaml on this machine, one container per node, planned
 * by the same `planJob` as `submit`, so the agent sees what it would see on AWS Batch.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Output } from '../cli/output.js';
import { loadPlannedJob } from '../plan/index.js';
import { mnbatchVersion } from '../version.js';
import { processAlive, removeLeftovers } from './cleanup.js';
import { createDocker, type Docker } from './docker.js';
import { ensureAgentImage, ensureJobImage } from './images.js';
import { type LocalRunPlan, planLocalRun } from './node-plan.js';
import { type RunHooks, runContainers } from './run-containers.js';

export interface RunLocalOptions {
  /** job.yaml, relative to `cwd`. */
  readonly file: string;
  readonly cwd: string;
  readonly output: Output;
  /** Aborted on Ctrl-C: the run stops and everything is removed. */
  readonly signal: AbortSignal;
  /** --nodes: node count instead of the spec's. */
  readonly nodes?: number;
  /** --keep: leave containers and network after the job ended. */
  readonly keep?: boolean;
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
      token: randomBytes(32).toString('hex'),
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
  const sharedDir = join(tmpdir(), `mnbatch-${runId}`);
  const run = planLocalRun({
    plan,
    runId,
    jobId: randomUUID(),
    pid: process.pid,
    sharedDir,
    hostPathExists: existsSync,
    keep: options.keep === true,
  });
  // Node groups may name their own images: they must be here too.
  for (const image of new Set(run.nodes.map((n) => n.image))) {
    if (image !== spec.image) await ensureJobImage(docker, { image, build: undefined, dir, allowBuild, say });
  }
  options.hooks?.planned?.(run);

  const removed = await removeLeftovers(docker, processAlive);
  if (removed.length > 0) say(`removed leftovers of interrupted runs ${removed.join(', ')}`);
  for (const d of run.sharedDirs) mkdirSync(d, { recursive: true });
  say(
    `running ${spec.name} on ${run.nodes.length} local nodes (network ${run.network}); ` +
      'per-node vCPU and memory are not enforced on one machine',
  );
  let keptFiles = false;
  try {
    const code = await runContainers(run, {
      docker,
      output: options.output,
      signal: options.signal,
      ...(options.keep !== undefined ? { keep: options.keep } : {}),
      ...(options.skipNodes ? { skipNodes: options.skipNodes } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(options.childGraceMs !== undefined ? { childGraceMs: options.childGraceMs } : {}),
    });
    keptFiles = options.keep === true && !options.signal.aborted;
    return code;
  } finally {
    if (run.sharedDirs.length > 0 && !keptFiles) {
      try {
        rmSync(sharedDir, { recursive: true, force: true });
      } catch {
        say(`could not remove ${sharedDir} (files made by the containers' users); remove it by hand`);
      }
    }
  }
}
