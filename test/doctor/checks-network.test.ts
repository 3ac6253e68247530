import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  type Route,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { NEEDED_ENDPOINTS, routeCheck, subnetCheck } from '../../src/doctor/checks-network.js';
import { doctorFacts } from '../../src/doctor/input.js';
import { doctorMocks, healthy, infraConfig, REGION, services, ZONE } from './_mock-sdk.js';

const { ec2Mock } = doctorMocks();

// DescribeVpcEndpoints sends camelCase states, unlike the SDK's enum (docs/aws-quirks.md).
const AVAILABLE = 'available' as VpcEndpoint['State'];
const SUBNET = { SubnetId: 'subnet-0b2', VpcId: 'vpc-0a1', AvailabilityZone: ZONE };

async function subnetResult(infra = infraConfig()) {
  return subnetCheck(services(), infra, doctorFacts(services(), { infra }));
}

/** A route table of the subnet whose default route is `route` (none when undefined). */
function tableWith(route?: Route) {
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-private',
        VpcId: 'vpc-0a1',
        Associations: [{ Main: false, SubnetId: 'subnet-0b2', RouteTableId: 'rtb-private' }],
        Routes: [
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
          ...(route ? [{ DestinationCidrBlock: '0.0.0.0/0', State: 'active' as const, ...route }] : []),
        ],
      },
    ],
  });
}

describe('subnet', () => {
  it('is ok for a subnet of the VPC, naming its zone', async () => {
    healthy();
    expect(await subnetResult()).toMatchObject({ status: 'ok', detail: `subnet-0b2 in ${ZONE} (vpc-0a1)` });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'subnet-id', Values: ['subnet-0b2'] }],
    });
  });

  it('fails when the subnet is not in the region', async () => {
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    expect(await subnetResult()).toMatchObject({
      status: 'fail',
      detail: `subnet subnet-0b2 does not exist in ${REGION}`,
    });
  });

  it('fails when the subnet is in another VPC than vpcId', async () => {
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ ...SUBNET, VpcId: 'vpc-0ff' }] });
    expect(await subnetResult()).toMatchObject({ status: 'fail', fix: 'set vpcId in infra.yaml to vpc-0ff' });
  });
});

describe('route', () => {
  it('is ok when 0.0.0.0/0 goes to a NAT gateway (the subnet’s own table, not the main one)', async () => {
    healthy();
    expect(await routeCheck(services(), infraConfig(), SUBNET)).toMatchObject({
      status: 'ok',
      detail: '0.0.0.0/0 goes to nat-0c3',
    });
  });

  it('is ok for a NAT instance', async () => {
    tableWith({ InstanceId: 'i-0nat' });
    expect((await routeCheck(services(), infraConfig(), SUBNET)).status).toBe('ok');
  });

  it('uses the main table for a subnet without its own', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          RouteTableId: 'rtb-main',
          Associations: [{ Main: true, RouteTableId: 'rtb-main' }],
          Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0main', State: 'active' }],
        },
      ],
    });
    expect((await routeCheck(services(), infraConfig(), SUBNET)).detail).toBe('0.0.0.0/0 goes to nat-0main');
  });

  it('warns, naming every missing endpoint, when the default route is an internet gateway', async () => {
    tableWith({ GatewayId: 'igw-0e5' });
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        {
          VpcEndpointId: 'vpce-1',
          ServiceName: `com.amazonaws.${REGION}.s3`,
          State: AVAILABLE,
          VpcId: 'vpc-0a1',
        },
      ],
    });
    const result = await routeCheck(services(), infraConfig(), SUBNET);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe(
      '0.0.0.0/0 goes to igw-0e5, which MNP tasks cannot use (they get no public IP), and no VPC endpoint for ecs, ecs-agent, ecs-telemetry, ecr.api, ecr.dkr, logs',
    );
    expect(result.fix).toContain('route 0.0.0.0/0 to a NAT gateway');
  });

  it('does not count a blackhole route as a NAT', async () => {
    tableWith({ NatGatewayId: 'nat-0gone', State: 'blackhole' });
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    expect((await routeCheck(services(), infraConfig(), SUBNET)).detail).toMatch(
      /^no default route from subnet-0b2/,
    );
  });

  it('is ok without a NAT when every endpoint is there (as the service sends states: camelCase)', async () => {
    tableWith();
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: NEEDED_ENDPOINTS.map((s, i) => ({
        VpcEndpointId: `vpce-${i}`,
        ServiceName: `com.amazonaws.${REGION}.${s}`,
        State: AVAILABLE,
        VpcId: 'vpc-0a1',
      })),
    });
    expect(await routeCheck(services(), infraConfig(), SUBNET)).toMatchObject({ status: 'ok' });
    expect(ec2Mock.commandCalls(DescribeVpcEndpointsCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1'] }],
    });
  });

  it('warns that a transit gateway must lead to a NAT', async () => {
    tableWith({ TransitGatewayId: 'tgw-0f6' });
    expect(await routeCheck(services(), infraConfig(), SUBNET)).toMatchObject({ status: 'warn' });
  });

  it('is skipped without a subnet', async () => {
    expect((await routeCheck(services(), infraConfig(), undefined)).status).toBe('skip');
  });
});
