/**
 * `mnbatch infra up`: checks the account facts the stack rests on (subnet, route table, AMI,
 * instance types), observes what exists, plans, prints the plan and carries it out.
 */

import { awsErrorName } from '../aws/errors.js';
import { ECS_AL2023_AMI_PARAMETER } from '../aws/ssm.js';
import { MnbatchError } from '../errors.js';
import { describeInstanceFacts, filterValueOf, type InstanceFacts, membersOf } from '../instances/facts.js';
import type { Output } from '../ui/output.js';
import type { InfraConfig } from './config.js';
import { type StackEfa, stackEfaInterfaces } from './efa-interfaces.js';
import { executePlan } from './execute.js';
import { executionPolicyWarning, lookUpExecutionPolicy, requireExecutionPolicy } from './execution-policy.js';
import { stackNames } from './names.js';
import { observeStack } from './observe.js';
import { type Plan, type PlanEnvironment, planChanges, planDestroys, planStack } from './plan.js';
import { formatPlan } from './print.js';
import type { InfraServices } from './services.js';

/** Flags of `infra up`. */
export interface UpOptions {
  /** Print the plan and call no mutating API. */
  readonly dryRun?: boolean;
  /** Allow replacements and deletions the plan shows. */
  readonly yes?: boolean;
}

/** Looks up the subnet and its route table; warns when the subnet is public. */
export async function lookUpEnvironment(
  s: InfraServices,
  config: InfraConfig,
  warn: (line: string) => void,
): Promise<Pick<PlanEnvironment, 'routeTableId' | 'availabilityZoneId'>> {
  const [subnet] = await s.ec2.describeSubnets({ SubnetIds: [config.subnetId] }).catch((e: unknown) => {
    if (awsErrorName(e) === 'InvalidSubnetID.NotFound') return [];
    throw e;
  });
  if (!subnet) throw new MnbatchError('INFRA_SUBNET', `subnet ${config.subnetId} not found in ${s.region}`);
  if (subnet.VpcId !== config.vpcId)
    throw new MnbatchError(
      'INFRA_SUBNET',
      `subnet ${config.subnetId} is in ${subnet.VpcId}, not in ${config.vpcId}`,
    );
  let [table] = await s.ec2.describeRouteTables({
    Filters: [{ Name: 'association.subnet-id', Values: [config.subnetId] }],
  });
  if (!table)
    [table] = await s.ec2.describeRouteTables({
      Filters: [
        { Name: 'vpc-id', Values: [config.vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    });
  const publicRoute = (table?.Routes ?? []).find(
    (r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId?.startsWith('igw-'),
  );
  if (publicRoute)
    warn(
      `warning: subnet ${config.subnetId} is public (0.0.0.0/0 → ${publicRoute.GatewayId}): MNP instances get no public IP, so they need a private subnet with a NAT gateway for outbound traffic (image pulls, logs)`,
    );
  return { routeTableId: table?.RouteTableId, availabilityZoneId: subnet.AvailabilityZoneId };
}

/**
 * Checks the AMI and instance types; returns a line describing the AMI, its root device and the
 * stack's EFA interfaces.
 */
async function checkImageAndTypes(
  s: InfraServices,
  config: InfraConfig,
): Promise<{ ami: string; rootDeviceName: string | undefined; efa: StackEfa }> {
  let ami: string;
  let rootDeviceName: string | undefined;
  if (config.ami === 'default') {
    const current = await s.ssm.getParameter(ECS_AL2023_AMI_PARAMETER);
    ami = `ECS-optimized Amazon Linux 2023 chosen by Batch (currently ${current ?? 'unknown'})`;
  } else {
    const [image] = await s.ec2.describeImages({ ImageIds: [config.ami] }).catch(() => []);
    if (!image) throw new MnbatchError('INFRA_AMI', `AMI ${config.ami} not found in ${s.region}`);
    ami = `${config.ami} (${image.Name ?? 'no name'})`;
    rootDeviceName = image.RootDeviceName;
    const snapshotGiB = image.BlockDeviceMappings?.find((b) => b.DeviceName === rootDeviceName)?.Ebs
      ?.VolumeSize;
    if (config.rootVolumeGiB && snapshotGiB && config.rootVolumeGiB < snapshotGiB)
      throw new MnbatchError(
        'INFRA_ROOT_VOLUME',
        `rootVolumeGiB: ${config.rootVolumeGiB} is smaller than the root volume of ${config.ami} (${snapshotGiB} GiB)`,
      );
  }
  const efa = stackEfaInterfaces(config, await checkInstanceTypes(s, config));
  return { ami, rootDeviceName, efa };
}

/**
 * Every entry of `instanceTypes` stands for a type (or family) EC2 knows in the region, and with
 * `efa: true` for types with EFA (a family: some size with EFA; doctor warns about the others).
 */
async function checkInstanceTypes(
  s: InfraServices,
  config: InfraConfig,
): Promise<ReadonlyMap<string, InstanceFacts>> {
  const entries = config.instanceTypes.filter((e) => filterValueOf(e) !== undefined);
  if (entries.length === 0) return new Map(); // optimal, default_*: Batch picks
  const facts = await describeInstanceFacts(s.ec2, entries).catch((e: unknown) => {
    throw new MnbatchError(
      'INFRA_INSTANCE_TYPE',
      `instance types ${entries.join(', ')}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  });
  const unknown = entries.filter((e) => membersOf(e, facts).length === 0);
  if (unknown.length > 0)
    throw new MnbatchError(
      'INFRA_INSTANCE_TYPE',
      `${unknown.join(', ')}: no such instance type in ${s.region}`,
    );
  if (!config.efa) return facts;
  const noEfa = entries.filter((e) => !membersOf(e, facts).some(([, f]) => f.efaSupported));
  if (noEfa.length > 0)
    throw new MnbatchError('INFRA_INSTANCE_TYPE', `efa: true, but ${noEfa.join(', ')} do not support EFA`);
  return facts;
}

/** The settings that are not resources of their own, as `plan` and `up` show them. */
export function settingLines(config: InfraConfig, efa?: StackEfa): string[] {
  const limit = config.runnableTimeLimit;
  return [
    ...(efa ? [efa.line] : []),
    `  root volume: ${config.rootVolumeGiB ? `${config.rootVolumeGiB} GiB gp3 (holds Docker images)` : "the AMI's default (30 GiB on the ECS AMI)"}`,
    `  stuck RUNNABLE jobs: ${limit ? `cancelled after ${limit.maxTimeSeconds} s for ${limit.reasons.join(', ')}` : 'left waiting (runnableTimeLimit off)'}`,
  ];
}

/** Plans the stack (read-only calls only). */
export async function planUp(
  s: InfraServices,
  config: InfraConfig,
  out: Output,
): Promise<{
  plan: Plan;
  env: PlanEnvironment;
  observed: Awaited<ReturnType<typeof observeStack>>;
  ami: string;
  efa: StackEfa;
}> {
  const network = await lookUpEnvironment(s, config, out.err);
  const { ami, rootDeviceName, efa } = await checkImageAndTypes(s, config);
  const env = {
    ...network,
    rootDeviceName,
    efaInterfaces: efa.interfaces,
    executionPolicy: await lookUpExecutionPolicy(s, config),
  };
  const observed = await observeStack(s, config.stack, {
    vpcId: config.vpcId,
    existingFileSystemId: config.efs.startsWith('fs-') ? config.efs : undefined,
    s3Endpoint: config.s3Endpoint,
  });
  const plan = planStack(config, observed, env);
  return { plan, env, observed, ami, efa };
}

/** Runs `infra up`; returns the exit code. */
export async function infraUp(
  s: InfraServices,
  config: InfraConfig,
  options: UpOptions,
  out: Output,
): Promise<number> {
  const { plan, env, observed, ami, efa } = await planUp(s, config, out);
  if (plan.conflicts.length > 0)
    throw new MnbatchError(
      'INFRA_CONFLICT',
      `stack ${config.stack}: resources in the way, nothing was changed`,
      {
        details: plan.conflicts,
      },
    );
  requireExecutionPolicy(config, env.executionPolicy);
  const policyWarning = executionPolicyWarning(config, env.executionPolicy);
  if (policyWarning) out.err(policyWarning);
  out.out(`stack ${config.stack} in ${s.region}, AMI: ${ami}`);
  for (const line of settingLines(config, efa)) out.out(line);
  for (const line of formatPlan(plan)) out.out(line);
  if (options.dryRun) {
    out.out(planChanges(plan) ? 'dry run: nothing was changed' : 'nothing to do');
    return 0;
  }
  if (planDestroys(plan) && !options.yes)
    throw new MnbatchError(
      'INFRA_NEEDS_CONFIRMATION',
      'the plan replaces or deletes existing resources (marked ! and -): run again with --yes to go ahead',
    );
  if (!planChanges(plan)) out.out('nothing to do');
  await executePlan(s, plan, {
    config,
    observed,
    routeTableId: env.routeTableId,
    rootDeviceName: env.rootDeviceName,
    efaInterfaces: env.efaInterfaces,
    executionPolicyArn: env.executionPolicy?.arn,
    log: out.err,
  });
  out.out(
    `stack ${config.stack} is ready: job queue ${plan.actions.find((a) => a.kind === 'job-queue')?.name}`,
  );
  out.out(`submit to it with \`stack: ${config.stack}\` in job.yaml`);
  const executionRole = stackNames(config.stack).executionRole;
  if (!config.roles.create && !observed.roles.some((r) => r.name === executionRole))
    out.err(
      `note: roles.create is false and role ${executionRole} was not found (or IAM cannot be read): jobs read the nodes' rendezvous key with it, so create it from iam/execution-role.json, or name your own in job.yaml executionRoleArn`,
    );
  return 0;
}
