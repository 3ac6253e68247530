import type { Command } from 'commander';
import type { SubmitFlags } from '../../jobs/command.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { parseNodes } from './plan.js';

/**
 * Marks an AWS command. `--profile` and `--region` are global options now (cli.ts), accepted
 * anywhere on the line and shown in every command's help, so nothing is added here.
 */
export function withAwsOptions(command: Command): Command {
  return command;
}

/** `mnbatch submit FILE`: register (or reuse) the job definition and submit; `--wait` stays until it ends. */
export const register: RegisterCommand = (program, ctx) => {
  withJsonOutput(
    withAwsOptions(
      program
        .command('submit')
        .description('submit the job to AWS Batch (registers the job definition only when it changed)')
        .argument('<file>', 'job file')
        .option('--nodes <n>', 'override the number of nodes (nodeOverrides.numNodes)', parseNodes)
        .option('--queue <queue>', 'job queue (instead of queue/stack in the job file)')
        .option('--wait', 'wait for the job to end, showing its state; exit with its exit code')
        .option('--follow', 'like --wait, and stream the main node’s log')
        .option('--cancel-on-interrupt', 'on Ctrl-C while waiting, terminate the job instead of detaching')
        .option(
          '--no-push',
          'do not build and push `build:`: use `image:` as it is (ECR tags are still pinned)',
        )
        .option('--dry-run', 'print what would be sent (same as `mnbatch plan`) and call no AWS API'),
    ),
    'the submission',
  ).action(
    action(ctx, async (file: string, flags: SubmitFlags) => {
      const { submitCommand } = await import('../../jobs/command.js');
      return submitCommand(file, flags, ctx);
    }),
  );
};
