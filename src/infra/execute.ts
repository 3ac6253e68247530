/**
 * Carries out an `infra up` plan: first deletes what is replaced or no longer wanted (reverse
 * order), then creates and updates in dependency order, waiting until each resource is usable.
 * Ids of earlier resources flow into later requests.
 */

import { randomBytes } from 'node:crypto';
import { EFA_INTERFACES_TAG } from '../contract/stack.js';
import { missingIngressRules } from './compare.js';
import type { InfraConfig } from './config.js';
import { selectStack } from './desired.js';
import {
  deleteResource,
  waitComputeEnvironment,
  waitEndpointReady,
  waitFileSystemReady,
  waitJobQueue,
  waitMountTargetReady,
  waitPlacementGroupReady,
} from './lifecycle.js';
import { tagList } from './names.js';
import type { Observed } from './observe.js';
import type { Plan, PlannedAction } from './plan.js';
import {
  computeEnvironmentRequest,
  EXECUTION_ROLE_POLICY_NAME,
  executionRoleRequest,
  fileSystemRequest,
  INSTANCE_ROLE_POLICY,
  ingressRequest,
  instanceRoleRequest,
  jobQueueRequest,
  jobQueueTags,
  jobRoleRequest,
  launchTemplateData,
  launchTemplateRequest,
  mountTargetRequest,
  placementGroupRequest,
  s3EndpointRequest,
  securityGroupRequest,
  selfIngressRules,
  timeLimitActions,
} from './requests.js';
import type { InfraServices } from './services.js';

/** Ids as they become known while the plan runs. */
interface Refs {
  securityGroupId?: string;
  fileSystemId?: string;
  launchTemplateId?: string;
  launchTemplateVersion?: string;
  instanceProfile?: string;
  computeEnvironmentArn?: string;
}

/** What the executor needs besides the plan. */
export interface ExecuteContext {
  readonly config: InfraConfig;
  readonly observed: Observed;
  readonly routeTableId: string | undefined;
  /** The stack's execution policy (`roles.create: true`), attached to the execution role. */
  readonly executionPolicyArn?: string | undefined;
  /** Root device of the AMI (for rootVolumeGiB). */
  readonly rootDeviceName?: string | undefined;
  /** EFA interfaces per instance (PlanEnvironment.efaInterfaces). */
  readonly efaInterfaces: number;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/** Applies `plan`; returns the job queue's name. */
export async function executePlan(s: InfraServices, plan: Plan, ctx: ExecuteContext): Promise<void> {
  const { config, observed, log } = ctx;
  const sel = selectStack(config, observed);

  for (const a of [...plan.actions].reverse()) {
    if (a.op !== 'replace' && a.op !== 'delete') continue;
    log(`deleting ${label(a)} (${a.reason})`);
    const fileSystemId = a.kind === 'mount-target' ? (sel.fileSystem?.id ?? config.efs) : undefined;
    await deleteResource(s, { kind: a.kind, name: a.name, id: a.id ?? '', fileSystemId });
  }

  const refs: Refs = {
    securityGroupId: sel.securityGroup?.id,
    fileSystemId:
      config.efs === 'create' ? sel.fileSystem?.id : config.efs === 'none' ? undefined : config.efs,
    launchTemplateId: sel.launchTemplate?.id,
    launchTemplateVersion: String(sel.launchTemplate?.value.LatestVersionNumber ?? 1),
    instanceProfile: config.roles.create ? sel.instanceProfile?.id : config.roles.instanceProfile,
    computeEnvironmentArn: sel.computeEnvironment?.id,
  };

  for (const a of plan.actions) {
    if (a.op === 'delete') continue;
    const make = a.op === 'create' || a.op === 'replace';
    if (a.op !== 'nothing')
      log(`${make ? 'creating' : 'updating'} ${label(a)}${a.op === 'update' ? ` (${a.reason})` : ''}`);
    await apply(s, a, make, refs, ctx);
  }
}

function roleRequest(kind: 'instance-role' | 'job-role' | 'execution-role', config: InfraConfig) {
  if (kind === 'instance-role') return instanceRoleRequest(config);
  return kind === 'job-role' ? jobRoleRequest(config) : executionRoleRequest(config);
}

function label(a: PlannedAction): string {
  return `${a.kind} ${a.name}`;
}

const need = (v: string | undefined, what: string): string => {
  if (!v) throw new Error(`internal: ${what} is not known yet`);
  return v;
};

async function apply(
  s: InfraServices,
  a: PlannedAction,
  make: boolean,
  refs: Refs,
  ctx: ExecuteContext,
): Promise<void> {
  const { config, log } = ctx;
  const changed = a.op !== 'nothing';
  switch (a.kind) {
    case 'rendezvous-key':
      // 256 random bits, straight into the SecureString: never printed, never on disk.
      if (make)
        await s.ssm.createSecureParameter(
          a.name,
          randomBytes(32).toString('base64url'),
          `mnbatch stack ${config.stack}: rendezvous key of the jobs' nodes (read by ECS through job definition secrets)`,
          tagList(config),
        );
      return;
    case 'instance-role':
    case 'job-role':
    case 'execution-role': {
      if (!changed) return;
      const req = roleRequest(a.kind, config);
      if (make) await s.iam.createRole(req);
      // Also when an earlier run stopped between CreateRole and the policy (both idempotent).
      if (a.kind === 'instance-role') await s.iam.attachRolePolicy(req.RoleName ?? '', INSTANCE_ROLE_POLICY);
      if (a.kind === 'execution-role') {
        // requireExecutionPolicy (up.ts) made sure it exists; an administrator wrote it.
        const policy = need(ctx.executionPolicyArn, 'execution policy ARN');
        await s.iam.attachRolePolicy(req.RoleName ?? '', policy);
        if (ctx.observed.executionRolePolicy !== undefined)
          await s.iam.deleteRolePolicy(req.RoleName ?? '', EXECUTION_ROLE_POLICY_NAME);
      }
      return;
    }
    case 'instance-profile': {
      const name = a.name;
      if (make) refs.instanceProfile = (await s.iam.createInstanceProfile(name, tagList(config))).Arn;
      if (changed) await s.iam.addRoleToInstanceProfile(name, `mnbatch-${config.stack}-instance`);
      return;
    }
    case 'placement-group':
      if (make) await s.ec2.createPlacementGroup(placementGroupRequest(config));
      await waitPlacementGroupReady(s, a.name);
      return;
    case 'security-group': {
      if (make) refs.securityGroupId = await s.ec2.createSecurityGroup(securityGroupRequest(config));
      if (!changed) return;
      const groupId = need(refs.securityGroupId, 'security group id');
      const have = make ? {} : (ctx.observed.securityGroups.find((g) => g.id === groupId)?.value ?? {});
      const missing = missingIngressRules(have, selfIngressRules(config, groupId));
      if (missing.length > 0)
        await s.ec2.authorizeSecurityGroupIngress(ingressRequest(config, groupId, missing));
      return;
    }
    case 'file-system':
      if (make) refs.fileSystemId = (await s.efs.createFileSystem(fileSystemRequest(config))).FileSystemId;
      await waitFileSystemReady(s, need(refs.fileSystemId, 'file system id'));
      return;
    case 'mount-target': {
      const fsId = need(refs.fileSystemId, 'file system id');
      let id = a.id;
      if (make) {
        const req = mountTargetRequest(config, fsId, need(refs.securityGroupId, 'security group id'));
        id = (await s.efs.createMountTarget(req)).MountTargetId;
        log(`  waiting for mount target ${id} (EFS takes a few minutes)`);
      }
      await waitMountTargetReady(s, fsId, need(id, 'mount target id'));
      return;
    }
    case 's3-endpoint': {
      let id = a.id;
      if (make) {
        const rt = need(ctx.routeTableId, 'route table of the subnet');
        id = (await s.ec2.createVpcEndpoint(s3EndpointRequest(config, s.region, rt))).VpcEndpointId;
      }
      await waitEndpointReady(s, need(id, 'endpoint id'));
      return;
    }
    case 'launch-template': {
      const ltRefs = {
        securityGroupId: need(refs.securityGroupId, 'security group id'),
        fileSystemId: refs.fileSystemId,
        rootDeviceName: ctx.rootDeviceName,
      };
      const data = launchTemplateData(config, ltRefs, ctx.efaInterfaces);
      if (make) {
        const lt = await s.ec2.createLaunchTemplate(launchTemplateRequest(config, ltRefs, ctx.efaInterfaces));
        refs.launchTemplateId = lt.LaunchTemplateId;
        refs.launchTemplateVersion = String(lt.LatestVersionNumber ?? 1);
      } else if (changed) {
        const v = await s.ec2.createLaunchTemplateVersion({
          LaunchTemplateId: need(refs.launchTemplateId, 'launch template id'),
          VersionDescription: 'mnbatch infra up',
          LaunchTemplateData: data,
        });
        refs.launchTemplateVersion = String(v.VersionNumber);
      }
      return;
    }
    case 'compute-environment': {
      const req = computeEnvironmentRequest(config, {
        securityGroupId: refs.securityGroupId ?? '',
        launchTemplateId: need(refs.launchTemplateId, 'launch template id'),
        launchTemplateVersion: need(refs.launchTemplateVersion, 'launch template version'),
        instanceProfile: need(refs.instanceProfile, 'instance profile'),
      });
      if (make) {
        await waitComputeEnvironment(s, a.name, 'gone');
        refs.computeEnvironmentArn = await s.batch.createComputeEnvironment(req);
      } else if (changed) {
        const cr = req.computeResources;
        await s.batch.updateComputeEnvironment({
          computeEnvironment: a.name,
          state: 'ENABLED',
          computeResources: {
            minvCpus: 0,
            maxvCpus: cr?.maxvCpus,
            instanceTypes: cr?.instanceTypes,
            subnets: cr?.subnets,
            securityGroupIds: cr?.securityGroupIds ?? [],
            instanceRole: cr?.instanceRole,
            placementGroup: cr?.placementGroup,
            launchTemplate: cr?.launchTemplate,
            ec2Configuration: cr?.ec2Configuration,
          },
        });
      }
      await waitComputeEnvironment(s, a.name, 'enabled');
      return;
    }
    case 'job-queue': {
      const ceArn = need(refs.computeEnvironmentArn, 'compute environment ARN');
      if (make) {
        await waitJobQueue(s, a.name, 'gone');
        await s.batch.createJobQueue(jobQueueRequest(config, ceArn, ctx.efaInterfaces));
      } else if (changed) {
        await s.batch.updateJobQueue({
          jobQueue: a.name,
          state: 'ENABLED',
          computeEnvironmentOrder: [{ order: 1, computeEnvironment: ceArn }],
          // An empty list turns runnableTimeLimit off again.
          jobStateTimeLimitActions: timeLimitActions(config),
        });
        // All the queue's tags, the stack tag with them: TagResource is allowed only with it
        // (src/iam/grants-infra.ts).
        const want = jobQueueTags(config, ctx.efaInterfaces);
        const have = ctx.observed.jobQueues.find((q) => q.id === a.id)?.value.tags;
        if (have?.[EFA_INTERFACES_TAG] !== want[EFA_INTERFACES_TAG])
          await s.batch.tagResource(need(a.id, 'job queue ARN'), want);
      }
      await waitJobQueue(s, a.name, 'enabled');
      return;
    }
  }
}
