import type { InfraCommandOverrides, InfraFlags } from '../../infra/command.js';
import { awsOptionsOf } from '../../ui/context.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

/** `mnbatch infra up|down|status`, with test overrides (fake clock, services) when given. */
export function registerInfra(overrides: InfraCommandOverrides = {}): RegisterCommand {
  return (program, ctx) => {
    const infra = program
      .command('infra')
      .description(
        'the AWS resources MPI jobs on Batch need: placement group, security group, EFS, compute environment, job queue',
      );
    const common = (cmd: ReturnType<typeof infra.command>) =>
      cmd
        .option('-f, --file <infra.yaml>', 'stack settings (flags override them)')
        .option('--stack <name>', 'stack name');
    common(infra.command('up').description('create or update the stack; a second run changes nothing'))
      .option('--vpc <vpc-id>', 'VPC')
      .option('--subnet <subnet-id>', 'the one (private) subnet of the stack')
      .option('--instance-types <types>', 'comma-separated instance types')
      .option('--max-vcpus <n>', 'vCPU ceiling of the compute environment')
      .option('--ami <ami-id|default>', 'AMI of the instances (default: ECS-optimized AL2023)')
      .option('--efs <create|none|fs-id>', 'EFS for the stack')
      .option('--efa', 'EFA network interfaces')
      .option('--s3-endpoint', 'S3 gateway endpoint on the subnet route table')
      .option('--dry-run', 'print the plan; change nothing')
      .option('--yes', 'allow the replacements and deletions the plan shows')
      .action(
        action(ctx, async (flags: InfraFlags) => {
          const { infraCommand } = await import('../../infra/command.js');
          return infraCommand('up', ctx, { ...flags, ...awsOptionsOf(ctx, 'infra up') }, overrides);
        }),
      );
    common(
      infra.command('down').description("delete the stack's resources (only those tagged with the stack)"),
    )
      .option('--dry-run', 'print what would be deleted')
      .option('--yes', 'delete without asking again')
      .action(
        action(ctx, async (flags: InfraFlags) => {
          const { infraCommand } = await import('../../infra/command.js');
          return infraCommand('down', ctx, { ...flags, ...awsOptionsOf(ctx, 'infra down') }, overrides);
        }),
      );
    common(infra.command('status').description('each resource of the stack, its id and state')).action(
      action(ctx, async (flags: InfraFlags) => {
        const { infraCommand } = await import('../../infra/command.js');
        return infraCommand('status', ctx, { ...flags, ...awsOptionsOf(ctx, 'infra status') }, overrides);
      }),
    );
  };
}

/** `mnbatch infra …`. */
export const register: RegisterCommand = registerInfra();
