import { InvalidArgumentError, Option } from 'commander';
import type { RunFlags } from '../../local/command.js';
import { DEFAULT_GRACE_MS } from '../../local/stop.js';
import { parseDuration } from '../../spec/units.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { parseNodes } from './plan.js';

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
      `on Ctrl-C or timeout: time between SIGTERM and SIGKILL for every node (default ${DEFAULT_GRACE_MS / 1000}s)`,
      parseGrace,
    )
    .option('--raw', 'output as the programs print it: no [node i] or [node i rank r] prefixes')
    .option('--cleanup', 'remove what dead local runs left (containers, networks, directories); no job runs')
    .addOption(
      // Fault drills: run as if Batch never started these nodes.
      new Option('--skip-node <index>', 'do not start this node').argParser(parseIndex).hideHelp(),
    )
    .action(
      action(ctx, async (file: string | undefined, flags: RunFlags) => {
        const { runCommand } = await import('../../local/command.js');
        return runCommand(file, flags, ctx);
      }),
    );
};
