/**
 * The doctor's SDK boundary for tests: aws-sdk-client-mock'd STS, IAM, EC2 and Service Quotas
 * clients (Batch from the shared helper), each request and answer checked against the botocore
 * model after every test, and `healthy()`: the answers of an account where every check passes,
 * which a test then breaks one call at a time.
 */
import {
  BatchClient,
  type ComputeEnvironmentDetail,
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
  type JobQueueDetail,
} from '@aws-sdk/client-batch';
import {
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createDoctorServices } from '../../src/doctor/aws.js';
import type { DoctorServices } from '../../src/doctor/services.js';
import { type InfraConfig, infraConfigSchema } from '../../src/infra/config.js';
import { describeInstanceTypesAnswer } from '../_helpers/instance-types.js';
import { sdkMock } from '../_helpers/sdk-mock.js';
import { computeEnvironment, QUEUE } from '../jobs/_fixtures.js';

export { sdkError } from '../_helpers/sdk-mock.js';

/** This test file's stubs of the clients the doctor uses (test/_helpers/sdk-mock.ts). */
export function doctorMocks() {
  return {
    stsMock: sdkMock(STSClient, 'sts'),
    iamMock: sdkMock(IAMClient, 'iam'),
    ec2Mock: sdkMock(EC2Client, 'ec2'),
    quotasMock: sdkMock(ServiceQuotasClient, 'service-quotas'),
    batchMock: sdkMock(BatchClient, 'batch'),
  };
}

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const ZONE = 'us-east-1a';
export const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`;

/** The real DoctorServices over the mocked clients. */
export function services(): DoctorServices {
  return createDoctorServices({ region: REGION }, 'test');
}

/** infra.yaml of a healthy stack `demo` (c5n.18xlarge, 288 vCPUs, EFA), with `extra` settings. */
export function infraConfig(extra: Record<string, unknown> = {}): InfraConfig {
  return infraConfigSchema.parse({
    stack: 'demo',
    vpcId: 'vpc-0a1',
    subnetId: 'subnet-0b2',
    instanceTypes: ['c5n.18xlarge'],
    maxVcpus: 288,
    efa: true,
    ...extra,
  });
}

/** job.yaml of stack demo: `nodes` × `vcpus` on c5n.18xlarge. */
export function jobYaml(nodes = 2, vcpus = 72, memory = '180GiB'): string {
  return [
    'name: hello-mpi',
    `image: ${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/hello-mpi@sha256:${'a'.repeat(64)}`,
    `nodes: ${nodes}`,
    'instanceType: c5n.18xlarge',
    'stack: demo',
    'resources:',
    `  vcpus: ${vcpus}`,
    `  memory: ${memory}`,
    'command: ["/usr/local/bin/hello-mpi"]',
    '',
  ].join('\n');
}

/** Every call answered as a healthy account and stack would. */
export function healthy(): void {
  const { stsMock, iamMock, ec2Mock, quotasMock, batchMock } = doctorMocks();
  stsMock
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: USER_ARN, UserId: 'AIDAEXAMPLEALICE' });
  iamMock.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
    EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: 'allowed' })),
    IsTruncated: false,
  }));
  iamMock.on(GetRoleCommand, { RoleName: 'AWSServiceRoleForBatch' }).resolves({
    Role: {
      Path: '/aws-service-role/batch.amazonaws.com/',
      RoleName: 'AWSServiceRoleForBatch',
      RoleId: 'AROAEXAMPLEBATCH',
      Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch`,
      CreateDate: new Date('2025-01-01T00:00:00Z'),
    },
  });
  ec2Mock
    .on(DescribeSubnetsCommand)
    .resolves({ Subnets: [{ SubnetId: 'subnet-0b2', VpcId: 'vpc-0a1', AvailabilityZone: ZONE }] });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-main',
        VpcId: 'vpc-0a1',
        Associations: [{ Main: true, RouteTableId: 'rtb-main' }],
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' }],
      },
      {
        RouteTableId: 'rtb-private',
        VpcId: 'vpc-0a1',
        Associations: [{ Main: false, SubnetId: 'subnet-0b2', RouteTableId: 'rtb-private' }],
        Routes: [
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
          { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0c3', State: 'active' },
        ],
      },
    ],
  });
  ec2Mock.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  // EC2's answers from real entries (by name or filter, family.* too)
  ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input) => describeInstanceTypesAnswer(input));
  ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({
    InstanceTypeOfferings: [
      { InstanceType: 'c5n.18xlarge', LocationType: 'availability-zone', Location: ZONE },
    ],
  });
  ec2Mock.on(DescribeImagesCommand).resolves({
    Images: [{ ImageId: 'ami-0d4', Name: 'mnbatch-baked', Architecture: 'x86_64', State: 'available' }],
  });
  quotasMock.on(GetServiceQuotaCommand).resolves({
    Quota: {
      ServiceCode: 'ec2',
      QuotaCode: 'L-1216C47A',
      QuotaName: 'Running On-Demand Standard instances',
      Value: 640,
    },
  });
  batchMock
    .on(DescribeComputeEnvironmentsCommand)
    .resolves({ computeEnvironments: [demoComputeEnvironment()] });
  batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [demoQueue()] });
}

/** Stack demo's compute environment as `infra up` makes it (c5n.18xlarge, 288 vCPUs), with `overrides`. */
export function demoComputeEnvironment(
  overrides: Partial<ComputeEnvironmentDetail> = {},
): ComputeEnvironmentDetail {
  return computeEnvironment(
    {
      computeEnvironmentName: 'mnbatch-demo',
      computeEnvironmentArn: `arn:aws:batch:${REGION}:${ACCOUNT}:compute-environment/mnbatch-demo`,
      ...overrides,
    },
    { maxvCpus: 288, instanceTypes: ['c5n.18xlarge'], subnets: ['subnet-0b2'] },
  );
}

/** Stack demo's job queue, with `overrides`. */
export function demoQueue(overrides: Partial<JobQueueDetail> = {}): JobQueueDetail {
  return {
    ...QUEUE,
    jobQueueName: 'mnbatch-demo',
    jobQueueArn: `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/mnbatch-demo`,
    computeEnvironmentOrder: [{ order: 1, computeEnvironment: 'mnbatch-demo' }],
    ...overrides,
  };
}
