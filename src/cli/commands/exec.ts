import { InvalidArgumentError } from 'commander';
import type { ExecFlags } from '../../jobs/exec-command.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

function parseIndex(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a node index (0, 1, ...)');
  return Number(value);
}

/** `mnbatch exec JOB [--node N] [-- cmd]`: a shell or a command in a running node. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('exec')
    .description(
      'open a shell (or run a command) in a running node: docker exec with --local, ECS Exec on AWS Batch',
    )
    .argument('<job>', 'job id or name; with --local the run id or job name that run --local printed')
    .argument('[command...]', 'command to run instead of a login shell (after --)')
    .option('--node <index>', 'node index (default: the main node)', parseIndex)
    .option('--local', 'a local run (mnbatch run --local) instead of a job on AWS Batch')
    .option('--queue <queue>', 'queue to look for a job name in')
    .option('--print', 'on AWS Batch: print the aws ecs execute-command line instead of running it')
    .action(
      action(ctx, async (job: string, command: string[], flags: ExecFlags) => {
        const { execCommand } = await import('../../jobs/exec-command.js');
        return execCommand(job, command, flags, ctx);
      }),
    );
};
