/** The body of `mnbatch run --local FILE` and `run --local --cleanup`. */
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import type { CliContext } from '../ui/context.js';

/** Flags of `mnbatch run` (commander's camelCase). */
export interface RunFlags {
  readonly local?: boolean;
  readonly nodes?: number;
  readonly keep?: boolean;
  /** commander's --no-build: false when given. */
  readonly build: boolean;
  readonly baseImage?: string;
  /** --grace in seconds. */
  readonly grace?: number;
  readonly cleanup?: boolean;
  /** --raw: no [node i] or [node i rank r] prefixes. */
  readonly raw?: boolean;
  /** Fault drills (hidden --skip-node): run as if Batch never started these nodes. */
  readonly skipNode?: number[];
}

/** Runs the job on this machine with Docker, or cleans up after dead runs; returns the exit code. */
export async function runCommand(
  file: string | undefined,
  flags: RunFlags,
  ctx: CliContext,
): Promise<number> {
  if (!flags.local) {
    throw new MnbatchError('RUN_NEEDS_LOCAL', 'run needs --local (to run on AWS Batch, use mnbatch submit)', {
      exitCode: EXIT.usage,
    });
  }
  const { cleanupLocal, runLocal } = await import('./run-local.js');
  if (flags.cleanup) {
    if (file !== undefined)
      throw new MnbatchError('RUN_CLEANUP_FILE', 'run --cleanup takes no job file', { exitCode: EXIT.usage });
    return cleanupLocal({ output: ctx.output, env: ctx.env });
  }
  if (file === undefined)
    throw new MnbatchError('RUN_NO_FILE', 'run --local needs a job file', { exitCode: EXIT.usage });
  ctx.force?.claim();
  return runLocal({
    file,
    cwd: ctx.cwd,
    output: ctx.output,
    signal: ctx.signal,
    env: ctx.env,
    build: flags.build,
    ...(ctx.force ? { force: ctx.force.signal } : {}),
    ...(flags.grace !== undefined ? { graceMs: flags.grace * 1000 } : {}),
    ...(flags.nodes !== undefined ? { nodes: flags.nodes } : {}),
    ...(flags.keep ? { keep: true } : {}),
    ...(flags.raw ? { raw: true } : {}),
    ...(flags.baseImage ? { baseImage: flags.baseImage } : {}),
    ...(flags.skipNode ? { skipNodes: flags.skipNode } : {}),
  });
}
