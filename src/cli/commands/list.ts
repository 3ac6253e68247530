import type { ListFlags } from '../../jobs/command.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { withAwsOptions } from './submit.js';

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
  ).action(
    action(ctx, async (flags: ListFlags) => {
      const { listCommand } = await import('../../jobs/command.js');
      return listCommand(flags, ctx);
    }),
  );
};
