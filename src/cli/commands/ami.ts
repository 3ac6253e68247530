import type { AmiCommandOverrides } from '../../ami/command.js';
import type { BakeFlags } from '../../ami/options.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `mnbatch ami bake`, with test overrides (instant clock, fixed token) when given. */
export function registerAmi(overrides: AmiCommandOverrides = {}): RegisterCommand {
  return (program, ctx) => {
    const ami = program
      .command('ami')
      .description('custom AMIs for AWS Batch: EFS mounted at boot, hyper-threading off');
    withJsonOutput(
      ami
        .command('bake')
        .description(
          'bake an ECS-optimized AMI with EFS in /etc/fstab and/or nr_cpus=<physical cores>; prints the AMI id',
        )
        .option('--efs <fs-id>', 'EFS file system to mount at boot')
        .option('--mount-path <path>', 'where EFS is mounted', '/efs')
        .option('--efs-tls', 'mount with the EFS mount helper and TLS instead of plain NFS 4.1')
        .option('--no-ht', 'hyper-threading off: nr_cpus = physical cores of --instance-type')
        .option('--instance-type <type>', 'instance type the AMI is for (nr_cpus, architecture)')
        .option(
          '--builder-type <type>',
          'instance type of the builder (default: m5.large, or m6g.large on arm64)',
        )
        .option('--subnet <subnet-id>', 'subnet of the builder (needs a route to the package repositories)')
        .option('--security-group <sg-id>', 'security group of the builder (repeatable)', collect)
        .option('--base-ami <ami-id>', 'bake from this AMI instead of the ECS-optimized Amazon Linux')
        .option('--base <os>', 'ECS-optimized base: al2023 (default) or al2')
        .option('--name <name>', 'AMI name (a timestamp is appended)')
        .option('--timeout <duration>', 'bound of the whole bake, e.g. 30m', '45m')
        .option(
          '--dry-run',
          'print the plan (base AMI, nr_cpus, user data size, RunInstances request); create nothing',
        )
        .option('--write-infra <file>', 'set ami: (and hyperthreading: offViaAmi) in this infra.yaml'),
      'the result (or the plan)',
    ).action(
      action(ctx, async (flags: BakeFlags) => {
        const { amiBake } = await import('../../ami/command.js');
        return amiBake(ctx, flags, overrides);
      }),
    );
  };
}

/** `mnbatch ami …`. */
export const register: RegisterCommand = registerAmi();
