import type { CancelFlags } from '../../jobs/command.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { withAwsOptions } from './submit.js';

/** `mnbatch cancel JOB`: terminate the job, whatever state it is in. */
export const register: RegisterCommand = (program, ctx) => {
  withAwsOptions(
    program
      .command('cancel')
      .description('terminate a job (SUBMITTED to RUNNING)')
      .argument('<job>', 'job id, or job name (the most recent job of that name)')
      .option('--reason <text>', 'reason recorded on the job')
      .option('--queue <queue>', 'queue to look for a job name in'),
  ).action(
    action(ctx, async (job: string, flags: CancelFlags) => {
      const { cancelCommand } = await import('../../jobs/command.js');
      return cancelCommand(job, flags, ctx);
    }),
  );
};
