import type { StatusFlags } from '../../jobs/command.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { withAwsOptions } from './submit.js';

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
  ).action(
    action(ctx, async (job: string, flags: StatusFlags) => {
      const { statusCommand } = await import('../../jobs/command.js');
      return statusCommand(job, flags, ctx);
    }),
  );
};
