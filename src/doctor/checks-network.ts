/**
 * Checks of the network: the stack's subnet exists, and its instances can reach ECS, ECR and
 * CloudWatch Logs. MNP tasks get no public IP, so that takes a NAT (0.0.0.0/0 to a NAT gateway or
 * NAT instance) or VPC endpoints for each of those services.
 */
import type { RouteTable, Subnet, VpcEndpoint } from '@aws-sdk/client-ec2';
import { isState } from '../aws/states.js';
import type { InfraConfig } from '../infra/config.js';
import type { DoctorFacts } from './input.js';
import { type CheckResult, fail, ok, skip, warn } from './report.js';
import type { DoctorServices } from './services.js';

/** Services the instances and containers of a job reach, as VPC endpoint service suffixes. */
export const NEEDED_ENDPOINTS = [
  'ecs',
  'ecs-agent',
  'ecs-telemetry',
  'ecr.api',
  'ecr.dkr',
  's3',
  'logs',
] as const;

/** `subnet`: infra.yaml's subnet exists in the region and VPC. */
export async function subnetCheck(
  services: DoctorServices,
  infra: InfraConfig,
  facts: DoctorFacts,
): Promise<CheckResult> {
  const subnet = await facts.subnet();
  if (!subnet)
    return fail(
      'subnet',
      `subnet ${infra.subnetId} does not exist in ${services.region}`,
      'set subnetId in infra.yaml to a private subnet of this region (or use --region)',
    );
  if (subnet.VpcId !== infra.vpcId)
    return fail(
      'subnet',
      `subnet ${infra.subnetId} is in ${subnet.VpcId}, not in vpcId ${infra.vpcId}`,
      `set vpcId in infra.yaml to ${subnet.VpcId}`,
    );
  return ok('subnet', `${infra.subnetId} in ${subnet.AvailabilityZone} (${subnet.VpcId})`);
}

/** The route table that applies to `subnet`: its own association, else the VPC's main table. */
export function routeTableOf(subnetId: string, tables: readonly RouteTable[]): RouteTable | undefined {
  return (
    tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ??
    tables.find((t) => t.Associations?.some((a) => a.Main))
  );
}

/** Where the table's active default route goes, judged for a subnet without public IPs. */
export function defaultRoute(table: RouteTable | undefined): {
  kind: 'nat' | 'transit' | 'internet' | 'none';
  target: string;
} {
  const route = table?.Routes?.find(
    (r) => r.DestinationCidrBlock === '0.0.0.0/0' && (r.State === undefined || isState(r.State, 'active')),
  );
  if (!route) return { kind: 'none', target: '' };
  if (route.NatGatewayId) return { kind: 'nat', target: route.NatGatewayId };
  if (route.InstanceId) return { kind: 'nat', target: `NAT instance ${route.InstanceId}` };
  if (route.TransitGatewayId) return { kind: 'transit', target: route.TransitGatewayId };
  return { kind: 'internet', target: route.GatewayId ?? route.NetworkInterfaceId ?? '?' };
}

/** The needed services with no available endpoint among `endpoints`. */
export function missingEndpoints(region: string, endpoints: readonly VpcEndpoint[]): string[] {
  const have = new Set(
    endpoints.filter((e) => isState(e.State, 'available')).map((e) => e.ServiceName ?? ''),
  );
  return NEEDED_ENDPOINTS.filter((s) => !have.has(`com.amazonaws.${region}.${s}`));
}

/** `route`: the subnet reaches AWS services through a NAT, or through VPC endpoints. */
export async function routeCheck(
  services: DoctorServices,
  infra: InfraConfig,
  subnet: Subnet | undefined,
): Promise<CheckResult> {
  if (!subnet) return skip('route', 'no subnet to look at (see subnet)');
  const tables = await services.ec2.describeRouteTables({
    Filters: [{ Name: 'vpc-id', Values: [subnet.VpcId ?? infra.vpcId] }],
  });
  const route = defaultRoute(routeTableOf(infra.subnetId, tables));
  if (route.kind === 'nat') return ok('route', `0.0.0.0/0 goes to ${route.target}`);
  if (route.kind === 'transit')
    return warn(
      'route',
      `0.0.0.0/0 goes to transit gateway ${route.target}`,
      'make sure it leads to a NAT: MNP tasks get no public IP',
    );
  const endpoints = await services.ec2.describeVpcEndpoints({
    Filters: [{ Name: 'vpc-id', Values: [subnet.VpcId ?? infra.vpcId] }],
  });
  const missing = missingEndpoints(services.region, endpoints);
  const why =
    route.kind === 'internet'
      ? `0.0.0.0/0 goes to ${route.target}, which MNP tasks cannot use (they get no public IP)`
      : `no default route from ${infra.subnetId}`;
  if (missing.length === 0) return ok('route', `${why}; VPC endpoints for every service the job needs`);
  return warn(
    'route',
    `${why}, and no VPC endpoint for ${missing.join(', ')}`,
    `route 0.0.0.0/0 to a NAT gateway, or create VPC endpoints for ${missing.join(', ')} (s3: gateway endpoint, \`s3Endpoint: true\`)`,
  );
}
