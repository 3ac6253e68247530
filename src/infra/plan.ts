/**
 * The planner (pure): desired stack (infra.yaml) + what exists → ordered actions, each with a
 * reason. Nothing here talks to AWS; `execute.ts` carries the actions out.
 */
import { EFA_INTERFACES_TAG } from '../contract/stack.js';
import {
  ceDifferences,
  ceReplaceReason,
  missingIngressRules,
  sameLaunchTemplateData,
  tagDifference,
  timeLimitDifference,
} from './compare.js';
import type { InfraConfig } from './config.js';
import { type StackSelection, selectStack } from './desired.js';
import type { ExecutionPolicyState } from './execution-policy.js';
import { type Observed, RESOURCE_KINDS, type ResourceKind } from './observe.js';
import {
  computeEnvironmentRequest,
  EXECUTION_ROLE_POLICY_NAME,
  INSTANCE_ROLE_POLICY,
  jobQueueTags,
  launchTemplateData,
  selfIngressRules,
  timeLimitActions,
} from './requests.js';

/** What happens to one resource. */
export type ActionOp = 'create' | 'update' | 'replace' | 'delete' | 'nothing';

/** One step of the plan. */
export interface PlannedAction {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly op: ActionOp;
  readonly reason: string;
  /** Id/ARN of the existing resource (update, replace, delete, nothing). */
  readonly id?: string | undefined;
}

/** The plan of `infra up`. */
export interface Plan {
  readonly actions: readonly PlannedAction[];
  /** Resources with the stack's names that belong to someone else: `up` refuses to run. */
  readonly conflicts: readonly string[];
}

/** Facts about the account the plan depends on (looked up before planning). */
export interface PlanEnvironment {
  /** Route table of the subnet (for the S3 endpoint). */
  readonly routeTableId: string | undefined;
  /** Availability zone id of the subnet (existing EFS needs a mount target there). */
  readonly availabilityZoneId: string | undefined;
  /** Root device of the AMI (for rootVolumeGiB); the ECS AMI's when not known. */
  readonly rootDeviceName?: string | undefined;
  /** The managed policy the execution role gets (`roles.create: true` only). */
  readonly executionPolicy?: ExecutionPolicyState | undefined;
  /** EFA interfaces per instance (stackEfaInterfaces, from the instance types' facts; 0 without EFA). */
  readonly efaInterfaces: number;
}

/**
 * Why the existing execution role needs `infra up`, or undefined: the stack's managed policy is
 * not attached, or the inline policy mnbatch 0.1 wrote is still there (removed: only the
 * administrator's policy may say what the role can do).
 */
function executionRoleFix(
  observed: Observed,
  role: string,
  policy: ExecutionPolicyState | undefined,
): string | undefined {
  const reasons = [
    ...(policy && !(observed.attachedPolicies.get(role) ?? []).includes(policy.arn)
      ? [
          `managed policy ${policy.arn.split('/').at(-1)} not attached (ECS could not read the rendezvous key)`,
        ]
      : []),
    ...(observed.executionRolePolicy !== undefined
      ? [`inline policy ${EXECUTION_ROLE_POLICY_NAME} of an earlier mnbatch to remove`]
      : []),
  ];
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** A placeholder id for a resource the plan creates; it differs from any real id. */
const NEW = (what: string) => `(new ${what})`;

/** Whether a plan changes anything. */
export function planChanges(plan: Plan): boolean {
  return plan.actions.some((a) => a.op !== 'nothing');
}

/** Whether a plan deletes something that exists (replace or delete): needs confirmation. */
export function planDestroys(plan: Plan): boolean {
  return plan.actions.some((a) => a.op === 'replace' || a.op === 'delete');
}

/** Plans `infra up` for `config` given what exists. */
export function planStack(config: InfraConfig, observed: Observed, env: PlanEnvironment): Plan {
  const sel = selectStack(config, observed);
  const conflicts = [...sel.conflicts];
  const actions: PlannedAction[] = [];
  const ops = new Map<ResourceKind, ActionOp>();
  const add = (a: PlannedAction) => {
    actions.push(a);
    ops.set(a.kind, a.op);
  };
  const fresh = (kind: ResourceKind) => ops.get(kind) === 'create' || ops.get(kind) === 'replace';

  // The nodes' rendezvous key: every stack has one; only ECS reads its value, for the job.
  const key = sel.rendezvousKey;
  if (!key) add({ kind: 'rendezvous-key', name: sel.names.rendezvousKey, op: 'create', reason: 'not found' });
  else if (key.value.Type !== 'SecureString')
    add({
      kind: 'rendezvous-key',
      name: key.name,
      id: key.id,
      op: 'replace',
      reason: `type ${key.value.Type} → SecureString`,
    });
  else add(simple('rendezvous-key', key.name, key));

  // IAM roles, only when asked.
  if (config.roles.create) {
    const role = sel.instanceRole;
    const attached = role ? (observed.attachedPolicies.get(role.name) ?? []) : [];
    if (role && !attached.includes(INSTANCE_ROLE_POLICY))
      add({
        kind: 'instance-role',
        name: role.name,
        id: role.id,
        op: 'update',
        reason: `managed policy ${INSTANCE_ROLE_POLICY.split('/').at(-1)} not attached (instances would not join ECS)`,
      });
    else add(simple('instance-role', sel.names.instanceRole, role));
    const profile = sel.instanceProfile;
    if (!profile)
      add({ kind: 'instance-profile', name: sel.names.instanceProfile, op: 'create', reason: 'not found' });
    else {
      const hasRole = (profile.value.Roles ?? []).some((r) => r.RoleName === sel.names.instanceRole);
      add({
        kind: 'instance-profile',
        name: sel.names.instanceProfile,
        id: profile.id,
        op: hasRole ? 'nothing' : 'update',
        reason: hasRole ? 'exists' : `instance role ${sel.names.instanceRole} not in the profile`,
      });
    }
    add(simple('job-role', sel.names.jobRole, sel.jobRole));
    const execution = sel.executionRole;
    const fix = execution && executionRoleFix(observed, execution.name, env.executionPolicy);
    if (execution && fix)
      add({ kind: 'execution-role', name: execution.name, id: execution.id, op: 'update', reason: fix });
    else add(simple('execution-role', sel.names.executionRole, execution));
  }

  // Placement group: the strategy cannot change in place.
  const pg = sel.placementGroup;
  if (!pg)
    add({ kind: 'placement-group', name: sel.names.placementGroup, op: 'create', reason: 'not found' });
  else if (pg.value.Strategy !== 'cluster')
    add({
      kind: 'placement-group',
      name: pg.name,
      id: pg.id,
      op: 'replace',
      reason: `strategy ${pg.value.Strategy} → cluster`,
    });
  else
    add({ kind: 'placement-group', name: pg.name, id: pg.id, op: 'nothing', reason: `exists (${pg.state})` });

  // Security group: the VPC cannot change in place; missing self rules are added.
  const sg = sel.securityGroup;
  if (!sg) add({ kind: 'security-group', name: sel.names.securityGroup, op: 'create', reason: 'not found' });
  else if (sg.value.VpcId !== config.vpcId)
    add({
      kind: 'security-group',
      name: sg.name,
      id: sg.id,
      op: 'replace',
      reason: `VPC ${sg.value.VpcId} → ${config.vpcId}`,
    });
  else {
    const missing = missingIngressRules(sg.value, selfIngressRules(config, sg.id));
    add({
      kind: 'security-group',
      name: sg.name,
      id: sg.id,
      op: missing.length > 0 ? 'update' : 'nothing',
      reason: missing.length > 0 ? `missing self rule(s): ${missing.map(ruleText).join(', ')}` : 'exists',
    });
  }
  const sgId = fresh('security-group') ? NEW('security group') : (sg?.id ?? NEW('security group'));

  // EFS: a file system of the stack, or an existing one (its mount target must exist already).
  let fileSystemId: string | undefined;
  if (config.efs === 'create') {
    const fs = sel.fileSystem;
    if (!fs) add({ kind: 'file-system', name: sel.names.efs, op: 'create', reason: 'not found' });
    else
      add({ kind: 'file-system', name: fs.name, id: fs.id, op: 'nothing', reason: `exists (${fs.state})` });
    fileSystemId = fs?.id ?? NEW('file system');
    const mt = sel.mountTarget;
    if (!mt || fresh('file-system'))
      add({ kind: 'mount-target', name: `in ${config.subnetId}`, op: 'create', reason: 'not found' });
    else if (fresh('security-group'))
      add({
        kind: 'mount-target',
        name: mt.name,
        id: mt.id,
        op: 'replace',
        reason: 'security group replaced',
      });
    else
      add({ kind: 'mount-target', name: mt.name, id: mt.id, op: 'nothing', reason: `exists (${mt.state})` });
  } else if (config.efs !== 'none') {
    fileSystemId = config.efs;
    const existing = observed.fileSystems.find((f) => f.id === config.efs);
    if (!existing)
      conflicts.push(`file system ${config.efs} (efs:) does not exist in this account and region`);
    else {
      const inZone = observed.mountTargets.find(
        (m) => m.value.FileSystemId === config.efs && m.value.AvailabilityZoneId === env.availabilityZoneId,
      );
      if (!inZone)
        conflicts.push(
          `file system ${config.efs} has no mount target in the subnet's zone ${env.availabilityZoneId}: create one, or use efs: create`,
        );
      else
        add({
          kind: 'mount-target',
          name: inZone.name,
          id: inZone.id,
          op: 'nothing',
          reason: `existing mount target of ${config.efs} (not managed by the stack; its security groups must allow NFS from ${sel.names.securityGroup})`,
        });
    }
  }

  // S3 gateway endpoint on the subnet's route table.
  if (config.s3Endpoint) {
    const ours = sel.endpoint;
    const other = observed.endpoints.find(
      (e) => e.stackTag !== config.stack && (e.value.RouteTableIds ?? []).includes(env.routeTableId ?? ''),
    );
    if (ours && (ours.value.RouteTableIds ?? []).includes(env.routeTableId ?? ''))
      add({
        kind: 's3-endpoint',
        name: ours.name,
        id: ours.id,
        op: 'nothing',
        reason: `exists (${ours.state})`,
      });
    else if (other)
      add({
        kind: 's3-endpoint',
        name: other.name,
        id: other.id,
        op: 'nothing',
        reason: `route table ${env.routeTableId} already has S3 endpoint ${other.id} (not managed by the stack)`,
      });
    else if (ours)
      add({
        kind: 's3-endpoint',
        name: ours.name,
        id: ours.id,
        op: 'replace',
        reason: `route table → ${env.routeTableId}`,
      });
    else add({ kind: 's3-endpoint', name: sel.names.s3Endpoint, op: 'create', reason: 'not found' });
  }

  // Launch template: a new version when its data changes.
  const lt = sel.launchTemplate;
  const wantData = launchTemplateData(
    config,
    { securityGroupId: sgId, fileSystemId, rootDeviceName: env.rootDeviceName },
    env.efaInterfaces,
  );
  let ltRef: { id: string; version: string };
  if (!lt) {
    add({ kind: 'launch-template', name: sel.names.launchTemplate, op: 'create', reason: 'not found' });
    ltRef = { id: NEW('launch template'), version: '1' };
  } else {
    const latest = lt.value.LatestVersionNumber ?? 1;
    const same = sameLaunchTemplateData(wantData, observed.launchTemplateLatest?.LaunchTemplateData);
    add({
      kind: 'launch-template',
      name: lt.name,
      id: lt.id,
      op: same ? 'nothing' : 'update',
      reason: same
        ? `exists (version ${latest})`
        : `new version ${latest + 1}: user data, network interfaces or root volume changed`,
    });
    ltRef = { id: lt.id, version: String(same ? latest : latest + 1) };
  }

  // Compute environment.
  const instanceProfile = config.roles.create
    ? fresh('instance-profile')
      ? NEW('instance profile')
      : (sel.instanceProfile?.id ?? NEW('instance profile'))
    : config.roles.instanceProfile;
  const wantCe = computeEnvironmentRequest(config, {
    securityGroupId: sgId,
    launchTemplateId: ltRef.id,
    launchTemplateVersion: ltRef.version,
    instanceProfile,
  });
  // A Batch resource still being deleted (an interrupted `down`) is created again once it is gone.
  const ceFound = sel.computeEnvironment;
  const ce = ceFound?.value.status === 'DELETING' ? undefined : ceFound;
  if (!ce)
    add({
      kind: 'compute-environment',
      name: sel.names.computeEnvironment,
      op: 'create',
      reason: ceFound ? 'being deleted: wait until it is gone, then create' : 'not found',
    });
  else {
    const replaceWhy = ceReplaceReason(ce.value, fresh('placement-group') || fresh('security-group'));
    const diffs = replaceWhy ? [] : ceDifferences(ce.value, wantCe);
    add({
      kind: 'compute-environment',
      name: ce.name,
      id: ce.id,
      op: replaceWhy ? 'replace' : diffs.length > 0 ? 'update' : 'nothing',
      reason: replaceWhy ?? (diffs.length > 0 ? diffs.join('; ') : `exists (${ce.state})`),
    });
  }
  const ceArn = fresh('compute-environment')
    ? NEW('compute environment')
    : (ce?.id ?? NEW('compute environment'));

  // Job queue: found by `submit` through its name.
  const qFound = sel.jobQueue;
  const q = qFound?.value.status === 'DELETING' ? undefined : qFound;
  if (!q)
    add({
      kind: 'job-queue',
      name: sel.names.jobQueue,
      op: 'create',
      reason: qFound ? 'being deleted: wait until it is gone, then create' : 'not found',
    });
  else if (fresh('compute-environment'))
    add({
      kind: 'job-queue',
      name: q.name,
      id: q.id,
      op: 'replace',
      reason: 'its compute environment is replaced',
    });
  else {
    const diffs: string[] = [];
    const order = (q.value.computeEnvironmentOrder ?? []).map((o) => o.computeEnvironment);
    if (order.length !== 1 || order[0] !== ceArn) diffs.push(`compute environments → ${ceArn}`);
    if (q.value.state !== 'ENABLED') diffs.push(`state ${q.value.state} → ENABLED`);
    const efaTag = tagDifference(q.value.tags, jobQueueTags(config, env.efaInterfaces), EFA_INTERFACES_TAG);
    if (efaTag) diffs.push(efaTag);
    const limit = timeLimitDifference(q.value.jobStateTimeLimitActions, timeLimitActions(config));
    if (limit) diffs.push(limit);
    add({
      kind: 'job-queue',
      name: q.name,
      id: q.id,
      op: diffs.length > 0 ? 'update' : 'nothing',
      reason: diffs.length > 0 ? diffs.join('; ') : `exists (${q.state})`,
    });
  }

  actions.push(...leftovers(config, sel));
  return { actions: ordered(actions), conflicts };
}

/** Owned resources the configuration no longer wants (EFS turned off, endpoint off, roles not created). */
function leftovers(config: InfraConfig, sel: StackSelection): PlannedAction[] {
  const out: PlannedAction[] = [];
  const gone = (kind: ResourceKind, f: { name: string; id: string } | undefined, why: string) => {
    if (f) out.push({ kind, name: f.name, id: f.id, op: 'delete', reason: why });
  };
  if (config.efs !== 'create') {
    gone('mount-target', sel.mountTarget, `efs: ${config.efs}`);
    gone('file-system', sel.fileSystem, `efs: ${config.efs}`);
  }
  if (!config.s3Endpoint) gone('s3-endpoint', sel.endpoint, 's3Endpoint: false');
  if (!config.roles.create) {
    gone('instance-profile', sel.instanceProfile, 'roles.create: false');
    gone('instance-role', sel.instanceRole, 'roles.create: false');
    gone('job-role', sel.jobRole, 'roles.create: false');
    gone('execution-role', sel.executionRole, 'roles.create: false');
  }
  return out;
}

function ordered(actions: PlannedAction[]): PlannedAction[] {
  return [...actions].sort((a, b) => RESOURCE_KINDS.indexOf(a.kind) - RESOURCE_KINDS.indexOf(b.kind));
}

function simple(
  kind: ResourceKind,
  name: string,
  found: { id: string; name: string } | undefined,
): PlannedAction {
  return found
    ? { kind, name: found.name, id: found.id, op: 'nothing', reason: 'exists' }
    : { kind, name, op: 'create', reason: 'not found' };
}

function ruleText(r: { IpProtocol?: string | undefined; FromPort?: number | undefined }): string {
  return r.IpProtocol === '-1' ? 'all traffic' : `${r.IpProtocol} ${r.FromPort}`;
}
