/**
 * EC2 adapter: only the calls mnbatch makes, paginators flattened.
 *
 * Used by `infra up/down/status` (src/infra) and by `ami bake` (src/ami). The AMI helper may
 * append methods in the section marked "AMI bake" below (interface and implementation); every
 * `new <Name>Command(` in this file becomes `ec2:<Name>` in the generated IAM policy
 * (src/iam), so no hand-kept action list is needed.
 */

import {
  AuthorizeSecurityGroupEgressCommand,
  type AuthorizeSecurityGroupEgressCommandInput,
  AuthorizeSecurityGroupIngressCommand,
  type AuthorizeSecurityGroupIngressCommandInput,
  CreateImageCommand,
  type CreateImageCommandInput,
  CreateLaunchTemplateCommand,
  type CreateLaunchTemplateCommandInput,
  CreateLaunchTemplateVersionCommand,
  type CreateLaunchTemplateVersionCommandInput,
  CreatePlacementGroupCommand,
  type CreatePlacementGroupCommandInput,
  CreateSecurityGroupCommand,
  type CreateSecurityGroupCommandInput,
  CreateTagsCommand,
  type CreateTagsCommandInput,
  CreateVpcEndpointCommand,
  type CreateVpcEndpointCommandInput,
  DeleteLaunchTemplateCommand,
  type DeleteLaunchTemplateCommandInput,
  DeletePlacementGroupCommand,
  type DeletePlacementGroupCommandInput,
  DeleteSecurityGroupCommand,
  type DeleteSecurityGroupCommandInput,
  DeleteVpcEndpointsCommand,
  type DeleteVpcEndpointsCommandInput,
  DeregisterImageCommand,
  type DeregisterImageCommandInput,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  DescribeLaunchTemplatesCommand,
  type DescribeLaunchTemplatesCommandInput,
  DescribeLaunchTemplateVersionsCommand,
  type DescribeLaunchTemplateVersionsCommandInput,
  DescribePlacementGroupsCommand,
  type DescribePlacementGroupsCommandInput,
  DescribeRouteTablesCommand,
  type DescribeRouteTablesCommandInput,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandInput,
  DescribeVpcEndpointsCommand,
  type DescribeVpcEndpointsCommandInput,
  EC2Client,
  GetConsoleOutputCommand,
  type GetConsoleOutputCommandInput,
  type Image,
  type Instance,
  type InstanceTypeInfo,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  type PlacementGroup,
  type RouteTable,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type SecurityGroup,
  StopInstancesCommand,
  type StopInstancesCommandInput,
  type Subnet,
  TerminateInstancesCommand,
  type TerminateInstancesCommandInput,
  type UnsuccessfulItem,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { type AwsOptions, awsClient } from './clients.js';
import { allPages } from './pages.js';

/** The EC2 calls mnbatch makes. List calls return every page. */
export interface Ec2 {
  // --- infrastructure (src/infra) ---
  describePlacementGroups(input: DescribePlacementGroupsCommandInput): Promise<PlacementGroup[]>;
  createPlacementGroup(input: CreatePlacementGroupCommandInput): Promise<PlacementGroup>;
  deletePlacementGroup(input: DeletePlacementGroupCommandInput): Promise<void>;
  describeSecurityGroups(input: DescribeSecurityGroupsCommandInput): Promise<SecurityGroup[]>;
  /** Returns the new group's id. */
  createSecurityGroup(input: CreateSecurityGroupCommandInput): Promise<string>;
  authorizeSecurityGroupIngress(input: AuthorizeSecurityGroupIngressCommandInput): Promise<void>;
  authorizeSecurityGroupEgress(input: AuthorizeSecurityGroupEgressCommandInput): Promise<void>;
  deleteSecurityGroup(input: DeleteSecurityGroupCommandInput): Promise<void>;
  describeLaunchTemplates(input: DescribeLaunchTemplatesCommandInput): Promise<LaunchTemplate[]>;
  describeLaunchTemplateVersions(
    input: DescribeLaunchTemplateVersionsCommandInput,
  ): Promise<LaunchTemplateVersion[]>;
  createLaunchTemplate(input: CreateLaunchTemplateCommandInput): Promise<LaunchTemplate>;
  createLaunchTemplateVersion(input: CreateLaunchTemplateVersionCommandInput): Promise<LaunchTemplateVersion>;
  deleteLaunchTemplate(input: DeleteLaunchTemplateCommandInput): Promise<void>;
  describeSubnets(input: DescribeSubnetsCommandInput): Promise<Subnet[]>;
  describeRouteTables(input: DescribeRouteTablesCommandInput): Promise<RouteTable[]>;
  describeVpcEndpoints(input: DescribeVpcEndpointsCommandInput): Promise<VpcEndpoint[]>;
  createVpcEndpoint(input: CreateVpcEndpointCommandInput): Promise<VpcEndpoint>;
  /** Returns the endpoints that could not be deleted. */
  deleteVpcEndpoints(input: DeleteVpcEndpointsCommandInput): Promise<UnsuccessfulItem[]>;
  createTags(input: CreateTagsCommandInput): Promise<void>;

  // --- shared by infra and AMI bake ---
  describeInstanceTypes(input: DescribeInstanceTypesCommandInput): Promise<InstanceTypeInfo[]>;
  describeImages(input: DescribeImagesCommandInput): Promise<Image[]>;

  // --- AMI bake (src/ami): the AMI helper may append methods here ---
  runInstances(input: RunInstancesCommandInput): Promise<Instance[]>;
  /** Instances of every reservation, flattened. */
  describeInstances(input: DescribeInstancesCommandInput): Promise<Instance[]>;
  terminateInstances(input: TerminateInstancesCommandInput): Promise<void>;
  stopInstances(input: StopInstancesCommandInput): Promise<void>;
  /** Returns the new image id. */
  createImage(input: CreateImageCommandInput): Promise<string>;
  deregisterImage(input: DeregisterImageCommandInput): Promise<void>;
  /** The instance's console output as text (decoded), or '' when EC2 has none yet. */
  getConsoleOutput(input: GetConsoleOutputCommandInput): Promise<string>;
  // --- end of AMI bake section ---
}

/** EC2 pages carry their next token in `NextToken`. */
function ec2Pages<T, P extends { NextToken?: string | undefined }>(
  fetch: (token: string | undefined) => Promise<P>,
  items: (page: P) => T[] | undefined,
): Promise<T[]> {
  return allPages(fetch, items, (page) => page.NextToken);
}

/** An `Ec2` backed by a real SDK client built with `awsClient` (clients.ts). */
export function createEc2(options: AwsOptions): Ec2 {
  return ec2FromClient(awsClient(EC2Client, options));
}

/** An `Ec2` over an existing client (tests, or a client shared with other adapters). */
export function ec2FromClient(client: EC2Client): Ec2 {
  return {
    async describePlacementGroups(input) {
      return (await client.send(new DescribePlacementGroupsCommand(input))).PlacementGroups ?? [];
    },
    async createPlacementGroup(input) {
      return (await client.send(new CreatePlacementGroupCommand(input))).PlacementGroup ?? {};
    },
    async deletePlacementGroup(input) {
      await client.send(new DeletePlacementGroupCommand(input));
    },
    describeSecurityGroups: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeSecurityGroupsCommand({ ...input, NextToken })),
        (p) => p.SecurityGroups,
      ),
    async createSecurityGroup(input) {
      return (await client.send(new CreateSecurityGroupCommand(input))).GroupId ?? '';
    },
    async authorizeSecurityGroupIngress(input) {
      await client.send(new AuthorizeSecurityGroupIngressCommand(input));
    },
    async authorizeSecurityGroupEgress(input) {
      await client.send(new AuthorizeSecurityGroupEgressCommand(input));
    },
    async deleteSecurityGroup(input) {
      await client.send(new DeleteSecurityGroupCommand(input));
    },
    describeLaunchTemplates: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeLaunchTemplatesCommand({ ...input, NextToken })),
        (p) => p.LaunchTemplates,
      ),
    describeLaunchTemplateVersions: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeLaunchTemplateVersionsCommand({ ...input, NextToken })),
        (p) => p.LaunchTemplateVersions,
      ),
    async createLaunchTemplate(input) {
      return (await client.send(new CreateLaunchTemplateCommand(input))).LaunchTemplate ?? {};
    },
    async createLaunchTemplateVersion(input) {
      return (await client.send(new CreateLaunchTemplateVersionCommand(input))).LaunchTemplateVersion ?? {};
    },
    async deleteLaunchTemplate(input) {
      await client.send(new DeleteLaunchTemplateCommand(input));
    },
    describeSubnets: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeSubnetsCommand({ ...input, NextToken })),
        (p) => p.Subnets,
      ),
    describeRouteTables: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeRouteTablesCommand({ ...input, NextToken })),
        (p) => p.RouteTables,
      ),
    describeVpcEndpoints: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeVpcEndpointsCommand({ ...input, NextToken })),
        (p) => p.VpcEndpoints,
      ),
    async createVpcEndpoint(input) {
      return (await client.send(new CreateVpcEndpointCommand(input))).VpcEndpoint ?? {};
    },
    async deleteVpcEndpoints(input) {
      return (await client.send(new DeleteVpcEndpointsCommand(input))).Unsuccessful ?? [];
    },
    async createTags(input) {
      await client.send(new CreateTagsCommand(input));
    },
    describeInstanceTypes: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeInstanceTypesCommand({ ...input, NextToken })),
        (p) => p.InstanceTypes,
      ),
    describeImages: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeImagesCommand({ ...input, NextToken })),
        (p) => p.Images,
      ),

    // --- AMI bake ---
    async runInstances(input) {
      return (await client.send(new RunInstancesCommand(input))).Instances ?? [];
    },
    describeInstances: (input) =>
      ec2Pages(
        (NextToken) => client.send(new DescribeInstancesCommand({ ...input, NextToken })),
        (p) => p.Reservations?.flatMap((r) => r.Instances ?? []),
      ),
    async terminateInstances(input) {
      await client.send(new TerminateInstancesCommand(input));
    },
    async stopInstances(input) {
      await client.send(new StopInstancesCommand(input));
    },
    async createImage(input) {
      return (await client.send(new CreateImageCommand(input))).ImageId ?? '';
    },
    async deregisterImage(input) {
      await client.send(new DeregisterImageCommand(input));
    },
    async getConsoleOutput(input) {
      const output = (await client.send(new GetConsoleOutputCommand(input))).Output;
      return output ? Buffer.from(output, 'base64').toString('utf8') : '';
    },
    // --- end of AMI bake section ---
  };
}
