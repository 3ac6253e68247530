import type { CliContext } from '../../ui/context.js';
import { jobAwsOptions } from '../../ui/context.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { type AwsFlags, withAwsOptions } from './submit.js';

interface CancelFlags extends AwsFlags {
  readonly queue?: string;
  readonly reason?: string;
}

/** `mnbatch cancel JOB`: terminate the job, whatever state it is in. */
export const register: RegisterCommand = (program, ctx) => {
  withAwsOptions(
    program
      .command('cancel')
      .description('terminate a job (SUBMITTED to RUNNING)')
      .argument('<job>', 'job id, or job name (the most recent job of that name)')
      .option('--reason <text>', 'reason recorded on the job')
      .option('--queue <queue>', 'queue to look for a job name in'),
  ).action(action(ctx, (job: string, flags: CancelFlags) => cancel(job, flags, ctx)));
};

async function cancel(job: string, flags: CancelFlags, ctx: CliContext): Promise<number> {
  const [batch, jobs] = await Promise.all([import('../../aws/batch.js'), import('../../jobs/cancel.js')]);
  return jobs.cancelJob(
    { batch: batch.createBatch(await jobAwsOptions(ctx, 'cancel')), output: ctx.output },
    job,
    {
      queue: flags.queue,
      reason: flags.reason,
    },
  );
}
