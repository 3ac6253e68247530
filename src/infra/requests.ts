/**
 * The AWS requests that build a stack, as plain values (pure). The planner compares them with
 * what exists; the executor sends them; the CloudFormation template is tested against them.
 */
import type {
  CreateComputeEnvironmentCommandInput,
  CreateJobQueueCommandInput,
  Ec2Configuration,
  JobStateTimeLimitAction,
} from '@aws-sdk/client-batch';
import type {
  AuthorizeSecurityGroupIngressCommandInput,
  CreateLaunchTemplateCommandInput,
  CreatePlacementGroupCommandInput,
  CreateSecurityGroupCommandInput,
  CreateVpcEndpointCommandInput,
  IpPermission,
  LaunchTemplateInstanceNetworkInterfaceSpecificationRequest,
  RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { CreateFileSystemCommandInput, CreateMountTargetCommandInput } from '@aws-sdk/client-efs';
import type { CreateRoleCommandInput } from '@aws-sdk/client-iam';
import { EFA_INTERFACES_TAG } from '../contract/stack.js';
import type { InfraConfig } from './config.js';
import { stackNames, stackTags, tagList } from './names.js';
import { stackUserData } from './user-data.js';

/** NFS, opened to the security group itself when the stack has EFS. */
export const NFS_PORT = 2049;

/** Managed policy of the ECS/Batch container instance role. */
export const INSTANCE_ROLE_POLICY =
  'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role';

/** Ids of resources the later requests refer to; known once those resources exist. */
export interface StackRefs {
  readonly securityGroupId: string;
  readonly fileSystemId?: string | undefined;
  readonly launchTemplateId: string;
  readonly launchTemplateVersion: string;
  readonly instanceProfile: string;
  readonly computeEnvironmentArn: string;
  readonly routeTableId?: string | undefined;
  /** Root device of the AMI (`/dev/xvda` on the ECS-optimized Amazon Linux AMIs). */
  readonly rootDeviceName?: string | undefined;
}

/** Root device of the ECS-optimized Amazon Linux 2023 AMIs that `ami: default` runs. */
export const DEFAULT_ROOT_DEVICE = '/dev/xvda';

export function placementGroupRequest(config: InfraConfig): CreatePlacementGroupCommandInput {
  return {
    GroupName: stackNames(config.stack).placementGroup,
    Strategy: 'cluster',
    TagSpecifications: [{ ResourceType: 'placement-group', Tags: tagList(config) }],
  };
}

export function securityGroupRequest(config: InfraConfig): CreateSecurityGroupCommandInput {
  const name = stackNames(config.stack).securityGroup;
  return {
    GroupName: name,
    Description: `mnbatch stack ${config.stack}: MPI nodes talk to each other freely`,
    VpcId: config.vpcId,
    TagSpecifications: [{ ResourceType: 'security-group', Tags: tagList(config, name) }],
  };
}

/** The self-referencing ingress rules: all traffic, plus NFS when the stack has EFS. */
export function selfIngressRules(config: InfraConfig, groupId: string): IpPermission[] {
  const self = [{ GroupId: groupId, Description: 'nodes of the same stack' }];
  const rules: IpPermission[] = [{ IpProtocol: '-1', UserIdGroupPairs: self }];
  if (config.efs !== 'none') {
    rules.push({ IpProtocol: 'tcp', FromPort: NFS_PORT, ToPort: NFS_PORT, UserIdGroupPairs: self });
  }
  return rules;
}

export function ingressRequest(
  config: InfraConfig,
  groupId: string,
  rules: IpPermission[],
): AuthorizeSecurityGroupIngressCommandInput {
  return {
    GroupId: groupId,
    IpPermissions: rules,
    TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: tagList(config) }],
  };
}

export function fileSystemRequest(config: InfraConfig): CreateFileSystemCommandInput {
  return {
    CreationToken: stackNames(config.stack).efsCreationToken,
    PerformanceMode: 'generalPurpose',
    ThroughputMode: 'elastic',
    Encrypted: true,
    Tags: tagList(config, stackNames(config.stack).efs),
  };
}

export function mountTargetRequest(
  config: InfraConfig,
  fileSystemId: string,
  securityGroupId: string,
): CreateMountTargetCommandInput {
  return { FileSystemId: fileSystemId, SubnetId: config.subnetId, SecurityGroups: [securityGroupId] };
}

/**
 * The launch template's data: user data (MIME multipart, base64) and, with EFA, `efaInterfaces`
 * EFA interfaces, one per network card (stackEfaInterfaces, efa-interfaces.ts).
 */
export function launchTemplateData(
  config: InfraConfig,
  refs: Pick<StackRefs, 'securityGroupId' | 'fileSystemId' | 'rootDeviceName'>,
  efaInterfaces: number,
): RequestLaunchTemplateData {
  const userData = stackUserData(config, refs.fileSystemId);
  return {
    ...(userData ? { UserData: Buffer.from(userData).toString('base64') } : {}),
    // The root volume holds Docker's images on the ECS-optimized AMIs.
    ...(config.rootVolumeGiB
      ? {
          BlockDeviceMappings: [
            {
              DeviceName: refs.rootDeviceName ?? DEFAULT_ROOT_DEVICE,
              Ebs: {
                VolumeSize: config.rootVolumeGiB,
                VolumeType: 'gp3',
                Encrypted: true,
                DeleteOnTermination: true,
              },
            },
          ],
        }
      : {}),
    // With EFA the security group goes on the interfaces (and not on the compute environment).
    ...(config.efa ? { NetworkInterfaces: efaNetworkInterfaces(refs.securityGroupId, efaInterfaces) } : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tagList(config, `mnbatch-${config.stack}`) },
      { ResourceType: 'volume', Tags: tagList(config) },
    ],
  };
}

/**
 * The EFA interfaces of `count` network cards (EC2 User Guide, "Maximize network bandwidth on
 * Amazon EC2 instances with multiple network cards"). Card 0: the primary interface, EFA with
 * ENA, as every stack had it (an EFA-only interface cannot be primary; it carries the instance's
 * IP address, and the ECS agent attaches the containers' awsvpc interfaces next to it on card 0).
 * Every further card: an EFA-only interface at device index 0 (device index 1 is left for an ENA
 * interface, which mnbatch does not want): EFA-only has no IP address, so it takes no address
 * of the subnet per card and node (32 on p5.48xlarge) and gives Linux no second route to the
 * same subnet (source address and hostname mix-ups the guide warns about).
 */
function efaNetworkInterfaces(
  securityGroupId: string,
  count: number,
): LaunchTemplateInstanceNetworkInterfaceSpecificationRequest[] {
  const primary = {
    DeviceIndex: 0,
    InterfaceType: 'efa',
    Groups: [securityGroupId],
    DeleteOnTermination: true,
  };
  return [
    primary,
    ...Array.from({ length: Math.max(0, count - 1) }, (_, i) => ({
      NetworkCardIndex: i + 1,
      DeviceIndex: 0,
      InterfaceType: 'efa-only',
      Groups: [securityGroupId],
      DeleteOnTermination: true,
    })),
  ];
}

export function launchTemplateRequest(
  config: InfraConfig,
  refs: Pick<StackRefs, 'securityGroupId' | 'fileSystemId' | 'rootDeviceName'>,
  efaInterfaces: number,
): CreateLaunchTemplateCommandInput {
  return {
    LaunchTemplateName: stackNames(config.stack).launchTemplate,
    VersionDescription: 'mnbatch infra up',
    LaunchTemplateData: launchTemplateData(config, refs, efaInterfaces),
    TagSpecifications: [{ ResourceType: 'launch-template', Tags: tagList(config) }],
  };
}

export function s3EndpointRequest(
  config: InfraConfig,
  region: string,
  routeTableId: string,
): CreateVpcEndpointCommandInput {
  return {
    VpcId: config.vpcId,
    ServiceName: s3ServiceName(region),
    VpcEndpointType: 'Gateway',
    RouteTableIds: [routeTableId],
    TagSpecifications: [
      { ResourceType: 'vpc-endpoint', Tags: tagList(config, stackNames(config.stack).s3Endpoint) },
    ],
  };
}

/** The S3 gateway endpoint service of `region`. */
export function s3ServiceName(region: string): string {
  return `com.amazonaws.${region}.s3`;
}

/** The compute environment: managed, EC2 on-demand (never Spot), one subnet, one cluster placement group. */
export function computeEnvironmentRequest(
  config: InfraConfig,
  refs: Pick<StackRefs, 'securityGroupId' | 'launchTemplateId' | 'launchTemplateVersion' | 'instanceProfile'>,
): CreateComputeEnvironmentCommandInput {
  const names = stackNames(config.stack);
  return {
    computeEnvironmentName: names.computeEnvironment,
    type: 'MANAGED',
    state: 'ENABLED',
    computeResources: {
      type: 'EC2',
      // BEST_FIT_PROGRESSIVE lets `infra up` update instance types, AMI and launch template in place.
      allocationStrategy: 'BEST_FIT_PROGRESSIVE',
      minvCpus: 0,
      maxvCpus: config.maxVcpus,
      instanceTypes: [...config.instanceTypes],
      subnets: [config.subnetId],
      // With EFA the launch template's interface carries the security group instead.
      ...(config.efa ? {} : { securityGroupIds: [refs.securityGroupId] }),
      instanceRole: refs.instanceProfile,
      placementGroup: names.placementGroup,
      launchTemplate: { launchTemplateId: refs.launchTemplateId, version: refs.launchTemplateVersion },
      ec2Configuration: ec2Configuration(config),
      tags: stackTags(config),
    },
    tags: stackTags(config),
  };
}

/**
 * The AMIs of the compute environment. Batch's own AL2023 images: the plain one and, for GPU
 * instance types, the NVIDIA one (Batch matches each instance type to one of at most two
 * entries; with ECS_AL2023 alone GPU instances would boot without NVIDIA drivers). A baked AMI
 * is an ECS_AL2023 image and serves every instance type.
 */
function ec2Configuration(config: InfraConfig): Ec2Configuration[] {
  if (config.ami !== 'default') return [{ imageType: 'ECS_AL2023', imageIdOverride: config.ami }];
  return [{ imageType: 'ECS_AL2023' }, { imageType: 'ECS_AL2023_NVIDIA' }];
}

/**
 * The job queue. Besides the stack's tags it records the stack's EFA interfaces per instance
 * (EFA_INTERFACES_TAG, 0 without EFA), which `submit` reads for `efa: auto`.
 */
export function jobQueueRequest(
  config: InfraConfig,
  computeEnvironmentArn: string,
  efaInterfaces: number,
): CreateJobQueueCommandInput {
  return {
    jobQueueName: stackNames(config.stack).jobQueue,
    state: 'ENABLED',
    priority: 1,
    computeEnvironmentOrder: [{ order: 1, computeEnvironment: computeEnvironmentArn }],
    ...(config.runnableTimeLimit ? { jobStateTimeLimitActions: timeLimitActions(config) } : {}),
    tags: jobQueueTags(config, efaInterfaces),
  };
}

/** The job queue's tags: the stack's, and its EFA interfaces per instance (0 without EFA). */
export function jobQueueTags(
  config: Pick<InfraConfig, 'stack' | 'tags' | 'efa'>,
  efaInterfaces: number,
): Record<string, string> {
  return { ...stackTags(config), [EFA_INTERFACES_TAG]: String(config.efa ? efaInterfaces : 0) };
}

/** The queue's jobStateTimeLimitActions (empty when runnableTimeLimit is off). */
export function timeLimitActions(config: InfraConfig): JobStateTimeLimitAction[] {
  const limit = config.runnableTimeLimit;
  if (!limit) return [];
  return limit.reasons.map((reason) => ({
    reason,
    state: 'RUNNABLE',
    maxTimeSeconds: limit.maxTimeSeconds,
    action: 'CANCEL',
  }));
}

const ASSUME = (service: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });

/** The role the container instances run with (ECS agent, logs, image pulls). */
export function instanceRoleRequest(config: InfraConfig): CreateRoleCommandInput {
  return {
    RoleName: stackNames(config.stack).instanceRole,
    AssumeRolePolicyDocument: ASSUME('ec2.amazonaws.com'),
    Description: `mnbatch stack ${config.stack}: Batch container instances`,
    Tags: tagList(config),
  };
}

/** The role ECS reads the job definition's `secrets` (the stack's rendezvous key) with. */
export function executionRoleRequest(config: InfraConfig): CreateRoleCommandInput {
  return {
    RoleName: stackNames(config.stack).executionRole,
    AssumeRolePolicyDocument: ASSUME('ecs-tasks.amazonaws.com'),
    Description: `mnbatch stack ${config.stack}: ECS reads the stack's rendezvous key for jobs`,
    Tags: tagList(config),
  };
}

/**
 * Name of the inline policy mnbatch 0.1 put on the execution role; `infra up` and `infra down`
 * now only remove it (src/infra/execution-policy.ts says why).
 */
export const EXECUTION_ROLE_POLICY_NAME = 'mnbatch-execution';

/** A role for the job's containers, with no permissions: attach what the job needs. */
export function jobRoleRequest(config: InfraConfig): CreateRoleCommandInput {
  return {
    RoleName: stackNames(config.stack).jobRole,
    AssumeRolePolicyDocument: ASSUME('ecs-tasks.amazonaws.com'),
    Description: `mnbatch stack ${config.stack}: job containers (attach the policies your job needs)`,
    Tags: tagList(config),
  };
}
