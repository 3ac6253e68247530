/**
 * In-memory model of the EC2 / EFS / Batch / IAM / SSM resources `infra up/down/status` touch.
 * Resources move through their lifecycle states as they are described (see fake-infra.md).
 */
import type { ComputeEnvironmentDetail, JobQueueDetail } from '@aws-sdk/client-batch';
import type {
  Filter,
  LaunchTemplate,
  LaunchTemplateVersion,
  PlacementGroup,
  RouteTable,
  SecurityGroup,
  Subnet,
  Tag,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import type { FileSystemDescription, MountTargetDescription } from '@aws-sdk/client-efs';
import type { InstanceProfile, Role } from '@aws-sdk/client-iam';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** An AWS error as the SDK raises it (matched on `name`). */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' });
}

/** A resource that moves to its next state after `polls` more describe calls. */
export interface Pending<S> {
  polls: number;
  next: S;
}

/** Matches EC2 filters: `tag:KEY` against tags, other names against the given fields. */
export function matchesFilters(
  filters: readonly Filter[] | undefined,
  tags: readonly Tag[] | undefined,
  fields: Record<string, readonly (string | undefined)[]>,
): boolean {
  return (filters ?? []).every((f) => {
    const values = f.Values ?? [];
    if (f.Name?.startsWith('tag:')) {
      const key = f.Name.slice(4);
      return (tags ?? []).some((t) => t.Key === key && values.includes(t.Value ?? ''));
    }
    const have = fields[f.Name ?? ''];
    if (!have) throw awsError('InvalidParameterValue', `fake: unsupported filter ${f.Name}`);
    return have.some((h) => h !== undefined && values.includes(h));
  });
}

/** Everything that exists in the fake account. */
export class InfraState {
  private seq = 0;
  /** Mutating calls in the order they were made, e.g. `CreateSecurityGroup mnbatch-demo`. */
  readonly mutations: string[] = [];
  /** Calls that fail once with the given error, by operation name. */
  readonly failures = new Map<string, Error>();
  /** How many describes a new mount target stays `creating` (EFS often takes minutes). */
  mountTargetCreatingPolls = 1;
  /** How many describes a new compute environment stays CREATING. */
  computeEnvironmentCreatingPolls = 1;
  /** When set, new compute environments end INVALID with this reason. */
  computeEnvironmentInvalidReason: string | undefined;

  readonly subnets: Subnet[] = [];
  readonly routeTables: RouteTable[] = [];
  readonly ssmParameters = new Map<string, string>();
  /** Type and tags of the parameters mnbatch creates (the public ones have none). */
  readonly ssmParameterInfo = new Map<string, { type: string; tags: { Key: string; Value: string }[] }>();
  /** Inline role policies by role name, then policy name (the document as given). */
  readonly rolePolicies = new Map<string, Map<string, string>>();
  readonly placementGroups = new Map<string, PlacementGroup>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly launchTemplates = new Map<
    string,
    { template: LaunchTemplate; versions: LaunchTemplateVersion[] }
  >();
  readonly endpoints = new Map<string, VpcEndpoint>();
  readonly fileSystems = new Map<string, FileSystemDescription>();
  readonly fileSystemPending = new Map<string, Pending<string>>();
  readonly mountTargets = new Map<string, MountTargetDescription>();
  readonly mountTargetPending = new Map<string, Pending<string | undefined>>();
  /** Security groups of each mount target (DescribeMountTargets does not return them). */
  readonly mountTargetGroups = new Map<string, string[]>();
  readonly computeEnvironments = new Map<string, ComputeEnvironmentDetail>();
  readonly computeEnvironmentPending = new Map<
    string,
    Pending<Partial<ComputeEnvironmentDetail> | undefined>
  >();
  readonly jobQueues = new Map<string, JobQueueDetail>();
  readonly jobQueuePending = new Map<string, Pending<Partial<JobQueueDetail> | undefined>>();
  readonly roles = new Map<string, Role>();
  readonly attachedPolicies = new Map<string, string[]>();
  /** Customer managed policies an administrator made: ARN → document (one version, v1). */
  readonly managedPolicies = new Map<string, string>();
  readonly instanceProfiles = new Map<string, InstanceProfile>();

  /** A fresh id like `sg-0000000000000001`. */
  id(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${this.seq.toString(16).padStart(17, '0')}`;
  }

  /** Records a mutating call; throws the injected failure for it, if any. */
  mutate(operation: string, what: string): void {
    const failure = this.failures.get(operation);
    if (failure) {
      this.failures.delete(operation);
      throw failure;
    }
    this.mutations.push(`${operation} ${what}`);
  }

  /** Operations the caller is never allowed to make (AccessDenied every time). */
  readonly denied = new Set<string>();

  /** Read-only calls can fail too (throttling, permissions). */
  read(operation: string): void {
    if (this.denied.has(operation)) throw awsError('AccessDenied', `not authorized to perform ${operation}`);
    const failure = this.failures.get(operation);
    if (failure) {
      this.failures.delete(operation);
      throw failure;
    }
  }

  /** A VPC with one private subnet (route to a NAT gateway), as most tests need. */
  seedNetwork(options: { publicSubnet?: boolean } = {}): {
    vpcId: string;
    subnetId: string;
    routeTableId: string;
  } {
    const vpcId = 'vpc-0a1b2c3d4e5f60718';
    const subnetId = 'subnet-0a1b2c3d4e5f60718';
    const routeTableId = 'rtb-0a1b2c3d4e5f60718';
    this.subnets.push({
      SubnetId: subnetId,
      VpcId: vpcId,
      AvailabilityZone: 'us-east-1a',
      AvailabilityZoneId: 'use1-az1',
    });
    this.routeTables.push({
      RouteTableId: routeTableId,
      VpcId: vpcId,
      Associations: [{ SubnetId: subnetId, RouteTableId: routeTableId, Main: false }],
      Routes: [
        { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' },
        options.publicSubnet
          ? { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0123456789abcdef0' }
          : { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0123456789abcdef0' },
      ],
    });
    this.ssmParameters.set(
      '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      'ami-0ecs0al2023000000',
    );
    return { vpcId, subnetId, routeTableId };
  }
}
