import { InvalidArgumentError } from 'commander';
import type { PlanFlags } from '../../jobs/job-file.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

/** `--nodes N`: a whole number 2–1000 (Batch's limits for multi-node jobs). */
export function parseNodes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 2 || n > 1000) {
    throw new InvalidArgumentError('must be a whole number from 2 to 1000');
  }
  return n;
}

/** `mnbatch plan FILE`: prints the RegisterJobDefinition and SubmitJob requests `submit` would send. */
export const register: RegisterCommand = (program, ctx) => {
  withJsonOutput(
    program
      .command('plan')
      .description('print the AWS Batch requests submit would send, without calling AWS')
      .argument('<file>', 'job file')
      .option('--nodes <n>', 'override the number of nodes (nodeOverrides.numNodes)', parseNodes)
      .option('--queue <queue>', 'job queue (instead of queue/stack in the job file)'),
    '{"registerJobDefinition", "submitJob"} only',
  ).action(
    action(ctx, async (file: string, flags: PlanFlags) => {
      const { printPlan } = await import('../../jobs/offline-commands.js');
      return printPlan(file, flags, ctx);
    }),
  );
};
