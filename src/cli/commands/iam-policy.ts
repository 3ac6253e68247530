import type { RegisterCommand } from '../context.js';
import { action } from '../context.js';

/** `mnbatch iam-policy [--infra] [--json]`: the least-privilege IAM policy mnbatch needs. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('iam-policy')
    .description(
      'print the least-privilege IAM policy for submitting jobs (and with --infra, for building infrastructure)',
    )
    .option('--infra', 'add what infra up/down/status and ami bake need')
    .option('--json', 'print the IAM policy document (JSON) to attach')
    .action(
      action(ctx, async (flags: { infra?: boolean; json?: boolean }) => {
        const { iamPolicyCommand } = await import('../../iam/command.js');
        return iamPolicyCommand(ctx.output, flags);
      }),
    );
};
