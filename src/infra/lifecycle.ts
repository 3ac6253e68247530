/**
 * Waiting for resources to become usable or gone, and deleting them the way each kind needs
 * (Batch: disable, wait, delete, wait). Shared by `infra up` (replacements) and `infra down`.
 */
import { awsErrorName } from '../aws/errors.js';
import { isState } from '../aws/states.js';
import { MnbatchError } from '../errors.js';
import type { ResourceKind } from './observe.js';
import { EXECUTION_ROLE_POLICY_NAME } from './requests.js';
import type { InfraServices } from './services.js';
import { minutes, type Probe, waitFor } from './wait.js';

/** Bounds of every wait (generous: EFS mount targets and compute environments take minutes). */
export const TIMEOUTS = {
  placementGroup: minutes(2),
  fileSystem: minutes(10),
  mountTarget: minutes(15),
  endpoint: minutes(5),
  computeEnvironment: minutes(20),
  jobQueue: minutes(10),
  securityGroupDelete: minutes(15),
} as const;

const notYet = (state: string): Probe<void> => ({ done: false, state });
const DONE: Probe<void> = { done: true, value: undefined };

/** Waits until the placement group is `available`. */
export async function waitPlacementGroupReady(s: InfraServices, name: string): Promise<void> {
  await waitFor(
    s.clock,
    `placement group ${name}`,
    async () => {
      const [g] = await s.ec2.describePlacementGroups({ Filters: [{ Name: 'group-name', Values: [name] }] });
      return isState(g?.State, 'available') ? DONE : notYet(g?.State ?? 'not found');
    },
    { timeoutMs: TIMEOUTS.placementGroup },
    s.signal,
  );
}

/** Waits until the EFS file system is `available`. */
export async function waitFileSystemReady(s: InfraServices, id: string): Promise<void> {
  await waitFor(
    s.clock,
    `EFS file system ${id}`,
    async () => {
      const [f] = await s.efs.describeFileSystems({ FileSystemId: id });
      if (f?.LifeCycleState === 'error')
        throw new MnbatchError('INFRA_EFS_FAILED', `EFS file system ${id} failed`);
      return f?.LifeCycleState === 'available' ? DONE : notYet(f?.LifeCycleState ?? 'not found');
    },
    { timeoutMs: TIMEOUTS.fileSystem },
    s.signal,
  );
}

/** Waits until the mount target is `available` (this often takes a few minutes). */
export async function waitMountTargetReady(
  s: InfraServices,
  fileSystemId: string,
  id: string,
): Promise<void> {
  await waitFor(
    s.clock,
    `EFS mount target ${id}`,
    async () => {
      const m = (await s.efs.describeMountTargets(fileSystemId)).find((t) => t.MountTargetId === id);
      if (m?.LifeCycleState === 'error')
        throw new MnbatchError('INFRA_EFS_FAILED', `EFS mount target ${id} failed`, { origin: 'aws' });
      return m?.LifeCycleState === 'available' ? DONE : notYet(m?.LifeCycleState ?? 'not found');
    },
    { timeoutMs: TIMEOUTS.mountTarget },
    s.signal,
  );
}

/** Waits until the VPC endpoint is available (sent as `available`, whatever the SDK enum spells). */
export async function waitEndpointReady(s: InfraServices, id: string): Promise<void> {
  await waitFor(
    s.clock,
    `S3 endpoint ${id}`,
    async () => {
      const [e] = await s.ec2.describeVpcEndpoints({ VpcEndpointIds: [id] });
      if (isState(e?.State, 'failed') || isState(e?.State, 'rejected'))
        throw new MnbatchError('INFRA_ENDPOINT_FAILED', `S3 endpoint ${id} is ${e?.State}`, {
          origin: 'aws',
        });
      return isState(e?.State, 'available') ? DONE : notYet(e?.State ?? 'not found');
    },
    { timeoutMs: TIMEOUTS.endpoint },
    s.signal,
  );
}

type BatchTarget = 'enabled' | 'disabled' | 'gone';

function batchProbe(
  what: string,
  target: BatchTarget,
  item:
    | { status?: string | undefined; state?: string | undefined; statusReason?: string | undefined }
    | undefined,
): Probe<void> {
  if (!item || item.status === 'DELETED') return target === 'gone' ? DONE : notYet('not found');
  // INVALID stops only a wait for a usable resource: a DISABLED one can be deleted even so
  // (DeleteComputeEnvironment / DeleteJobQueue need DISABLED, not VALID), which `down` relies on.
  if (item.status === 'INVALID' && target === 'enabled')
    throw new MnbatchError(
      'INFRA_BATCH_INVALID',
      `${what} is INVALID: ${item.statusReason ?? 'no reason given'}`,
      {
        origin: 'aws',
        details: [
          'fix the cause (often the instance role, subnet or launch template), then run `mnbatch infra up --yes`: it recreates what is INVALID',
        ],
      },
    );
  const state = `${item.status}/${item.state}`;
  if (target === 'enabled' && item.status === 'VALID' && item.state === 'ENABLED') return DONE;
  if (
    target === 'disabled' &&
    item.status !== 'UPDATING' &&
    item.status !== 'CREATING' &&
    item.state === 'DISABLED'
  )
    return DONE;
  return notYet(state);
}

/** Waits until the compute environment is VALID and ENABLED (INVALID is an error with its reason), DISABLED, or gone. */
export async function waitComputeEnvironment(
  s: InfraServices,
  name: string,
  target: BatchTarget,
): Promise<void> {
  const what = `compute environment ${name}`;
  await waitFor(
    s.clock,
    target === 'gone'
      ? `${what} to be deleted`
      : `${what} to be ${target === 'enabled' ? 'VALID and ENABLED' : 'DISABLED'}`,
    async () => batchProbe(what, target, (await s.batch.describeComputeEnvironments([name]))[0]),
    { timeoutMs: TIMEOUTS.computeEnvironment },
    s.signal,
  );
}

/** Waits until the job queue is VALID and ENABLED (INVALID is an error with its reason), DISABLED, or gone. */
export async function waitJobQueue(s: InfraServices, name: string, target: BatchTarget): Promise<void> {
  const what = `job queue ${name}`;
  await waitFor(
    s.clock,
    target === 'gone'
      ? `${what} to be deleted`
      : `${what} to be ${target === 'enabled' ? 'VALID and ENABLED' : 'DISABLED'}`,
    async () => batchProbe(what, target, (await s.batch.describeJobQueues([name]))[0]),
    { timeoutMs: TIMEOUTS.jobQueue },
    s.signal,
  );
}

/** A resource to delete. */
export interface DeleteTarget {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly id: string;
  /** For a mount target: its file system. */
  readonly fileSystemId?: string | undefined;
}

/** Deletes one resource and waits until it is gone where later deletions depend on that. */
export async function deleteResource(s: InfraServices, t: DeleteTarget): Promise<void> {
  switch (t.kind) {
    case 'job-queue': {
      const [q] = await s.batch.describeJobQueues([t.name]);
      if (!q || q.status === 'DELETED') return;
      if (q.status !== 'DELETING') {
        if (q.state !== 'DISABLED') await s.batch.updateJobQueue({ jobQueue: t.name, state: 'DISABLED' });
        await waitJobQueue(s, t.name, 'disabled');
        await s.batch.deleteJobQueue(t.name);
      }
      await waitJobQueue(s, t.name, 'gone');
      return;
    }
    case 'compute-environment': {
      const [c] = await s.batch.describeComputeEnvironments([t.name]);
      if (!c || c.status === 'DELETED') return;
      if (c.status !== 'DELETING') {
        if (c.state !== 'DISABLED')
          await s.batch.updateComputeEnvironment({ computeEnvironment: t.name, state: 'DISABLED' });
        await waitComputeEnvironment(s, t.name, 'disabled');
        await s.batch.deleteComputeEnvironment(t.name);
      }
      await waitComputeEnvironment(s, t.name, 'gone');
      return;
    }
    case 'launch-template':
      await s.ec2.deleteLaunchTemplate({ LaunchTemplateId: t.id });
      return;
    case 's3-endpoint': {
      const failed = await s.ec2.deleteVpcEndpoints({ VpcEndpointIds: [t.id] });
      if (failed.length > 0)
        throw new MnbatchError('INFRA_DELETE_FAILED', `${failed[0]?.Error?.Message ?? 'could not delete'}`);
      return;
    }
    case 'mount-target': {
      await s.efs.deleteMountTarget(t.id);
      const fsId = t.fileSystemId ?? '';
      await waitFor(
        s.clock,
        `EFS mount target ${t.id} to be deleted`,
        async () => {
          const m = (await s.efs.describeMountTargets(fsId)).find((x) => x.MountTargetId === t.id);
          return !m || m.LifeCycleState === 'deleted' ? DONE : notYet(m.LifeCycleState ?? '?');
        },
        { timeoutMs: TIMEOUTS.mountTarget },
        s.signal,
      );
      return;
    }
    case 'file-system':
      await s.efs.deleteFileSystem(t.id);
      return;
    case 'security-group':
      // Network interfaces of terminated instances and mount targets linger for a while.
      await waitFor(
        s.clock,
        `security group ${t.id} to be free of network interfaces`,
        async () => {
          try {
            await s.ec2.deleteSecurityGroup({ GroupId: t.id });
            return DONE;
          } catch (e) {
            if (awsErrorName(e) === 'DependencyViolation') return notYet('in use');
            throw e;
          }
        },
        { timeoutMs: TIMEOUTS.securityGroupDelete },
        s.signal,
      );
      return;
    case 'placement-group':
      await s.ec2.deletePlacementGroup({ GroupName: t.name });
      return;
    case 'instance-profile': {
      const p = await s.iam.getInstanceProfile(t.name);
      for (const r of p?.Roles ?? [])
        if (r.RoleName) await s.iam.removeRoleFromInstanceProfile(t.name, r.RoleName);
      await s.iam.deleteInstanceProfile(t.name);
      return;
    }
    case 'rendezvous-key':
      await s.ssm.deleteParameter(t.name);
      return;
    case 'execution-role':
      // DeleteRole refuses a role that still has inline policies.
      await s.iam.deleteRolePolicy(t.name, EXECUTION_ROLE_POLICY_NAME);
      for (const arn of await s.iam.listAttachedRolePolicies(t.name))
        await s.iam.detachRolePolicy(t.name, arn);
      await s.iam.deleteRole(t.name);
      return;
    case 'instance-role':
    case 'job-role':
      for (const arn of await s.iam.listAttachedRolePolicies(t.name))
        await s.iam.detachRolePolicy(t.name, arn);
      await s.iam.deleteRole(t.name);
      return;
  }
}
