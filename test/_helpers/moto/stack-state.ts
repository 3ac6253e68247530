/**
 * What exists of a stack in the test account, read with plain SDK calls (not with mnbatch's own
 * observe code) and normalized: ids and ARNs are replaced by the names of what they point at, so
 * two accounts that went through different histories compare equal when they hold the same stack.
 */
import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
} from '@aws-sdk/client-batch';
import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribePlacementGroupsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import {
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeParametersCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { TestAccount, TestNetwork } from './aws-test-account.js';

type Tags = readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined;

const tagMap = (tags: Tags) =>
  Object.fromEntries([...(tags ?? [])].map((t) => [t.Key ?? '', t.Value ?? '']).sort());

const sorted = <T>(items: readonly T[]) =>
  [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (/NoSuchEntity|NotFound/.test((e as Error).name)) return undefined;
    throw e;
  }
}

/** A role's inline policies, name → document (parsed). */
async function inlinePolicies(iam: IAMClient, role: string): Promise<Record<string, unknown>> {
  const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: role }))).PolicyNames ?? [];
  const out: Record<string, unknown> = {};
  for (const name of [...names].sort()) {
    const doc = (await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name })))
      .PolicyDocument;
    out[name] = JSON.parse(decodeURIComponent(doc ?? '{}'));
  }
  return out;
}

/** The normalized state of stack `stack` (every resource named or tagged for it). */
export async function stackState(account: TestAccount, stack: string, net: TestNetwork): Promise<unknown> {
  const { vpcId } = net;
  const ec2 = new EC2Client(account.sdk);
  const efs = new EFSClient(account.sdk);
  const batch = new BatchClient(account.sdk);
  const iam = new IAMClient(account.sdk);
  const ssm = new SSMClient(account.sdk);
  const prefix = `mnbatch-${stack}`;
  const names = new Map<string, string>();
  const nameOf = (id: string | undefined) => (id ? (names.get(id) ?? id) : id);
  names.set(net.vpcId, 'vpc');
  names.set(net.subnetId, 'subnet');
  names.set(net.routeTableId, 'route-table');
  /** Text with every known id replaced by its name (user data names the file system). */
  const named = (text: string | undefined) =>
    text === undefined ? text : [...names].reduce((t, [id, name]) => t.split(id).join(name), text);
  try {
    const groups = (
      await ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'group-name', Values: [prefix] },
          ],
        }),
      )
    ).SecurityGroups;
    for (const g of groups ?? []) names.set(g.GroupId ?? '', `sg:${g.GroupName}`);
    const templates = (
      await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [prefix] })).catch(() => ({
        LaunchTemplates: [],
      }))
    ).LaunchTemplates;
    for (const t of templates ?? []) names.set(t.LaunchTemplateId ?? '', `lt:${t.LaunchTemplateName}`);
    const fileSystems = ((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).filter((f) =>
      f.CreationToken?.includes(stack),
    );
    for (const f of fileSystems) names.set(f.FileSystemId ?? '', `fs:${f.CreationToken}`);

    const placementGroups = (
      await ec2.send(
        new DescribePlacementGroupsCommand({ Filters: [{ Name: 'group-name', Values: [prefix] }] }),
      )
    ).PlacementGroups?.filter((g) => g.State !== 'deleted');
    const endpoints = (
      await ec2.send(
        new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'tag:mnbatch:stack', Values: [stack] }] }),
      )
    ).VpcEndpoints?.filter((e) => !/^deleted$/i.test(e.State ?? ''));
    const latest = [];
    for (const t of templates ?? []) {
      const v = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: t.LaunchTemplateId,
          Versions: ['$Latest'],
        }),
      );
      const data = v.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      latest.push({
        name: t.LaunchTemplateName,
        tags: tagMap(t.Tags),
        userData: named(Buffer.from(data?.UserData ?? '', 'base64').toString('utf8')),
        interfaces: data?.NetworkInterfaces?.map((n) => ({
          type: n.InterfaceType,
          groups: sorted((n.Groups ?? []).map(nameOf)),
        })),
        groups: sorted((data?.SecurityGroupIds ?? []).map(nameOf)),
      });
    }
    const mountTargets = [];
    for (const f of fileSystems) {
      const mts = (await efs.send(new DescribeMountTargetsCommand({ FileSystemId: f.FileSystemId })))
        .MountTargets;
      for (const m of mts ?? [])
        mountTargets.push({ fs: nameOf(m.FileSystemId), subnet: nameOf(m.SubnetId) });
    }
    const ces = (await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: [prefix] })))
      .computeEnvironments;
    const queues = (await batch.send(new DescribeJobQueuesCommand({ jobQueues: [prefix] }))).jobQueues;
    const roles = [];
    for (const suffix of ['instance', 'job', 'execution']) {
      const role = await ignoreNotFound(iam.send(new GetRoleCommand({ RoleName: `${prefix}-${suffix}` })));
      if (!role?.Role) continue;
      const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.Role.RoleName }));
      roles.push({
        name: role.Role.RoleName,
        tags: tagMap(role.Role.Tags),
        trust: decodeURIComponent(role.Role.AssumeRolePolicyDocument ?? ''),
        policies: sorted((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn)),
        inline: await inlinePolicies(iam, role.Role.RoleName ?? ''),
      });
    }
    // The key's metadata and tags; not its value, which is random for every stack.
    const key = (
      await ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [`/mnbatch/${stack}/rendezvous-key`] }],
        }),
      )
    ).Parameters?.[0];
    const keyTags = key
      ? (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: key.Name })))
          .TagList
      : undefined;
    const profile = await ignoreNotFound(
      iam.send(new GetInstanceProfileCommand({ InstanceProfileName: `${prefix}-instance` })),
    );
    return {
      rendezvousKey: key ? { name: key.Name, type: key.Type, tags: tagMap(keyTags) } : undefined,
      placementGroups: sorted(
        (placementGroups ?? []).map((g) => ({
          name: g.GroupName,
          strategy: g.Strategy,
          tags: tagMap(g.Tags),
        })),
      ),
      securityGroups: sorted(
        (groups ?? []).map((g) => ({
          name: g.GroupName,
          tags: tagMap(g.Tags),
          ingress: sorted(
            (g.IpPermissions ?? []).map((p) => ({
              protocol: p.IpProtocol,
              from: p.FromPort,
              to: p.ToPort,
              sources: sorted((p.UserIdGroupPairs ?? []).map((u) => nameOf(u.GroupId))),
            })),
          ),
        })),
      ),
      fileSystems: sorted(
        fileSystems.map((f) => ({
          token: f.CreationToken,
          state: f.LifeCycleState,
          encrypted: f.Encrypted,
          tags: tagMap(f.Tags),
        })),
      ),
      mountTargets: sorted(mountTargets),
      endpoints: sorted(
        (endpoints ?? []).map((e) => ({
          service: e.ServiceName,
          type: e.VpcEndpointType,
          routeTables: (e.RouteTableIds ?? []).map(nameOf),
          vpc: nameOf(e.VpcId),
          state: e.State,
          tags: tagMap(e.Tags),
        })),
      ),
      launchTemplates: sorted(latest),
      computeEnvironments: sorted(
        (ces ?? []).map((c) => ({
          name: c.computeEnvironmentName,
          state: c.state,
          status: c.status,
          tags: c.tags,
          resources: {
            ...c.computeResources,
            securityGroupIds: sorted((c.computeResources?.securityGroupIds ?? []).map(nameOf)),
            subnets: (c.computeResources?.subnets ?? []).map(nameOf),
            launchTemplate: {
              ...c.computeResources?.launchTemplate,
              launchTemplateId: nameOf(c.computeResources?.launchTemplate?.launchTemplateId),
            },
            instanceRole: c.computeResources?.instanceRole?.split('/').at(-1),
          },
        })),
      ),
      jobQueues: sorted(
        (queues ?? []).map((q) => ({
          name: q.jobQueueName,
          state: q.state,
          status: q.status,
          priority: q.priority,
          tags: q.tags,
          computeEnvironments: (q.computeEnvironmentOrder ?? []).map((o) =>
            o.computeEnvironment?.split('/').at(-1),
          ),
        })),
      ),
      roles: sorted(roles),
      instanceProfile: profile?.InstanceProfile
        ? {
            name: profile.InstanceProfile.InstanceProfileName,
            roles: sorted((profile.InstanceProfile.Roles ?? []).map((r) => r.RoleName)),
            tags: tagMap(profile.InstanceProfile.Tags),
          }
        : undefined,
    };
  } finally {
    for (const c of [ec2, efs, batch, iam]) c.destroy();
  }
}
