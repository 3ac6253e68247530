/**
 * EC2 and SSM calls of the fake (see fake-infra.md).
 */
import * as ec2 from '@aws-sdk/client-ec2';
import * as ssm from '@aws-sdk/client-ssm';
import { describeInstanceTypesAnswer } from '../instance-types.js';
import { ACCOUNT, awsError, type InfraState, matchesFilters, REGION } from './state.js';

// biome-ignore lint/suspicious/noExplicitAny: command classes of any input type
type Handler = [new (input: any) => unknown, (input: any) => unknown];

const tagsOf = (specs: ec2.TagSpecification[] | undefined, type: string) =>
  specs?.find((s) => s.ResourceType === type)?.Tags ?? [];

/** Handlers for the EC2 commands mnbatch's infra code sends. */
export function ec2Handlers(s: InfraState): Handler[] {
  return [
    [
      ec2.DescribeSubnetsCommand,
      (i: ec2.DescribeSubnetsCommandInput) => {
        const found = s.subnets.filter((n) => !i.SubnetIds || i.SubnetIds.includes(n.SubnetId ?? ''));
        if (i.SubnetIds && found.length === 0) throw awsError('InvalidSubnetID.NotFound');
        return { Subnets: found };
      },
    ],
    [
      ec2.DescribeRouteTablesCommand,
      (i: ec2.DescribeRouteTablesCommandInput) => ({
        RouteTables: s.routeTables.filter((t) =>
          matchesFilters(i.Filters, t.Tags, {
            'vpc-id': [t.VpcId],
            'association.subnet-id': (t.Associations ?? []).map((a) => a.SubnetId),
            'association.main': (t.Associations ?? []).map((a) => String(Boolean(a.Main))),
          }),
        ),
      }),
    ],
    [
      ec2.DescribeImagesCommand,
      (i: ec2.DescribeImagesCommandInput) => ({
        Images: (i.ImageIds ?? [])
          .filter((id) => id.startsWith('ami-0b0b'))
          .map((ImageId) => ({ ImageId, Name: 'baked' })),
      }),
    ],
    [
      ec2.DescribeInstanceTypesCommand,
      (i: ec2.DescribeInstanceTypesCommandInput) => describeInstanceTypesAnswer(i),
    ],
    [
      ec2.DescribePlacementGroupsCommand,
      (i: ec2.DescribePlacementGroupsCommandInput) => ({
        PlacementGroups: [...s.placementGroups.values()].filter((g) =>
          matchesFilters(i.Filters, g.Tags, { 'group-name': [g.GroupName] }),
        ),
      }),
    ],
    [
      ec2.CreatePlacementGroupCommand,
      (i: ec2.CreatePlacementGroupCommandInput) => {
        const name = i.GroupName ?? '';
        if (s.placementGroups.has(name)) throw awsError('InvalidPlacementGroup.Duplicate');
        s.mutate('CreatePlacementGroup', name);
        const g = {
          GroupName: name,
          GroupId: s.id('pg'),
          Strategy: i.Strategy,
          State: 'available' as const,
          Tags: tagsOf(i.TagSpecifications, 'placement-group'),
        };
        s.placementGroups.set(name, g);
        return { PlacementGroup: g };
      },
    ],
    [
      ec2.DeletePlacementGroupCommand,
      (i: ec2.DeletePlacementGroupCommandInput) => {
        s.mutate('DeletePlacementGroup', i.GroupName ?? '');
        s.placementGroups.delete(i.GroupName ?? '');
        return {};
      },
    ],
    [
      ec2.DescribeSecurityGroupsCommand,
      (i: ec2.DescribeSecurityGroupsCommandInput) => ({
        SecurityGroups: [...s.securityGroups.values()].filter((g) =>
          matchesFilters(i.Filters, g.Tags, { 'group-name': [g.GroupName], 'vpc-id': [g.VpcId] }),
        ),
      }),
    ],
    [
      ec2.CreateSecurityGroupCommand,
      (i: ec2.CreateSecurityGroupCommandInput) => {
        const dup = [...s.securityGroups.values()].some(
          (g) => g.GroupName === i.GroupName && g.VpcId === i.VpcId,
        );
        if (dup) throw awsError('InvalidGroup.Duplicate');
        s.mutate('CreateSecurityGroup', i.GroupName ?? '');
        const GroupId = s.id('sg');
        s.securityGroups.set(GroupId, {
          GroupId,
          GroupName: i.GroupName,
          VpcId: i.VpcId,
          Description: i.Description,
          IpPermissions: [],
          IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          Tags: tagsOf(i.TagSpecifications, 'security-group'),
        });
        return { GroupId };
      },
    ],
    [
      ec2.AuthorizeSecurityGroupIngressCommand,
      (i: ec2.AuthorizeSecurityGroupIngressCommandInput) => {
        const g = s.securityGroups.get(i.GroupId ?? '');
        if (!g) throw awsError('InvalidGroup.NotFound');
        s.mutate('AuthorizeSecurityGroupIngress', i.GroupId ?? '');
        g.IpPermissions = [...(g.IpPermissions ?? []), ...(i.IpPermissions ?? [])];
        return { Return: true };
      },
    ],
    [
      ec2.DeleteSecurityGroupCommand,
      (i: ec2.DeleteSecurityGroupCommandInput) => {
        const inUse = [...s.mountTargetGroups.values()].some((groups) => groups.includes(i.GroupId ?? ''));
        if (inUse) throw awsError('DependencyViolation', 'resource sg has a dependent object');
        s.mutate('DeleteSecurityGroup', i.GroupId ?? '');
        s.securityGroups.delete(i.GroupId ?? '');
        return {};
      },
    ],
    [
      ec2.DescribeLaunchTemplatesCommand,
      (i: ec2.DescribeLaunchTemplatesCommandInput) => ({
        LaunchTemplates: [...s.launchTemplates.values()]
          .map((t) => t.template)
          .filter((t) =>
            matchesFilters(i.Filters, t.Tags, { 'launch-template-name': [t.LaunchTemplateName] }),
          ),
      }),
    ],
    [
      ec2.DescribeLaunchTemplateVersionsCommand,
      (i: ec2.DescribeLaunchTemplateVersionsCommandInput) => {
        const lt = s.launchTemplates.get(i.LaunchTemplateId ?? '');
        if (!lt) throw awsError('InvalidLaunchTemplateId.NotFound');
        return { LaunchTemplateVersions: lt.versions.slice(-1) };
      },
    ],
    [
      ec2.CreateLaunchTemplateCommand,
      (i: ec2.CreateLaunchTemplateCommandInput) => {
        const dup = [...s.launchTemplates.values()].some(
          (t) => t.template.LaunchTemplateName === i.LaunchTemplateName,
        );
        if (dup) throw awsError('InvalidLaunchTemplateName.AlreadyExistsException');
        s.mutate('CreateLaunchTemplate', i.LaunchTemplateName ?? '');
        const id = s.id('lt');
        const template = {
          LaunchTemplateId: id,
          LaunchTemplateName: i.LaunchTemplateName,
          LatestVersionNumber: 1,
          DefaultVersionNumber: 1,
          Tags: tagsOf(i.TagSpecifications, 'launch-template'),
        };
        s.launchTemplates.set(id, {
          template,
          versions: [
            {
              LaunchTemplateId: id,
              VersionNumber: 1,
              LaunchTemplateData: i.LaunchTemplateData as ec2.ResponseLaunchTemplateData,
            },
          ],
        });
        return { LaunchTemplate: template };
      },
    ],
    [
      ec2.CreateLaunchTemplateVersionCommand,
      (i: ec2.CreateLaunchTemplateVersionCommandInput) => {
        const lt = s.launchTemplates.get(i.LaunchTemplateId ?? '');
        if (!lt) throw awsError('InvalidLaunchTemplateId.NotFound');
        s.mutate('CreateLaunchTemplateVersion', i.LaunchTemplateId ?? '');
        const VersionNumber = (lt.template.LatestVersionNumber ?? 0) + 1;
        lt.template.LatestVersionNumber = VersionNumber;
        const v = {
          LaunchTemplateId: lt.template.LaunchTemplateId,
          VersionNumber,
          LaunchTemplateData: i.LaunchTemplateData as ec2.ResponseLaunchTemplateData,
        };
        lt.versions.push(v);
        return { LaunchTemplateVersion: v };
      },
    ],
    [
      ec2.DeleteLaunchTemplateCommand,
      (i: ec2.DeleteLaunchTemplateCommandInput) => {
        s.mutate('DeleteLaunchTemplate', i.LaunchTemplateId ?? '');
        s.launchTemplates.delete(i.LaunchTemplateId ?? '');
        return {};
      },
    ],
    [
      ec2.DescribeVpcEndpointsCommand,
      (i: ec2.DescribeVpcEndpointsCommandInput) => ({
        VpcEndpoints: [...s.endpoints.values()].filter(
          (e) =>
            (!i.VpcEndpointIds || i.VpcEndpointIds.includes(e.VpcEndpointId ?? '')) &&
            matchesFilters(i.Filters, e.Tags, { 'vpc-id': [e.VpcId], 'service-name': [e.ServiceName] }),
        ),
      }),
    ],
    [
      ec2.CreateVpcEndpointCommand,
      (i: ec2.CreateVpcEndpointCommandInput) => {
        s.mutate('CreateVpcEndpoint', i.ServiceName ?? '');
        const e = {
          VpcEndpointId: s.id('vpce'),
          VpcEndpointType: i.VpcEndpointType,
          VpcId: i.VpcId,
          ServiceName: i.ServiceName,
          RouteTableIds: i.RouteTableIds,
          // As EC2 sends it, not as the SDK's enum spells it (docs/aws-quirks.md).
          State: 'available' as ec2.VpcEndpoint['State'],
          OwnerId: ACCOUNT,
          Tags: tagsOf(i.TagSpecifications, 'vpc-endpoint'),
        };
        s.endpoints.set(e.VpcEndpointId, e);
        return { VpcEndpoint: e };
      },
    ],
    [
      ec2.DeleteVpcEndpointsCommand,
      (i: ec2.DeleteVpcEndpointsCommandInput) => {
        s.mutate('DeleteVpcEndpoints', (i.VpcEndpointIds ?? []).join(','));
        for (const id of i.VpcEndpointIds ?? []) s.endpoints.delete(id);
        return { Unsuccessful: [] };
      },
    ],
    [
      ssm.GetParameterCommand,
      (i: { Name: string }) => {
        const v = s.ssmParameters.get(i.Name);
        if (v === undefined) throw awsError('ParameterNotFound');
        return { Parameter: { Name: i.Name, Value: v, ARN: `arn:aws:ssm:${REGION}::parameter${i.Name}` } };
      },
    ],
  ];
}

const parameterArn = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;

/** Handlers for the SSM commands of the stack's rendezvous key. */
export function ssmHandlers(s: InfraState): Handler[] {
  return [
    [
      ssm.DescribeParametersCommand,
      (i: ssm.DescribeParametersCommandInput) => {
        const names = i.ParameterFilters?.find((f) => f.Key === 'Name')?.Values ?? [];
        return {
          Parameters: names.flatMap((name) => {
            const info = s.ssmParameterInfo.get(name);
            return info ? [{ Name: name, ARN: parameterArn(name), Type: info.type }] : [];
          }),
        };
      },
    ],
    [
      ssm.ListTagsForResourceCommand,
      (i: ssm.ListTagsForResourceCommandInput) => {
        const info = s.ssmParameterInfo.get(i.ResourceId ?? '');
        if (!info) throw awsError('InvalidResourceId');
        return { TagList: info.tags };
      },
    ],
    [
      ssm.PutParameterCommand,
      (i: ssm.PutParameterCommandInput) => {
        const name = i.Name ?? '';
        if (s.ssmParameters.has(name) && !i.Overwrite) throw awsError('ParameterAlreadyExists');
        s.mutate('PutParameter', name);
        s.ssmParameters.set(name, i.Value ?? '');
        s.ssmParameterInfo.set(name, {
          type: i.Type ?? 'String',
          tags: (i.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
        });
        return { Version: 1, Tier: 'Standard' };
      },
    ],
    [
      ssm.DeleteParameterCommand,
      (i: ssm.DeleteParameterCommandInput) => {
        const name = i.Name ?? '';
        if (!s.ssmParameters.has(name)) throw awsError('ParameterNotFound');
        s.mutate('DeleteParameter', name);
        s.ssmParameters.delete(name);
        s.ssmParameterInfo.delete(name);
        return {};
      },
    ],
  ];
}
