import { InvalidArgumentError, Option } from 'commander';
import { MnbatchError } from '../../errors.js';
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
}

/** `--skip-node`: a node index, repeatable. */
function parseIndex(value: string, previous: number[] = []): number[] {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a node index (0, 1, …)');
  return [...previous, Number(value)];
}

/** `mnbatch run --local FILE`: the job on this machine with Docker, one container per node. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('run')
    .description('run the job on this machine with Docker: one container per node, as on AWS Batch')
    .argument('<file>', 'job file')
    .option('--local', 'run on this machine with Docker (the only mode of run)')
    .option('--nodes <n>', 'number of nodes instead of the job file’s', parseNodes)
    .option('--keep', 'leave the containers and network after the job ended (for docker logs/exec)')
    .option('--no-build', 'use the images as they are; do not build the agent or job image')
    .option(
      '--base-image <image>',
      'base image of the agent image (default: mnbatch/debian:bookworm if present)',
    )
    .addOption(
      // Fault drills: run as if Batch never started these nodes.
      new Option('--skip-node <index>', 'do not start this node').argParser(parseIndex).hideHelp(),
    )
    .action(action(ctx, (file: string, flags: RunFlags & { skipNode?: number[] }) => run(file, flags, ctx)));
};

async function run(
  file: string,
  flags: RunFlags & { skipNode?: number[] },
  ctx: CliContext,
): Promise<number> {
  if (!flags.local) {
    throw new MnbatchError('RUN_NEEDS_LOCAL', 'run needs --local (to run on AWS Batch, use mnbatch submit)');
  }
  const { runLocal } = await import('../../local/run-local.js');
  return runLocal({
    file,
    cwd: ctx.cwd,
    output: ctx.output,
    signal: ctx.signal,
    env: ctx.env,
    build: flags.build,
    ...(flags.nodes !== undefined ? { nodes: flags.nodes } : {}),
    ...(flags.keep ? { keep: true } : {}),
    ...(flags.baseImage ? { baseImage: flags.baseImage } : {}),
    ...(flags.skipNode ? { skipNodes: flags.skipNode } : {}),
  });
}
