/**
 * Batch compute environments where moto 5.2 differs from AWS Batch:
 * - CreateComputeEnvironment without `serviceRole`: moto refuses ("ServiceRole is required");
 *   Batch uses its service-linked role AWSServiceRoleForBatch. The shim makes that role in
 *   moto's IAM and names it in the request.
 * - No `securityGroupIds` when the launch template brings the security groups (EFA network
 *   interfaces): moto refuses ("At least 1 security group must be provided"); Batch takes the
 *   launch template's. The shim gives moto the VPC's default group and leaves it out of what
 *   DescribeComputeEnvironments returns.
 * - UpdateComputeEnvironment `computeResources`: moto accepts and ignores them; Batch applies
 *   them. The shim keeps what was updated and shows it in DescribeComputeEnvironments.
 * - Job queues' `jobStateTimeLimitActions` (Create/UpdateJobQueue): moto ignores them; Batch keeps
 *   them and returns them in DescribeJobQueues. The shim keeps them and shows them.
 */
import type { Correction, CorrectionContext, ShimAnswer } from './shim.js';

const SLR = (account: string) =>
  `arn:aws:iam::${account}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch`;
const ACCOUNT = '123456789012';

interface ComputeResources {
  securityGroupIds?: string[];
  subnets?: string[];
  launchTemplate?: unknown;
  [k: string]: unknown;
}

async function defaultGroupOfSubnet(ctx: CorrectionContext, subnetId: string): Promise<string | undefined> {
  const subnets = await ctx.moto('ec2', {
    form: { Action: 'DescribeSubnets', Version: '2016-11-15', 'SubnetId.1': subnetId },
  });
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(subnets.body)?.[1];
  if (!vpcId) return undefined;
  const groups = await ctx.moto('ec2', {
    form: {
      Action: 'DescribeSecurityGroups',
      Version: '2016-11-15',
      'Filter.1.Name': 'vpc-id',
      'Filter.1.Value.1': vpcId,
      'Filter.2.Name': 'group-name',
      'Filter.2.Value.1': 'default',
    },
  });
  return /<groupId>([^<]+)<\/groupId>/.exec(groups.body)?.[1];
}

/** The Batch corrections, with their own memory of what moto was told differently. */
export function batchCorrections(): Correction {
  /** Compute environments whose security groups come from the launch template only. */
  const groupsFromTemplate = new Set<string>();
  /** computeResources applied by UpdateComputeEnvironment, by name. */
  const updated = new Map<string, ComputeResources>();
  /** jobStateTimeLimitActions of each queue, by name. */
  const timeLimits = new Map<string, unknown[]>();
  const queueName = (ref: string | undefined) => (ref ?? '').split('/').at(-1) ?? '';

  const describe = (answer: ShimAnswer): ShimAnswer => {
    if (answer.status !== 200) return answer;
    const body = JSON.parse(answer.body) as {
      computeEnvironments?: { computeEnvironmentName?: string; computeResources?: ComputeResources }[];
    };
    for (const ce of body.computeEnvironments ?? []) {
      const name = ce.computeEnvironmentName ?? '';
      if (!ce.computeResources) continue;
      const changes = updated.get(name);
      if (changes) Object.assign(ce.computeResources, changes);
      if (groupsFromTemplate.has(name) && !changes?.securityGroupIds?.length)
        delete ce.computeResources.securityGroupIds;
    }
    return { ...answer, body: JSON.stringify(body) };
  };

  return async (call, ctx) => {
    if (call.service !== 'batch') return undefined;
    const p = call.params as {
      computeEnvironmentName?: string;
      computeEnvironment?: string;
      serviceRole?: string;
      computeResources?: ComputeResources;
    };
    switch (call.operation) {
      case 'CreateComputeEnvironment': {
        const request = {
          ...p,
          computeResources: p.computeResources ? { ...p.computeResources } : undefined,
        };
        if (!request.serviceRole) {
          // moto's CreateServiceLinkedRole names it AWSServiceRoleForbatch; AWS's is ...ForBatch.
          // An existing role answers EntityAlreadyExists, which is fine.
          await ctx.moto('iam', {
            form: {
              Action: 'CreateRole',
              Version: '2010-05-08',
              RoleName: 'AWSServiceRoleForBatch',
              Path: '/aws-service-role/batch.amazonaws.com/',
              AssumeRolePolicyDocument: JSON.stringify({
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Principal: { Service: 'batch.amazonaws.com' },
                    Action: 'sts:AssumeRole',
                  },
                ],
              }),
            },
          });
          request.serviceRole = SLR(ACCOUNT);
        }
        const cr = request.computeResources;
        const name = p.computeEnvironmentName ?? '';
        if (cr && (cr.securityGroupIds ?? []).length === 0 && cr.launchTemplate) {
          const group = await defaultGroupOfSubnet(ctx, cr.subnets?.[0] ?? '');
          if (group) {
            cr.securityGroupIds = [group];
            groupsFromTemplate.add(name);
          }
        }
        updated.delete(name);
        return { forward: JSON.stringify(request) };
      }
      case 'UpdateComputeEnvironment': {
        const name = (p.computeEnvironment ?? '').split('/').at(-1) ?? '';
        if (!p.computeResources) return undefined;
        const changes = Object.fromEntries(
          Object.entries(p.computeResources).filter(
            ([k, v]) => v !== undefined && !(k === 'securityGroupIds' && Array.isArray(v) && v.length === 0),
          ),
        );
        return {
          reply: (answer) => {
            if (answer.status === 200) updated.set(name, { ...updated.get(name), ...changes });
            return answer;
          },
        };
      }
      case 'DescribeComputeEnvironments':
        return { reply: describe };
      case 'CreateJobQueue':
      case 'UpdateJobQueue': {
        const q = call.params as {
          jobQueueName?: string;
          jobQueue?: string;
          jobStateTimeLimitActions?: unknown[];
        };
        const name = queueName(q.jobQueueName ?? q.jobQueue);
        if (call.operation === 'CreateJobQueue') timeLimits.delete(name);
        if (!q.jobStateTimeLimitActions) return undefined;
        const actions = q.jobStateTimeLimitActions;
        return {
          reply: (answer) => {
            if (answer.status === 200) timeLimits.set(name, actions);
            return answer;
          },
        };
      }
      case 'DescribeJobQueues':
        return {
          reply: (answer) => {
            if (answer.status !== 200) return answer;
            const body = JSON.parse(answer.body) as {
              jobQueues?: { jobQueueName?: string; jobStateTimeLimitActions?: unknown[] }[];
            };
            for (const q of body.jobQueues ?? []) {
              const actions = timeLimits.get(q.jobQueueName ?? '');
              if (actions?.length) q.jobStateTimeLimitActions = actions;
              else delete q.jobStateTimeLimitActions;
            }
            return { ...answer, body: JSON.stringify(body) };
          },
        };
      default:
        return undefined;
    }
  };
}
