import { InvalidArgumentError, Option } from 'commander';
import { MnbatchError } from '../../errors.js';
import { parseDuration } from '../../spec/units.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { action } from '../context.js';
import { parseNodes } from './plan.js';

interface RunFlags {
  readonly local?: boolean;
  readonly nodes?: number;
  readonly keep?: boolean;
  /** commander's --no-build: false when given. */
  readonly build: boolean;
  readonly baseImage?: string;
  /** --grace in seconds. */
  readonly grace?: number;
  readonly cleanup?: boolean;
  readonly raw?: boolean;
}

/** Longest --grace: a stop that waits longer than an hour is not a stop. */
const MAX_GRACE_SECONDS = 3600;

/** `--skip-node`: a node index, repeatable. */
function parseIndex(value: string, previous: number[] = []): number[] {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a node index (0, 1, …)');
  return [...previous, Number(value)];
}

/** `--grace`: a duration (30s, 2m) or whole seconds, 0 to an hour. */
export function parseGrace(value: string): number {
  const parsed = parseDuration(/^\d+$/.test(value.trim()) ? Number(value) : value);
  if (!parsed.ok || parsed.value > MAX_GRACE_SECONDS) {
    throw new InvalidArgumentError(`must be a duration such as 30s or 2m, at most ${MAX_GRACE_SECONDS}s`);
  }
  return parsed.value;
}

/** `mnbatch run --local FILE`: the job on this machine with Docker, one container per node. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('run')
    .description('run the job on this machine with Docker: one container per node, as on AWS Batch')
    .argument('[file]', 'job file')
    .option('--local', 'run on this machine with Docker (the only mode of run)')
    .option('--nodes <n>', 'number of nodes instead of the job file’s', parseNodes)
    .option('--keep', 'leave the containers, network and EFS directory, however the run ends')
    .option('--no-build', 'use the images as they are; do not build the agent or job image')
    .option(
      '--base-image <image>',
      'base image of the agent image (default: mnbatch/debian:bookworm if present)',
    )
    .option(
      '--grace <duration>',
      'on Ctrl-C or timeout: time between SIGTERM and SIGKILL for every node (default 30s)',
      parseGrace,
    )
    .option('--raw', 'output as the programs print it: no [node i] or [node i rank r] prefixes')
    .option('--cleanup', 'remove what dead local runs left (containers, networks, directories); no job runs')
    .addOption(
      // Fault drills: run as if Batch never started these nodes.
      new Option('--skip-node <index>', 'do not start this node').argParser(parseIndex).hideHelp(),
    )
    .action(
      action(ctx, (file: string | undefined, flags: RunFlags & { skipNode?: number[] }) =>
        run(file, flags, ctx),
      ),
    );
};

async function run(
  file: string | undefined,
  flags: RunFlags & { skipNode?: number[] },
  ctx: CliContext,
): Promise<number> {
  if (!flags.local) {
    throw new MnbatchError('RUN_NEEDS_LOCAL', 'run needs --local (to run on AWS Batch, use mnbatch submit)');
  }
  const { cleanupLocal, runLocal } = await import('../../local/run-local.js');
  if (flags.cleanup) {
    if (file !== undefined) throw new MnbatchError('RUN_CLEANUP_FILE', 'run --cleanup takes no job file');
    return cleanupLocal({ output: ctx.output, env: ctx.env });
  }
  if (file === undefined) throw new MnbatchError('RUN_NO_FILE', 'run --local needs a job file');
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
