import { MANAGED_POLICY_MAX_CHARS } from '../../iam/policy.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `mnbatch iam-policy [--role NAME] [--stack NAME] [--pass-role ARN]... [--json|--document [--part N]]`: least-privilege IAM. */
export const register: RegisterCommand = (program, ctx) => {
  withJsonOutput(
    program
      .command('iam-policy')
      .description(
        'print the least-privilege IAM policy of a user (submit, infra) or of a role (job, instance, execution)',
      )
      .option('--role <name>', 'job, instance, execution, submit or infra (default submit)')
      .option(
        '--infra',
        'the submit and infra policies together (same as both --role submit and --role infra)',
      )
      .option('--stack <name>', 'scope to one stack (default: every mnbatch stack)')
      .option(
        '--pass-role <arn>',
        'also allow passing this role: your job role or instance role (repeatable)',
        collect,
      )
      .option(
        '--document',
        'print only the permissions document as JSON (what an administrator creates a managed policy from)',
      )
      .option(
        '--part <n>',
        `with --document: part n of a policy above IAM's ${MANAGED_POLICY_MAX_CHARS} characters for one managed policy`,
      ),
    "the managed policies to create and attach, each within IAM's size quota (for a role: trust, managed policies, inline policy)",
  ).action(
    action(
      ctx,
      async (flags: {
        role?: string;
        infra?: boolean;
        stack?: string;
        passRole?: string[];
        json?: boolean;
        document?: boolean;
        part?: string;
      }) => {
        const { iamPolicyCommand } = await import('../../iam/command.js');
        return iamPolicyCommand(ctx.output, flags);
      },
    ),
  );
};
