/**
 * Picks, from what was observed, the resource of each kind that the stack's names point at, and
 * the ones that carry those names but belong to someone else (never adopted). Pure.
 */
import type { InfraConfig } from './config.js';
import { stackNames } from './names.js';
import type { Found, Observed } from './observe.js';

/** The stack's own resource of each kind (undefined when absent), and the conflicts. */
export function selectStack(config: InfraConfig, observed: Observed) {
  const stack = config.stack;
  const names = stackNames(stack);
  const conflicts: string[] = [];
  const pick = <T>(what: string, list: readonly Found<T>[], match: (f: Found<T>) => boolean) => {
    const f = list.find(match);
    if (!f) return undefined;
    if (f.stackTag !== stack) {
      const owner =
        f.stackTag === undefined ? 'it has no mnbatch:stack tag' : `it belongs to stack ${f.stackTag}`;
      conflicts.push(
        `${what} ${f.name} (${f.id}) already exists and is not part of stack ${stack}: ${owner}; delete or rename it, or choose another stack name`,
      );
      return undefined;
    }
    return f;
  };
  const fileSystem = pick(
    'EFS file system',
    observed.fileSystems,
    (f) => f.value.CreationToken === names.efsCreationToken || (f.stackTag === stack && f.id !== config.efs),
  );
  return {
    names,
    conflicts,
    placementGroup: pick('placement group', observed.placementGroups, (f) => f.name === names.placementGroup),
    securityGroup: pick(
      'security group',
      observed.securityGroups,
      (f) => f.name === names.securityGroup && (f.value.VpcId === config.vpcId || f.stackTag === stack),
    ),
    fileSystem,
    mountTarget: fileSystem
      ? (observed.mountTargets.find(
          (m) => m.value.FileSystemId === fileSystem.id && m.value.SubnetId === config.subnetId,
        ) ?? observed.mountTargets.find((m) => m.value.FileSystemId === fileSystem.id))
      : undefined,
    endpoint: observed.endpoints.find((e) => e.stackTag === stack),
    launchTemplate: pick('launch template', observed.launchTemplates, (f) => f.name === names.launchTemplate),
    computeEnvironment: pick(
      'compute environment',
      observed.computeEnvironments,
      (f) => f.name === names.computeEnvironment,
    ),
    jobQueue: pick('job queue', observed.jobQueues, (f) => f.name === names.jobQueue),
    instanceRole: config.roles.create
      ? pick('IAM role', observed.roles, (f) => f.name === names.instanceRole)
      : observed.roles.find((f) => f.name === names.instanceRole && f.stackTag === stack),
    jobRole: config.roles.create
      ? pick('IAM role', observed.roles, (f) => f.name === names.jobRole)
      : observed.roles.find((f) => f.name === names.jobRole && f.stackTag === stack),
    executionRole: config.roles.create
      ? pick('IAM role', observed.roles, (f) => f.name === names.executionRole)
      : observed.roles.find((f) => f.name === names.executionRole && f.stackTag === stack),
    rendezvousKey: pick('SSM parameter', observed.rendezvousKeys, (f) => f.name === names.rendezvousKey),
    instanceProfile: config.roles.create
      ? pick('instance profile', observed.instanceProfiles, (f) => f.name === names.instanceProfile)
      : observed.instanceProfiles.find((f) => f.name === names.instanceProfile && f.stackTag === stack),
  };
}

/** The stack's resources as `selectStack` sees them. */
export type StackSelection = ReturnType<typeof selectStack>;
