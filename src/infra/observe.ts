/**
 * What exists of a stack: every resource found by the stack tag or by the stack's names, each
 * marked as owned (carries this stack's tag) or not. Read-only: only Describe/Get calls.
 */
import type { ComputeEnvironmentDetail, JobQueueDetail } from '@aws-sdk/client-batch';
import type {
  LaunchTemplate,
  LaunchTemplateVersion,
  PlacementGroup,
  SecurityGroup,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type { FileSystemDescription, MountTargetDescription } from '@aws-sdk/client-efs';
import type { InstanceProfile, Role } from '@aws-sdk/client-iam';
import type { ParameterMetadata } from '@aws-sdk/client-ssm';
import { awsErrorName } from '../aws/errors.js';
import { isState } from '../aws/states.js';
import { stackNames, stackTagFilter, stackTagOf } from './names.js';
import { EXECUTION_ROLE_POLICY_NAME, s3ServiceName } from './requests.js';
import type { InfraServices } from './services.js';

/** The kinds of resource a stack has, in creation order. */
export const RESOURCE_KINDS = [
  'rendezvous-key',
  'instance-role',
  'instance-profile',
  'job-role',
  'execution-role',
  'placement-group',
  'security-group',
  'file-system',
  'mount-target',
  's3-endpoint',
  'launch-template',
  'compute-environment',
  'job-queue',
] as const;

/** One kind of stack resource. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** One existing resource. */
export interface Found<T> {
  readonly value: T;
  readonly id: string;
  readonly name: string;
  /** Lifecycle state as AWS reports it (e.g. `available`, `VALID/ENABLED`). */
  readonly state: string;
  /** The stack its tag names; undefined when it has no stack tag. */
  readonly stackTag: string | undefined;
}

/** Everything found of one stack. Lists hold resources found by tag or by name. */
export interface Observed {
  readonly stack: string;
  readonly placementGroups: readonly Found<PlacementGroup>[];
  readonly securityGroups: readonly Found<SecurityGroup>[];
  readonly fileSystems: readonly Found<FileSystemDescription>[];
  /** Mount targets of the file systems above (owned ones, or the one `efs:` names). */
  readonly mountTargets: readonly Found<MountTargetDescription>[];
  readonly endpoints: readonly Found<VpcEndpoint>[];
  readonly launchTemplates: readonly Found<LaunchTemplate>[];
  /** Latest version of the stack's launch template (by name), for comparing its data. */
  readonly launchTemplateLatest: LaunchTemplateVersion | undefined;
  readonly computeEnvironments: readonly Found<ComputeEnvironmentDetail>[];
  readonly jobQueues: readonly Found<JobQueueDetail>[];
  readonly roles: readonly Found<Role>[];
  /** The execution role's inline policy (JSON text), when the role and the policy exist. */
  readonly executionRolePolicy: string | undefined;
  /** The stack's rendezvous key (metadata only: its value is never read). */
  readonly rendezvousKeys: readonly Found<ParameterMetadata>[];
  /** ARNs of the managed policies attached to each role above, by role name. */
  readonly attachedPolicies: ReadonlyMap<string, readonly string[]>;
  readonly instanceProfiles: readonly Found<InstanceProfile>[];
}

/** Where to look beyond the stack tag: the settings of infra.yaml, when known. */
export interface ObserveHints {
  readonly vpcId?: string | undefined;
  /** An existing file system named by `efs: fs-…`. */
  readonly existingFileSystemId?: string | undefined;
  /** Look for any S3 gateway endpoint of the VPC (to spot one that is not ours). */
  readonly s3Endpoint?: boolean | undefined;
}

function uniqueBy<T>(items: readonly T[], key: (t: T) => string | undefined): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t) ?? '';
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * IAM lookups that the caller may not be allowed to make (a user who gives existing roles may
 * have no IAM read access): what cannot be seen was not created by the stack.
 */
async function unlessDenied<T>(lookup: Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (e) {
    if (/AccessDenied/.test(awsErrorName(e))) return undefined;
    throw e;
  }
}

/** ", root 100 GiB" when the launch template version sets the root volume's size. */
function rootVolumeNote(version: LaunchTemplateVersion | undefined): string {
  const size = version?.LaunchTemplateData?.BlockDeviceMappings?.find((b) => b.Ebs?.VolumeSize)?.Ebs
    ?.VolumeSize;
  return size ? `, root ${size} GiB` : '';
}

/** ", cancels RUNNABLE after 3600 s" when the queue has jobStateTimeLimitActions. */
function timeLimitNote(q: JobQueueDetail): string {
  const seconds = q.jobStateTimeLimitActions?.[0]?.maxTimeSeconds;
  return seconds ? `, cancels RUNNABLE after ${seconds} s` : '';
}

/** Finds every resource of stack `stack` (by tag and by name). */
export async function observeStack(
  services: InfraServices,
  stack: string,
  hints: ObserveHints = {},
): Promise<Observed> {
  const { ec2, efs, batch, iam, ssm } = services;
  const names = stackNames(stack);
  const byTag = [stackTagFilter(stack)];

  const [pgs, sgs, lts, endpoints, fileSystems, ces, queues, roles, profiles, key] = await Promise.all([
    Promise.all([
      ec2.describePlacementGroups({ Filters: byTag }),
      ec2.describePlacementGroups({ Filters: [{ Name: 'group-name', Values: [names.placementGroup] }] }),
    ]).then(([a, b]) => uniqueBy([...a, ...b], (g) => g.GroupId).filter((g) => !isState(g.State, 'deleted'))),
    Promise.all([
      ec2.describeSecurityGroups({ Filters: byTag }),
      hints.vpcId
        ? ec2.describeSecurityGroups({
            Filters: [
              { Name: 'vpc-id', Values: [hints.vpcId] },
              { Name: 'group-name', Values: [names.securityGroup] },
            ],
          })
        : Promise.resolve([]),
    ]).then(([a, b]) => uniqueBy([...a, ...b], (g) => g.GroupId)),
    Promise.all([
      ec2.describeLaunchTemplates({ Filters: byTag }),
      ec2.describeLaunchTemplates({
        Filters: [{ Name: 'launch-template-name', Values: [names.launchTemplate] }],
      }),
    ]).then(([a, b]) => uniqueBy([...a, ...b], (t) => t.LaunchTemplateId)),
    Promise.all([
      ec2.describeVpcEndpoints({ Filters: byTag }),
      hints.s3Endpoint && hints.vpcId
        ? ec2.describeVpcEndpoints({
            Filters: [
              { Name: 'vpc-id', Values: [hints.vpcId] },
              { Name: 'service-name', Values: [s3ServiceName(services.region)] },
            ],
          })
        : Promise.resolve([]),
    ]).then(([a, b]) =>
      uniqueBy([...a, ...b], (e) => e.VpcEndpointId).filter(
        (e) => !isState(e.State, 'deleted') && !isState(e.State, 'deleting'),
      ),
    ),
    efs
      .describeFileSystems({})
      .then((all) =>
        all.filter(
          (f) =>
            f.LifeCycleState !== 'deleted' &&
            (stackTagOf(f.Tags) === stack ||
              f.CreationToken === names.efsCreationToken ||
              f.FileSystemId === hints.existingFileSystemId),
        ),
      ),
    batch.describeComputeEnvironments([names.computeEnvironment]),
    batch.describeJobQueues([names.jobQueue]),
    Promise.all(
      [names.instanceRole, names.jobRole, names.executionRole].map((n) => unlessDenied(iam.getRole(n))),
    ),
    unlessDenied(iam.getInstanceProfile(names.instanceProfile)),
    ssm.describeParameter(names.rendezvousKey),
  ]);

  const mountTargets = (
    await Promise.all(
      fileSystems
        .filter((f) => stackTagOf(f.Tags) === stack || f.FileSystemId === hints.existingFileSystemId)
        .map((f) => efs.describeMountTargets(f.FileSystemId ?? '')),
    )
  ).flat();
  const foundRoles = roles.filter((r): r is Role => r !== undefined);
  const attachedPolicies = new Map(
    await Promise.all(
      foundRoles.map(
        async (r) =>
          [
            r.RoleName ?? '',
            (await unlessDenied(iam.listAttachedRolePolicies(r.RoleName ?? ''))) ?? [],
          ] as const,
      ),
    ),
  );
  const executionRolePolicy = foundRoles.some((r) => r.RoleName === names.executionRole)
    ? await unlessDenied(iam.getRolePolicy(names.executionRole, EXECUTION_ROLE_POLICY_NAME))
    : undefined;
  const ourTemplate = lts.find((t) => t.LaunchTemplateName === names.launchTemplate);
  const launchTemplateLatest = ourTemplate
    ? (
        await ec2.describeLaunchTemplateVersions({
          LaunchTemplateId: ourTemplate.LaunchTemplateId,
          Versions: ['$Latest'],
        })
      )[0]
    : undefined;

  return {
    stack,
    placementGroups: pgs.map((g) => ({
      value: g,
      id: g.GroupId ?? '',
      name: g.GroupName ?? '',
      state: g.State ?? '',
      stackTag: stackTagOf(g.Tags),
    })),
    securityGroups: sgs.map((g) => ({
      value: g,
      id: g.GroupId ?? '',
      name: g.GroupName ?? '',
      state: 'available',
      stackTag: stackTagOf(g.Tags),
    })),
    fileSystems: fileSystems.map((f) => ({
      value: f,
      id: f.FileSystemId ?? '',
      name: f.Name ?? f.CreationToken ?? '',
      state: f.LifeCycleState ?? '',
      stackTag: stackTagOf(f.Tags),
    })),
    mountTargets: mountTargets
      .filter((m) => m.LifeCycleState !== 'deleted')
      .map((m) => {
        const fs = fileSystems.find((f) => f.FileSystemId === m.FileSystemId);
        return {
          value: m,
          id: m.MountTargetId ?? '',
          name: `${m.FileSystemId} in ${m.SubnetId}`,
          state: m.LifeCycleState ?? '',
          stackTag: stackTagOf(fs?.Tags),
        };
      }),
    endpoints: endpoints.map((e) => ({
      value: e,
      id: e.VpcEndpointId ?? '',
      name: e.ServiceName ?? '',
      state: e.State ?? '',
      stackTag: stackTagOf(e.Tags),
    })),
    launchTemplates: lts.map((t) => ({
      value: t,
      id: t.LaunchTemplateId ?? '',
      name: t.LaunchTemplateName ?? '',
      state: `version ${t.LatestVersionNumber ?? '?'}${rootVolumeNote(t === ourTemplate ? launchTemplateLatest : undefined)}`,
      stackTag: stackTagOf(t.Tags),
    })),
    launchTemplateLatest,
    computeEnvironments: ces
      .filter((c) => c.status !== 'DELETED')
      .map((c) => ({
        value: c,
        id: c.computeEnvironmentArn ?? '',
        name: c.computeEnvironmentName ?? '',
        state: `${c.status}/${c.state}`,
        stackTag: stackTagOf(c.tags),
      })),
    jobQueues: queues
      .filter((q) => q.status !== 'DELETED')
      .map((q) => ({
        value: q,
        id: q.jobQueueArn ?? '',
        name: q.jobQueueName ?? '',
        state: `${q.status}/${q.state}${timeLimitNote(q)}`,
        stackTag: stackTagOf(q.tags),
      })),
    attachedPolicies,
    executionRolePolicy,
    rendezvousKeys: key
      ? [
          {
            value: key.metadata,
            id: key.metadata.ARN ?? key.metadata.Name ?? '',
            name: key.metadata.Name ?? '',
            state: key.metadata.Type ?? '',
            stackTag: stackTagOf(key.tags),
          },
        ]
      : [],
    roles: foundRoles.map((r) => ({
      value: r,
      id: r.Arn ?? '',
      name: r.RoleName ?? '',
      state: 'available',
      stackTag: stackTagOf(r.Tags),
    })),
    instanceProfiles: profiles
      ? [
          {
            value: profiles,
            id: profiles.Arn ?? '',
            name: profiles.InstanceProfileName ?? '',
            state: `roles: ${(profiles.Roles ?? []).map((r) => r.RoleName).join(', ') || 'none'}`,
            stackTag: stackTagOf(profiles.Tags),
          },
        ]
      : [],
  };
}
