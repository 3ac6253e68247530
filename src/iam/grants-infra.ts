/**
 * The grants of the infra policy: what `infra up/down/status` and `ami bake` call, on what.
 * Creates need the stack tag in the request (aws:RequestTag), changes and deletes need it on the
 * resource (aws:ResourceTag), names carry the stack prefix, and tags can be added only while
 * creating (ec2:CreateAction, elasticfilesystem:CreateAction), so the tag cannot be put on
 * someone else's resource to bring it into reach.
 */
import { stackParameterPrefix } from './execution.js';
import type { Grant } from './policy.js';
import {
  AMI_TAG,
  BUILDER_TAG,
  baseName,
  DEFAULT_INSTANCE_ROLE,
  INSTANCE_ROLE_POLICY,
  type PolicyScope,
  requestHasTag,
  requestTagged,
  resourceHasTag,
  resourceTagged,
  STACK_TAG,
  stackTagValue,
} from './scope.js';

const EC2 = 'arn:aws:ec2:*:*';
const BATCH = 'arn:aws:batch:*:*';
const IAM = 'arn:aws:iam::*';
const EFS = 'arn:aws:elasticfilesystem:*:*';

/** The EC2 calls that create tagged resources; CreateTags is allowed only as part of them. */
export const EC2_TAGGING_CREATES = [
  'AuthorizeSecurityGroupIngress',
  'CreateImage',
  'CreateLaunchTemplate',
  'CreatePlacementGroup',
  'CreateSecurityGroup',
  'CreateVpcEndpoint',
  'RunInstances',
] as const;

/** Services the instance role is passed to: Batch (compute environment) and EC2 (its instances). */
export const INSTANCE_ROLE_RECEIVERS = ['batch.amazonaws.com', 'ec2.amazonaws.com'] as const;

/** Roles `infra up` may pass as the instance role. */
export function instanceRoleArns(scope: PolicyScope): string[] {
  return [
    `${IAM}:role/${baseName(scope)}-instance`,
    `${IAM}:role/${DEFAULT_INSTANCE_ROLE}`,
    ...scope.passRoles,
  ];
}

function ec2Grants(scope: PolicyScope): Grant[] {
  const base = baseName(scope);
  return [
    {
      Sid: 'ReadEc2',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeImages',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeInstances',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribePlacementGroups',
        'ec2:DescribeRouteTables',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcEndpoints',
      ],
      Resource: '*',
      why: 'observe the stack and the builder (EC2 Describe calls support no resource-level permissions)',
    },
    {
      Sid: 'CreateTaggedEc2',
      Effect: 'Allow',
      Action: ['ec2:CreateLaunchTemplate', 'ec2:CreatePlacementGroup', 'ec2:CreateSecurityGroup'],
      Resource: [`${EC2}:placement-group/${base}`, `${EC2}:security-group/*`, `${EC2}:launch-template/*`],
      Condition: requestTagged(scope),
      why: 'create the placement group, security group and launch template, only with the stack tag',
    },
    {
      // Apart from CreateTaggedEc2: a rule's request tags must never stand in for the group's own tag.
      Sid: 'CreateTaggedRules',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress'],
      Resource: `${EC2}:security-group-rule/*`,
      Condition: requestTagged(scope),
      why: 'the self-referencing rules, created with the stack tag (the group itself: ChangeTaggedEc2)',
    },
    {
      Sid: 'CreateTaggedS3Endpoint',
      Effect: 'Allow',
      Action: ['ec2:CreateVpcEndpoint'],
      Resource: `${EC2}:vpc-endpoint/*`,
      Condition: {
        StringLike: {
          [`aws:RequestTag/${STACK_TAG}`]: stackTagValue(scope),
          'ec2:VpceServiceName': 'com.amazonaws.*.s3',
        },
      },
      why: 'create the S3 gateway endpoint, only with the stack tag and only for S3',
    },
    {
      Sid: 'CreateEc2InVpc',
      Effect: 'Allow',
      Action: ['ec2:CreateSecurityGroup', 'ec2:CreateVpcEndpoint'],
      Resource: [`${EC2}:vpc/*`, `${EC2}:route-table/*`],
      why: 'the VPC the security group and the endpoint go in, and the route table the S3 endpoint is added to',
    },
    {
      Sid: 'ChangeTaggedEc2',
      Effect: 'Allow',
      Action: [
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:CreateLaunchTemplateVersion',
        'ec2:DeleteLaunchTemplate',
        'ec2:DeletePlacementGroup',
        'ec2:DeleteSecurityGroup',
        'ec2:DeleteVpcEndpoints',
      ],
      Resource: [
        `${EC2}:placement-group/${base}`,
        `${EC2}:security-group/*`,
        `${EC2}:launch-template/*`,
        `${EC2}:vpc-endpoint/*`,
      ],
      Condition: resourceTagged(scope),
      why: "repair and delete only the stack's own EC2 resources (tagged mnbatch:stack)",
    },
    {
      Sid: 'TagOnlyWhileCreating',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: [
        `${EC2}:placement-group/*`,
        `${EC2}:security-group/*`,
        `${EC2}:security-group-rule/*`,
        `${EC2}:launch-template/*`,
        `${EC2}:vpc-endpoint/*`,
        `${EC2}:instance/*`,
        `${EC2}:volume/*`,
        'arn:aws:ec2:*::image/*',
        'arn:aws:ec2:*::snapshot/*',
      ],
      Condition: { StringEquals: { 'ec2:CreateAction': [...EC2_TAGGING_CREATES] } },
      why: 'EC2 checks CreateTags for TagSpecifications; allowed only inside those creates, never on an existing resource',
    },
    {
      Sid: 'EfsMountTargetInterfaces',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface'],
      Resource: [`${EC2}:network-interface/*`, `${EC2}:subnet/*`, `${EC2}:security-group/*`],
      why: "EFS creates and deletes the mount target's network interface with the caller's permissions (untagged: see docs/iam.md)",
    },
    {
      Sid: 'BakeBuilderLaunch',
      Effect: 'Allow',
      Action: ['ec2:RunInstances'],
      Resource: [`${EC2}:instance/*`, `${EC2}:volume/*`],
      Condition: {
        StringLike: { [`aws:RequestTag/${BUILDER_TAG}`]: '*' },
        Null: { 'ec2:InstanceProfile': 'true' },
      },
      why: '`ami bake` starts its builder: only tagged mnbatch:ami-builder, only without an instance profile (no role to borrow)',
    },
    {
      Sid: 'BakeBuilderLaunchFrom',
      Effect: 'Allow',
      Action: ['ec2:RunInstances'],
      Resource: [
        'arn:aws:ec2:*::image/*',
        `${EC2}:network-interface/*`,
        `${EC2}:subnet/*`,
        `${EC2}:security-group/*`,
      ],
      why: "the builder's base image, subnet, security group and network interface",
    },
    {
      Sid: 'BakeBuilderUse',
      Effect: 'Allow',
      Action: ['ec2:CreateImage', 'ec2:GetConsoleOutput', 'ec2:TerminateInstances'],
      Resource: `${EC2}:instance/*`,
      Condition: resourceHasTag(BUILDER_TAG),
      why: 'read, image and terminate only the tagged builder',
    },
    {
      Sid: 'BakeImage',
      Effect: 'Allow',
      Action: ['ec2:CreateImage'],
      Resource: ['arn:aws:ec2:*::image/*', 'arn:aws:ec2:*::snapshot/*'],
      Condition: requestHasTag(AMI_TAG),
      why: 'the baked image and its snapshots, created with the mnbatch:ami tag',
    },
    {
      Sid: 'BakeCleanUp',
      Effect: 'Allow',
      Action: ['ec2:DeregisterImage'],
      Resource: 'arn:aws:ec2:*::image/*',
      Condition: resourceHasTag(AMI_TAG),
      why: 'a failed bake deregisters only its own image (tagged mnbatch:ami)',
    },
  ];
}

function batchGrants(scope: PolicyScope): Grant[] {
  const ce = `${BATCH}:compute-environment/${baseName(scope)}`;
  const queue = `${BATCH}:job-queue/${baseName(scope)}`;
  return [
    {
      Sid: 'ReadBatchInfra',
      Effect: 'Allow',
      Action: ['batch:DescribeComputeEnvironments', 'batch:DescribeJobQueues'],
      Resource: '*',
      why: 'observe the compute environment and queue (no resource-level permissions)',
    },
    {
      Sid: 'CreateTaggedBatch',
      Effect: 'Allow',
      Action: ['batch:CreateComputeEnvironment', 'batch:CreateJobQueue', 'batch:TagResource'],
      Resource: [ce, queue],
      Condition: requestTagged(scope),
      why: "create the compute environment and queue named mnbatch-<stack>, and update the queue's mnbatch:efa-interfaces tag, only with the stack tag",
    },
    {
      Sid: 'ChangeTaggedBatch',
      Effect: 'Allow',
      Action: [
        'batch:CreateJobQueue',
        'batch:DeleteComputeEnvironment',
        'batch:DeleteJobQueue',
        'batch:UpdateComputeEnvironment',
        'batch:UpdateJobQueue',
      ],
      Resource: [ce, queue],
      Condition: resourceTagged(scope),
      why: "update and delete them, only when tagged (CreateJobQueue: the stack's compute environment the queue uses)",
    },
  ];
}

function efsGrants(scope: PolicyScope): Grant[] {
  return [
    {
      Sid: 'ReadEfs',
      Effect: 'Allow',
      Action: ['elasticfilesystem:DescribeFileSystems'],
      Resource: '*',
      why: 'find the stack file system by creation token (a listing names no file system)',
    },
    {
      Sid: 'ReadEfsMountTargets',
      Effect: 'Allow',
      Action: ['elasticfilesystem:DescribeMountTargets'],
      Resource: `${EFS}:file-system/*`,
      why: 'list the mount targets of the file system the stack uses',
    },
    {
      Sid: 'CreateTaggedEfs',
      Effect: 'Allow',
      Action: ['elasticfilesystem:CreateFileSystem'],
      Resource: '*',
      Condition: requestTagged(scope),
      why: 'create the stack file system, only with the stack tag (CreateFileSystem has no resource-level permissions)',
    },
    {
      Sid: 'TagEfsWhileCreating',
      Effect: 'Allow',
      Action: ['elasticfilesystem:TagResource'],
      Resource: `${EFS}:file-system/*`,
      Condition: { StringEquals: { 'elasticfilesystem:CreateAction': 'CreateFileSystem' } },
      why: 'EFS checks TagResource for the tags of CreateFileSystem; allowed only then',
    },
    {
      Sid: 'ChangeTaggedEfs',
      Effect: 'Allow',
      Action: [
        'elasticfilesystem:CreateMountTarget',
        'elasticfilesystem:DeleteFileSystem',
        'elasticfilesystem:DeleteMountTarget',
      ],
      Resource: `${EFS}:file-system/*`,
      Condition: resourceTagged(scope),
      why: 'mount targets and deletion only on the tagged stack file system',
    },
  ];
}

function iamGrants(scope: PolicyScope): Grant[] {
  // Exactly the roles and the profile `infra up` creates (src/infra/names.ts), no other name.
  const execution = `${IAM}:role/${baseName(scope)}-execution`;
  const roles = [`${IAM}:role/${baseName(scope)}-instance`, `${IAM}:role/${baseName(scope)}-job`, execution];
  const profiles = `${IAM}:instance-profile/${baseName(scope)}-instance`;
  const executionPolicy = `${IAM}:policy/${baseName(scope)}-execution`;
  return [
    {
      Sid: 'ReadStackRoles',
      Effect: 'Allow',
      Action: ['iam:GetInstanceProfile', 'iam:GetRole', 'iam:ListAttachedRolePolicies'],
      Resource: [...roles, profiles],
      why: "observe the stack's roles and instance profile (mnbatch-<stack>-instance, -job, -execution)",
    },
    {
      Sid: 'ReadExecutionPolicy',
      Effect: 'Allow',
      Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      Resource: executionPolicy,
      why: 'find the execution policy an administrator created (mnbatch-<stack>-execution) and compare it with `iam-policy --role execution`',
    },
    {
      Sid: 'AttachOnlyExecutionPolicy',
      Effect: 'Allow',
      Action: ['iam:AttachRolePolicy'],
      Resource: execution,
      Condition: {
        ArnLike: { 'iam:PolicyARN': [executionPolicy] },
        ...resourceTagged(scope),
      },
      why: "attach that policy and no other, only to the tagged execution role; no grant writes a policy, so its content stays the administrator's",
    },
    {
      Sid: 'FindOldExecutionRolePolicy',
      Effect: 'Allow',
      Action: ['iam:GetRolePolicy'],
      Resource: execution,
      why: 'find the inline policy mnbatch 0.1 put on the execution role',
    },
    {
      Sid: 'RemoveExecutionRoleInlinePolicy',
      Effect: 'Allow',
      Action: ['iam:DeleteRolePolicy'],
      Resource: execution,
      Condition: resourceTagged(scope),
      why: 'remove that inline policy (from `infra up`, and before `infra down` deletes the role): removing only takes permissions away',
    },
    {
      Sid: 'CreateTaggedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateInstanceProfile', 'iam:CreateRole', 'iam:TagInstanceProfile', 'iam:TagRole'],
      Resource: [...roles, profiles],
      Condition: requestTagged(scope),
      why: 'create the instance, job and execution roles and the instance profile with the stack prefix and tag',
    },
    {
      Sid: 'AttachOnlyEcsInstancePolicy',
      Effect: 'Allow',
      Action: ['iam:AttachRolePolicy'],
      Resource: `${IAM}:role/${baseName(scope)}-instance`,
      Condition: {
        ArnEquals: { 'iam:PolicyARN': [INSTANCE_ROLE_POLICY] },
        ...resourceTagged(scope),
      },
      why: 'attach AmazonEC2ContainerServiceforEC2Role and no other policy, only to the tagged stack instance role',
    },
    {
      Sid: 'DetachFromTaggedRoles',
      Effect: 'Allow',
      Action: ['iam:DetachRolePolicy'],
      Resource: roles,
      Condition: resourceTagged(scope),
      why: '`infra down` detaches whatever is attached to the tagged stack roles (removing permissions only) before deleting them',
    },
    {
      Sid: 'ChangeTaggedRoles',
      Effect: 'Allow',
      Action: [
        'iam:AddRoleToInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:DeleteRole',
        'iam:RemoveRoleFromInstanceProfile',
      ],
      Resource: [...roles, profiles],
      Condition: resourceTagged(scope),
      why: 'put the instance role in its profile, and delete them, only when tagged',
    },
    {
      Sid: 'PassInstanceRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: instanceRoleArns(scope),
      Condition: { StringEquals: { 'iam:PassedToService': [...INSTANCE_ROLE_RECEIVERS] } },
      why: "hand the instance role to the compute environment and its profile: the stack's role, ecsInstanceRole, or --pass-role",
    },
    {
      Sid: 'ServiceLinkedRoles',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: [
        `${IAM}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch`,
        `${IAM}:role/aws-service-role/elasticfilesystem.amazonaws.com/AWSServiceRoleForAmazonElasticFileSystem`,
      ],
      Condition: {
        StringEquals: { 'iam:AWSServiceName': ['batch.amazonaws.com', 'elasticfilesystem.amazonaws.com'] },
      },
      why: 'first use of Batch or EFS in an account creates their service-linked roles (and nothing else)',
    },
  ];
}

/** Reads the public ECS-optimized AMI parameters; keeps the stack's rendezvous key. */
function ssmGrants(scope: PolicyScope): Grant[] {
  const stackParameters = `arn:aws:ssm:*:*:parameter${stackParameterPrefix(scope)}*`;
  return [
    {
      Sid: 'FindStackParameters',
      Effect: 'Allow',
      Action: ['ssm:DescribeParameters'],
      Resource: '*',
      why: "find the stack's rendezvous key by name (metadata only, never a value; the call takes no resource)",
    },
    {
      Sid: 'ReadStackParameterTags',
      Effect: 'Allow',
      Action: ['ssm:ListTagsForResource'],
      Resource: stackParameters,
      why: "tell the stack's own key from a parameter of that name that is someone else's",
    },
    {
      Sid: 'CreateTaggedStackParameters',
      Effect: 'Allow',
      Action: ['ssm:AddTagsToResource', 'ssm:PutParameter'],
      Resource: stackParameters,
      Condition: requestTagged(scope),
      why: 'create the rendezvous key under /mnbatch/<stack>/ only with the stack tag; PutParameter cannot overwrite with tags, so no existing value can be replaced',
    },
    {
      Sid: 'DeleteTaggedStackParameters',
      Effect: 'Allow',
      Action: ['ssm:DeleteParameter'],
      Resource: stackParameters,
      Condition: resourceTagged(scope),
      why: '`infra down` deletes the rendezvous key, only when tagged with the stack',
    },
    {
      Sid: 'ReadEcsAmiParameter',
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: 'arn:aws:ssm:*:*:parameter/aws/service/ecs/optimized-ami/*',
      why: "resolve the ECS-optimized AMI from AWS's public parameters",
    },
  ];
}

/** The infra policy's grants for `scope`. */
export function infraGrants(scope: PolicyScope): Grant[] {
  return [
    ...ec2Grants(scope),
    ...batchGrants(scope),
    ...efsGrants(scope),
    ...iamGrants(scope),
    ...ssmGrants(scope),
  ];
}
