/**
 * Batch (compute environments, job queues) and IAM calls of the fake (see fake-infra.md).
 */
import * as batch from '@aws-sdk/client-batch';
import * as iam from '@aws-sdk/client-iam';
import { ACCOUNT, awsError, type InfraState, type Pending, REGION } from './state.js';

// biome-ignore lint/suspicious/noExplicitAny: command classes of any input type
type Handler = [new (input: any) => unknown, (input: any) => unknown];

/** Moves a Batch resource one describe further; true when it is gone. */
function advance<T extends object>(
  items: Map<string, T>,
  pending: Map<string, Pending<Partial<T> | undefined>>,
  name: string,
): void {
  const p = pending.get(name);
  const item = items.get(name);
  if (!p || !item) return;
  if (p.polls > 0) {
    p.polls -= 1;
    return;
  }
  pending.delete(name);
  if (p.next === undefined) items.delete(name);
  else Object.assign(item, p.next);
}

const clientError = (message: string) => awsError('ClientException', message);

/** Handlers for the Batch commands of `src/aws/batch-infra.ts`. */
export function batchHandlers(s: InfraState): Handler[] {
  const ceName = (ref: string) => ref.split('/').at(-1) ?? ref;
  return [
    [
      batch.DescribeComputeEnvironmentsCommand,
      (i: batch.DescribeComputeEnvironmentsCommandInput) => {
        const names = (i.computeEnvironments ?? []).map(ceName);
        for (const n of names) advance(s.computeEnvironments, s.computeEnvironmentPending, n);
        return { computeEnvironments: names.flatMap((n) => s.computeEnvironments.get(n) ?? []) };
      },
    ],
    [
      batch.CreateComputeEnvironmentCommand,
      (i: batch.CreateComputeEnvironmentCommandInput) => {
        const name = i.computeEnvironmentName ?? '';
        if (s.computeEnvironments.has(name)) throw clientError('Object already exists');
        s.mutate('CreateComputeEnvironment', name);
        const arn = `arn:aws:batch:${REGION}:${ACCOUNT}:compute-environment/${name}`;
        s.computeEnvironments.set(name, {
          computeEnvironmentName: name,
          computeEnvironmentArn: arn,
          type: i.type,
          state: i.state ?? 'ENABLED',
          status: 'CREATING',
          computeResources: i.computeResources,
          tags: i.tags,
          ecsClusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`,
        });
        s.computeEnvironmentPending.set(name, {
          polls: s.computeEnvironmentCreatingPolls,
          next: computeEnvironmentOutcome(s),
        });
        return { computeEnvironmentName: name, computeEnvironmentArn: arn };
      },
    ],
    [
      batch.UpdateComputeEnvironmentCommand,
      (i: batch.UpdateComputeEnvironmentCommandInput) => {
        const name = ceName(i.computeEnvironment ?? '');
        const ce = s.computeEnvironments.get(name);
        if (!ce) throw clientError('compute environment not found');
        s.mutate('UpdateComputeEnvironment', `${name}${i.state ? ` ${i.state}` : ''}`);
        if (i.state) ce.state = i.state;
        if (i.computeResources)
          ce.computeResources = { ...ce.computeResources, ...i.computeResources } as batch.ComputeResource;
        ce.status = 'UPDATING';
        // An update (even to DISABLED) leaves a compute environment INVALID while the cause remains.
        s.computeEnvironmentPending.set(name, { polls: 1, next: computeEnvironmentOutcome(s) });
        return { computeEnvironmentName: name, computeEnvironmentArn: ce.computeEnvironmentArn };
      },
    ],
    [
      batch.DeleteComputeEnvironmentCommand,
      (i: batch.DeleteComputeEnvironmentCommandInput) => {
        const name = ceName(i.computeEnvironment ?? '');
        const ce = s.computeEnvironments.get(name);
        if (!ce) throw clientError('compute environment not found');
        if (ce.state !== 'DISABLED') throw clientError('Cannot delete, compute environment is ENABLED');
        const used = [...s.jobQueues.values()].some((q) =>
          q.computeEnvironmentOrder?.some((o) => o.computeEnvironment === ce.computeEnvironmentArn),
        );
        if (used) throw clientError('Cannot delete, found existing JobQueue relationship');
        s.mutate('DeleteComputeEnvironment', name);
        ce.status = 'DELETING';
        s.computeEnvironmentPending.set(name, { polls: 1, next: undefined });
        return {};
      },
    ],
    [
      batch.DescribeJobQueuesCommand,
      (i: batch.DescribeJobQueuesCommandInput) => {
        const names = (i.jobQueues ?? []).map(ceName);
        for (const n of names) advance(s.jobQueues, s.jobQueuePending, n);
        return { jobQueues: names.flatMap((n) => s.jobQueues.get(n) ?? []) };
      },
    ],
    [
      batch.CreateJobQueueCommand,
      (i: batch.CreateJobQueueCommandInput) => {
        const name = i.jobQueueName ?? '';
        if (s.jobQueues.has(name)) throw clientError('Object already exists');
        for (const o of i.computeEnvironmentOrder ?? []) {
          const ce = s.computeEnvironments.get(ceName(o.computeEnvironment ?? ''));
          if (ce?.status !== 'VALID')
            throw clientError(`compute environment ${o.computeEnvironment} is not VALID`);
        }
        s.mutate('CreateJobQueue', name);
        const arn = `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/${name}`;
        s.jobQueues.set(name, {
          jobQueueName: name,
          jobQueueArn: arn,
          state: i.state ?? 'ENABLED',
          status: 'CREATING',
          priority: i.priority,
          computeEnvironmentOrder: i.computeEnvironmentOrder,
          tags: i.tags,
        });
        s.jobQueuePending.set(name, { polls: 1, next: { status: 'VALID' } });
        return { jobQueueName: name, jobQueueArn: arn };
      },
    ],
    [
      batch.UpdateJobQueueCommand,
      (i: batch.UpdateJobQueueCommandInput) => {
        const name = ceName(i.jobQueue ?? '');
        const q = s.jobQueues.get(name);
        if (!q) throw clientError('job queue not found');
        s.mutate('UpdateJobQueue', `${name}${i.state ? ` ${i.state}` : ''}`);
        if (i.state) q.state = i.state;
        if (i.computeEnvironmentOrder) q.computeEnvironmentOrder = i.computeEnvironmentOrder;
        q.status = 'UPDATING';
        s.jobQueuePending.set(name, { polls: 1, next: { status: 'VALID' } });
        return { jobQueueName: name, jobQueueArn: q.jobQueueArn };
      },
    ],
    [
      batch.DeleteJobQueueCommand,
      (i: batch.DeleteJobQueueCommandInput) => {
        const name = ceName(i.jobQueue ?? '');
        const q = s.jobQueues.get(name);
        if (!q) throw clientError('job queue not found');
        if (q.state !== 'DISABLED') throw clientError('Cannot delete, job queue is ENABLED');
        s.mutate('DeleteJobQueue', name);
        q.status = 'DELETING';
        s.jobQueuePending.set(name, { polls: 1, next: undefined });
        return {};
      },
    ],
    [
      batch.TagResourceCommand,
      (i: batch.TagResourceCommandInput) => {
        const q = [...s.jobQueues.values()].find((x) => x.jobQueueArn === i.resourceArn);
        if (!q) throw clientError(`resource ${i.resourceArn} not found`);
        s.mutate('TagResource', `${q.jobQueueName} ${Object.keys(i.tags ?? {}).join(',')}`);
        q.tags = { ...q.tags, ...i.tags };
        return {};
      },
    ],
  ];
}

/** Handlers for the IAM commands of `src/aws/iam.ts`. */
export function iamHandlers(s: InfraState): Handler[] {
  const noSuch = () => awsError('NoSuchEntityException');
  return [
    [
      iam.GetRolePolicyCommand,
      (i: iam.GetRolePolicyCommandInput) => {
        const doc = s.rolePolicies.get(i.RoleName ?? '')?.get(i.PolicyName ?? '');
        if (doc === undefined) throw noSuch();
        // IAM sends the document URL-encoded.
        return { RoleName: i.RoleName, PolicyName: i.PolicyName, PolicyDocument: encodeURIComponent(doc) };
      },
    ],
    [
      iam.PutRolePolicyCommand,
      (i: iam.PutRolePolicyCommandInput) => {
        if (!s.roles.has(i.RoleName ?? '')) throw noSuch();
        s.mutate('PutRolePolicy', i.RoleName ?? '');
        const policies = s.rolePolicies.get(i.RoleName ?? '') ?? new Map<string, string>();
        policies.set(i.PolicyName ?? '', i.PolicyDocument ?? '');
        s.rolePolicies.set(i.RoleName ?? '', policies);
        return {};
      },
    ],
    [
      iam.DeleteRolePolicyCommand,
      (i: iam.DeleteRolePolicyCommandInput) => {
        if (!s.rolePolicies.get(i.RoleName ?? '')?.has(i.PolicyName ?? '')) throw noSuch();
        s.mutate('DeleteRolePolicy', i.RoleName ?? '');
        s.rolePolicies.get(i.RoleName ?? '')?.delete(i.PolicyName ?? '');
        return {};
      },
    ],
    [
      iam.GetRoleCommand,
      (i: iam.GetRoleCommandInput) => {
        s.read('GetRole');
        const r = s.roles.get(i.RoleName ?? '');
        if (!r) throw noSuch();
        return { Role: r };
      },
    ],
    [
      iam.CreateRoleCommand,
      (i: iam.CreateRoleCommandInput) => {
        if (s.roles.has(i.RoleName ?? '')) throw awsError('EntityAlreadyExistsException');
        s.mutate('CreateRole', i.RoleName ?? '');
        const role = {
          RoleName: i.RoleName,
          RoleId: s.id('AROA'),
          Arn: `arn:aws:iam::${ACCOUNT}:role/${i.RoleName}`,
          Path: '/',
          CreateDate: new Date(0),
          AssumeRolePolicyDocument: i.AssumeRolePolicyDocument,
          Tags: i.Tags,
        };
        s.roles.set(i.RoleName ?? '', role as iam.Role);
        return { Role: role };
      },
    ],
    [
      iam.DeleteRoleCommand,
      (i: iam.DeleteRoleCommandInput) => {
        if ((s.attachedPolicies.get(i.RoleName ?? '') ?? []).length > 0)
          throw awsError('DeleteConflictException');
        if ((s.rolePolicies.get(i.RoleName ?? '')?.size ?? 0) > 0) throw awsError('DeleteConflictException');
        s.mutate('DeleteRole', i.RoleName ?? '');
        s.roles.delete(i.RoleName ?? '');
        return {};
      },
    ],
    [
      iam.AttachRolePolicyCommand,
      (i: iam.AttachRolePolicyCommandInput) => {
        // IAM refuses a customer managed policy that does not exist (AWS's own always do).
        const arn = i.PolicyArn ?? '';
        if (!arn.startsWith('arn:aws:iam::aws:policy/') && !s.managedPolicies.has(arn)) throw noSuch();
        if (!s.roles.has(i.RoleName ?? '')) throw noSuch();
        s.mutate('AttachRolePolicy', i.RoleName ?? '');
        s.attachedPolicies.set(i.RoleName ?? '', [
          ...(s.attachedPolicies.get(i.RoleName ?? '') ?? []),
          i.PolicyArn ?? '',
        ]);
        return {};
      },
    ],
    [
      iam.GetPolicyCommand,
      (i: iam.GetPolicyCommandInput) => {
        s.read('GetPolicy');
        if (!s.managedPolicies.has(i.PolicyArn ?? '')) throw noSuch();
        return {
          Policy: { Arn: i.PolicyArn, PolicyName: i.PolicyArn?.split('/').at(-1), DefaultVersionId: 'v1' },
        };
      },
    ],
    [
      iam.GetPolicyVersionCommand,
      (i: iam.GetPolicyVersionCommandInput) => {
        const doc = s.managedPolicies.get(i.PolicyArn ?? '');
        if (doc === undefined || i.VersionId !== 'v1') throw noSuch();
        // URL-encoded, like GetRolePolicy.
        return {
          PolicyVersion: { Document: encodeURIComponent(doc), VersionId: 'v1', IsDefaultVersion: true },
        };
      },
    ],
    [
      iam.DetachRolePolicyCommand,
      (i: iam.DetachRolePolicyCommandInput) => {
        s.mutate('DetachRolePolicy', i.RoleName ?? '');
        s.attachedPolicies.set(
          i.RoleName ?? '',
          (s.attachedPolicies.get(i.RoleName ?? '') ?? []).filter((p) => p !== i.PolicyArn),
        );
        return {};
      },
    ],
    [
      iam.ListAttachedRolePoliciesCommand,
      (i: iam.ListAttachedRolePoliciesCommandInput) => ({
        AttachedPolicies: (s.attachedPolicies.get(i.RoleName ?? '') ?? []).map((PolicyArn) => ({
          PolicyArn,
          PolicyName: PolicyArn.split('/').at(-1),
        })),
        IsTruncated: false,
      }),
    ],
    [
      iam.GetInstanceProfileCommand,
      (i: iam.GetInstanceProfileCommandInput) => {
        s.read('GetInstanceProfile');
        const p = s.instanceProfiles.get(i.InstanceProfileName ?? '');
        if (!p) throw noSuch();
        return { InstanceProfile: p };
      },
    ],
    [
      iam.CreateInstanceProfileCommand,
      (i: iam.CreateInstanceProfileCommandInput) => {
        s.mutate('CreateInstanceProfile', i.InstanceProfileName ?? '');
        const p = {
          InstanceProfileName: i.InstanceProfileName,
          InstanceProfileId: s.id('AIPA'),
          Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${i.InstanceProfileName}`,
          Path: '/',
          CreateDate: new Date(0),
          Roles: [],
          Tags: i.Tags,
        };
        s.instanceProfiles.set(i.InstanceProfileName ?? '', p as iam.InstanceProfile);
        return { InstanceProfile: p };
      },
    ],
    [
      iam.AddRoleToInstanceProfileCommand,
      (i: iam.AddRoleToInstanceProfileCommandInput) => {
        const p = s.instanceProfiles.get(i.InstanceProfileName ?? '');
        const r = s.roles.get(i.RoleName ?? '');
        if (!p || !r) throw noSuch();
        s.mutate('AddRoleToInstanceProfile', i.InstanceProfileName ?? '');
        p.Roles = [...(p.Roles ?? []), r];
        return {};
      },
    ],
    [
      iam.RemoveRoleFromInstanceProfileCommand,
      (i: iam.RemoveRoleFromInstanceProfileCommandInput) => {
        const p = s.instanceProfiles.get(i.InstanceProfileName ?? '');
        if (!p) throw noSuch();
        s.mutate('RemoveRoleFromInstanceProfile', i.InstanceProfileName ?? '');
        p.Roles = (p.Roles ?? []).filter((r) => r.RoleName !== i.RoleName);
        return {};
      },
    ],
    [
      iam.DeleteInstanceProfileCommand,
      (i: iam.DeleteInstanceProfileCommandInput) => {
        s.mutate('DeleteInstanceProfile', i.InstanceProfileName ?? '');
        s.instanceProfiles.delete(i.InstanceProfileName ?? '');
        return {};
      },
    ],
  ];
}

/** Where a created or updated compute environment ends: VALID, or INVALID while the state says so. */
function computeEnvironmentOutcome(s: InfraState) {
  return s.computeEnvironmentInvalidReason
    ? { status: 'INVALID' as const, statusReason: s.computeEnvironmentInvalidReason }
    : { status: 'VALID' as const, statusReason: 'ComputeEnvironment Healthy' };
}
