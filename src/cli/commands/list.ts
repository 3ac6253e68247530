import type { CliContext, RegisterCommand } from '../context.js';
import { action, jobAwsOptions } from '../context.js';
import { withJsonOutput } from '../output-format.js';
import { type AwsFlags, withAwsOptions } from './submit.js';

interface ListFlags extends AwsFlags {
  readonly queue?: string;
  readonly status?: string;
  readonly json?: boolean;
}

/** `mnbatch list`: jobs submitted by mnbatch (tagged mnbatch:job). */
export const register: RegisterCommand = (program, ctx) => {
  withJsonOutput(
    withAwsOptions(
      program
        .command('list')
        .description(
          'list jobs submitted by mnbatch (default: unfinished jobs in the queues of mnbatch stacks)',
        )
        .option('--queue <queue>', 'only this queue')
        .option('--status <status>', 'only jobs in this status (SUBMITTED … SUCCEEDED, FAILED)'),
    ),
    'the jobs',
  ).action(action(ctx, (flags: ListFlags) => list(flags, ctx)));
};

async function list(flags: ListFlags, ctx: CliContext): Promise<number> {
  const [batch, jobs] = await Promise.all([import('../../aws/batch.js'), import('../../jobs/list.js')]);
  const found = await jobs.listJobs(batch.createBatch(await jobAwsOptions(ctx, 'list')), {
    queue: flags.queue,
    status: flags.status,
  });
  jobs.printJobs(ctx.output, found, Date.now(), flags.json ?? false);
  return 0;
}
