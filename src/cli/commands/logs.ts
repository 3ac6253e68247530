import { InvalidArgumentError } from 'commander';
import type { CliContext, RegisterCommand } from '../context.js';
import { action, jobAwsOptions } from '../context.js';
import { type AwsFlags, withAwsOptions } from './submit.js';

interface LogsFlags extends AwsFlags {
  readonly queue?: string;
  readonly node?: number;
  readonly follow?: boolean;
}

function parseNode(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a node index (0, 1, ...)');
  return Number(value);
}

/** `mnbatch logs JOB`: a node's CloudWatch log. */
export const register: RegisterCommand = (program, ctx) => {
  withAwsOptions(
    program
      .command('logs')
      .description('print a node’s log (the main node by default) from CloudWatch Logs')
      .argument('<job>', 'job id, or job name (the most recent job of that name)')
      .option('--node <index>', 'node index (default: the main node)', parseNode)
      .option('--follow', 'keep printing until the job ends; exit with its exit code')
      .option('--queue <queue>', 'queue to look for a job name in'),
  ).action(action(ctx, (job: string, flags: LogsFlags) => logs(job, flags, ctx)));
};

async function logs(job: string, flags: LogsFlags, ctx: CliContext): Promise<number> {
  const [batch, cwl, clock, jobs] = await Promise.all([
    import('../../aws/batch.js'),
    import('../../aws/logs.js'),
    import('../../clock.js'),
    import('../../jobs/show-logs.js'),
  ]);
  const aws = await jobAwsOptions(ctx, 'logs');
  return jobs.showLogs(
    {
      batch: batch.createBatch(aws),
      logs: cwl.createLogs(aws),
      output: ctx.output,
      clock: clock.systemClock,
      signal: ctx.signal,
    },
    job,
    { queue: flags.queue, node: flags.node, follow: flags.follow ?? false },
  );
}
