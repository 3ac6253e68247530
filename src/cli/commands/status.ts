import type { CliContext, RegisterCommand } from '../context.js';
import { action, jobAwsOptions } from '../context.js';
import { withJsonOutput } from '../output-format.js';
import { type AwsFlags, withAwsOptions } from './submit.js';

interface StatusFlags extends AwsFlags {
  readonly queue?: string;
  readonly json?: boolean;
  readonly wait?: boolean;
}

/** `mnbatch status JOB`: the job and each of its nodes. */
export const register: RegisterCommand = (program, ctx) => {
  withJsonOutput(
    withAwsOptions(
      program
        .command('status')
        .description('show a job and its nodes (exit codes, reasons, log streams)')
        .argument('<job>', 'job id, or job name (the most recent job of that name)')
        .option('--queue <queue>', 'queue to look for a job name in')
        .option('--wait', 'wait for the job to end; exit with its exit code'),
    ),
    'the job',
  ).action(action(ctx, (job: string, flags: StatusFlags) => status(job, flags, ctx)));
};

async function status(job: string, flags: StatusFlags, ctx: CliContext): Promise<number> {
  const [batch, logs, clock, jobs] = await Promise.all([
    import('../../aws/batch.js'),
    import('../../aws/logs.js'),
    import('../../clock.js'),
    import('../../jobs/status.js'),
  ]);
  const aws = await jobAwsOptions(ctx, 'status');
  return jobs.showStatus(
    {
      batch: batch.createBatch(aws),
      logs: logs.createLogs(aws),
      output: ctx.output,
      clock: clock.systemClock,
      signal: ctx.signal,
    },
    job,
    { queue: flags.queue, json: flags.json ?? false, wait: flags.wait ?? false },
  );
}
