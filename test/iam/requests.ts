/**
 * The requests mnbatch makes (with the names and tags it gives its resources) and the requests a
 * holder of its policies must not be able to make, for the simulator tests.
 */
import { BUILDER_TAG } from '../../src/ami/plan.js';
import { ECS_AL2023_AMI_PARAMETER } from '../../src/aws/ssm.js';
import { STACK_TAG } from '../../src/contract/stack.js';
import { ECR_PUSH_ACTIONS } from '../../src/iam/needed.js';
import { JOB_TAG } from '../../src/iam/scope.js';
import { repositoryName } from '../../src/image/repository.js';
import { stackNames } from '../../src/infra/names.js';
import { INSTANCE_ROLE_POLICY } from '../../src/infra/requests.js';
import { bakeSent, infraSent, submitSent } from './product-requests.js';
import { ACCOUNT, DEFAULT_KEY_POLICY, REGION, type SimRequest } from './simulate.js';

export const STACK = 'dev';
const names = stackNames(STACK);
/** What mnbatch's own request builders send (tags, names), for the requests that must be allowed. */
const up = infraSent(STACK);
const bake = bakeSent();
const sent = submitSent(STACK);
const ec2 = (rest: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${rest}`;
const ec2Public = (rest: string) => `arn:aws:ec2:${REGION}::${rest}`;
const batch = (rest: string) => `arn:aws:batch:${REGION}:${ACCOUNT}:${rest}`;
const iam = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;
const param = (name: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
const fs = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-0123456789abcdef0`;
const stackTagged = { [`aws:ResourceTag/${STACK_TAG}`]: STACK };
const stackRequest = { [`aws:RequestTag/${STACK_TAG}`]: STACK, 'aws:TagKeys': [STACK_TAG] };
const sg = ec2('security-group/sg-0123456789abcdef0');
const lt = ec2('launch-template/lt-0123456789abcdef0');
const builder = ec2('instance/i-0123456789abcdef0');
const jobDef = batch(`job-definition/${sent.jobDefinitionName}:1`);
const job = batch('job/6b1c7d2e-0000-4000-8000-000000000001');
const jobRequest = { [`aws:RequestTag/${JOB_TAG}`]: 'hello', 'aws:TagKeys': [JOB_TAG, 'mnbatch:version'] };
const createAction = (a: string) => ({ 'ec2:CreateAction': a });
/** The ECR repository `submit` pushes job `hello` of the stack to (src/image/repository.ts). */
const jobRepository = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repositoryName('hello', STACK)}`;

/** What `submit`, `status`, `logs`, `list` and `cancel` send. */
export const SUBMIT_REQUESTS: readonly SimRequest[] = [
  { what: 'find the queue', action: 'batch:DescribeJobQueues', resource: '*' },
  { what: 'its compute environment', action: 'batch:DescribeComputeEnvironments', resource: '*' },
  { what: 'reuse a job definition', action: 'batch:DescribeJobDefinitions', resource: '*' },
  { what: 'follow jobs', action: 'batch:DescribeJobs', resource: '*' },
  { what: 'list jobs', action: 'batch:ListJobs', resource: '*' },
  {
    what: 'register the job definition',
    action: 'batch:RegisterJobDefinition',
    resource: batch(`job-definition/${sent.jobDefinitionName}`),
    context: sent.definition,
  },
  { what: 'tag it on create', action: 'batch:TagResource', resource: jobDef, context: sent.definition },
  {
    what: 'submit to the stack queue',
    action: 'batch:SubmitJob',
    resource: batch(`job-queue/${sent.jobQueue}`),
  },
  { what: 'the new job', action: 'batch:SubmitJob', resource: job, context: sent.job },
  {
    what: 'instance type facts for efa: auto and the stuck-job diagnosis',
    action: 'ec2:DescribeInstanceTypes',
    resource: '*',
  },
  {
    what: "where a stuck job stands in the stack's queue",
    action: 'batch:GetJobQueueSnapshot',
    resource: batch(`job-queue/${sent.jobQueue}`),
  },
  {
    what: 'of an mnbatch job definition',
    action: 'batch:SubmitJob',
    resource: jobDef,
    context: sent.definitionResource,
  },
  { what: 'tag the job on submit', action: 'batch:TagResource', resource: job, context: sent.job },
  { what: 'cancel', action: 'batch:TerminateJob', resource: job, context: sent.jobResource },
  {
    what: 'read the log',
    action: 'logs:GetLogEvents',
    resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/batch/job:log-stream:hello/default/0a1b2c`,
  },
  ...['batch.amazonaws.com', 'ecs-tasks.amazonaws.com'].map((service) => ({
    what: `pass the stack job role to ${service}`,
    action: 'iam:PassRole',
    resource: iam(`role/${names.jobRole}`),
    context: { 'iam:PassedToService': service },
  })),
  { what: 'log docker in to ECR', action: 'ecr:GetAuthorizationToken', resource: '*' },
  { what: 'find the job image repository', action: 'ecr:DescribeRepositories', resource: jobRepository },
  { what: 'create it', action: 'ecr:CreateRepository', resource: jobRepository },
  { what: 'tag it on create', action: 'ecr:TagResource', resource: jobRepository },
  { what: 'is the image already pushed', action: 'ecr:DescribeImages', resource: jobRepository },
  { what: 'read its lifecycle policy', action: 'ecr:GetLifecyclePolicy', resource: jobRepository },
  { what: 'keep the last N images in it', action: 'ecr:PutLifecyclePolicy', resource: jobRepository },
  {
    what: "resolve an image: tag of the user's own repository",
    action: 'ecr:DescribeImages',
    resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`,
  },
  ...ECR_PUSH_ACTIONS.map((action) => ({ what: `docker push (${action})`, action, resource: jobRepository })),
];

/** Attempts a holder of the submit policy must be denied. */
export const SUBMIT_DENIED: readonly SimRequest[] = [
  {
    what: 'pass a role that is not mnbatch’s',
    action: 'iam:PassRole',
    resource: iam('role/admin'),
    context: { 'iam:PassedToService': 'batch.amazonaws.com' },
  },
  {
    what: 'pass the job role to EC2',
    action: 'iam:PassRole',
    resource: iam(`role/${names.jobRole}`),
    context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
  },
  {
    what: 'submit a foreign job definition',
    action: 'batch:SubmitJob',
    resource: batch('job-definition/admin-job:3'),
  },
  {
    what: 'submit a foreign job definition by name (no revision)',
    action: 'batch:SubmitJob',
    resource: batch('job-definition/admin-job'),
  },
  {
    what: 'tag a foreign job definition mnbatch:job (to run it next)',
    action: 'batch:TagResource',
    resource: batch('job-definition/admin-job:3'),
    context: jobRequest,
  },
  {
    what: 'submit a foreign job definition that someone tagged mnbatch:job',
    action: 'batch:SubmitJob',
    resource: batch('job-definition/admin-job:3'),
    context: { [`aws:ResourceTag/${JOB_TAG}`]: 'hello' },
  },
  {
    what: 'register a job definition not named mnbatch-…',
    action: 'batch:RegisterJobDefinition',
    resource: batch('job-definition/admin-job'),
    context: jobRequest,
  },
  {
    what: 'register a privileged job definition',
    action: 'batch:RegisterJobDefinition',
    resource: batch('job-definition/mnbatch-hello-3f2a9c1d'),
    context: { ...jobRequest, 'batch:Privileged': 'true' },
  },
  {
    what: 'submit to a foreign queue',
    action: 'batch:SubmitJob',
    resource: batch('job-queue/prod-critical'),
  },
  {
    what: 'register without the mnbatch:job tag',
    action: 'batch:RegisterJobDefinition',
    resource: batch('job-definition/x'),
  },
  { what: 'cancel a job mnbatch did not submit', action: 'batch:TerminateJob', resource: job },
  {
    what: 'read any other log group',
    action: 'logs:GetLogEvents',
    resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/prod:log-stream:x`,
  },
  ...ECR_PUSH_ACTIONS.map((action) => ({
    what: `push to a repository not named mnbatch/… (${action})`,
    action,
    resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`,
  })),
  {
    what: 'create a repository not named mnbatch/…',
    action: 'ecr:CreateRepository',
    resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`,
  },
  {
    what: 'set the lifecycle policy of a repository not named mnbatch/… (could expire its images)',
    action: 'ecr:PutLifecyclePolicy',
    resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`,
  },
  {
    what: 'delete an mnbatch repository',
    action: 'ecr:DeleteRepository',
    resource: jobRepository,
  },
];

/** What `infra up/down/status` and `ami bake` send. */
export const INFRA_REQUESTS: readonly SimRequest[] = [
  ...[
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
    'batch:DescribeComputeEnvironments',
    'batch:DescribeJobQueues',
    'elasticfilesystem:DescribeFileSystems',
  ].map((action) => ({ what: 'observe', action, resource: '*' })),
  {
    what: 'placement group',
    action: 'ec2:CreatePlacementGroup',
    resource: ec2(`placement-group/${names.placementGroup}`),
    context: up.placementGroup,
  },
  {
    what: 'tag it',
    action: 'ec2:CreateTags',
    resource: ec2(`placement-group/${names.placementGroup}`),
    context: { ...up.placementGroup, ...createAction('CreatePlacementGroup') },
  },
  { what: 'security group', action: 'ec2:CreateSecurityGroup', resource: sg, context: up.securityGroup },
  { what: 'in the VPC', action: 'ec2:CreateSecurityGroup', resource: ec2('vpc/vpc-0123456789abcdef0') },
  {
    what: 'tag it',
    action: 'ec2:CreateTags',
    resource: sg,
    context: { ...up.securityGroup, ...createAction('CreateSecurityGroup') },
  },
  {
    what: 'self rules',
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: sg,
    context: up.stackResource,
  },
  {
    what: 'tagged rules',
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: ec2('security-group-rule/sgr-0123456789abcdef0'),
    context: up.ingressRule,
  },
  { what: 'launch template', action: 'ec2:CreateLaunchTemplate', resource: lt, context: up.launchTemplate },
  { what: 'new version', action: 'ec2:CreateLaunchTemplateVersion', resource: lt, context: up.stackResource },
  {
    what: 'S3 endpoint',
    action: 'ec2:CreateVpcEndpoint',
    resource: ec2('vpc-endpoint/vpce-0123456789abcdef0'),
    context: up.s3Endpoint,
  },
  { what: 'in the VPC', action: 'ec2:CreateVpcEndpoint', resource: ec2('vpc/vpc-0123456789abcdef0') },
  {
    what: 'on the route table',
    action: 'ec2:CreateVpcEndpoint',
    resource: ec2('route-table/rtb-0123456789abcdef0'),
  },
  {
    what: 'down: endpoint',
    action: 'ec2:DeleteVpcEndpoints',
    resource: ec2('vpc-endpoint/vpce-0123456789abcdef0'),
    context: up.stackResource,
  },
  { what: 'down: template', action: 'ec2:DeleteLaunchTemplate', resource: lt, context: up.stackResource },
  { what: 'down: group', action: 'ec2:DeleteSecurityGroup', resource: sg, context: up.stackResource },
  {
    what: 'down: placement group',
    action: 'ec2:DeletePlacementGroup',
    resource: ec2(`placement-group/${names.placementGroup}`),
    context: up.stackResource,
  },
  {
    what: 'file system',
    action: 'elasticfilesystem:CreateFileSystem',
    resource: '*',
    context: up.fileSystem,
  },
  {
    what: 'tag it',
    action: 'elasticfilesystem:TagResource',
    resource: fs,
    context: { ...up.fileSystem, 'elasticfilesystem:CreateAction': 'CreateFileSystem' },
  },
  { what: 'mount targets', action: 'elasticfilesystem:DescribeMountTargets', resource: fs },
  {
    what: 'mount target',
    action: 'elasticfilesystem:CreateMountTarget',
    resource: fs,
    context: up.stackResource,
  },
  { what: 'its interface', action: 'ec2:CreateNetworkInterface', resource: ec2('network-interface/*') },
  {
    what: 'in the subnet',
    action: 'ec2:CreateNetworkInterface',
    resource: ec2('subnet/subnet-0123456789abcdef0'),
  },
  {
    what: 'down: mount target',
    action: 'elasticfilesystem:DeleteMountTarget',
    resource: fs,
    context: up.stackResource,
  },
  {
    what: 'down: its interface',
    action: 'ec2:DeleteNetworkInterface',
    resource: ec2('network-interface/eni-0123456789abcdef0'),
  },
  {
    what: 'down: file system',
    action: 'elasticfilesystem:DeleteFileSystem',
    resource: fs,
    context: up.stackResource,
  },
  {
    what: 'compute environment',
    action: 'batch:CreateComputeEnvironment',
    resource: batch(`compute-environment/${names.computeEnvironment}`),
    context: up.computeEnvironment,
  },
  {
    what: 'tag it',
    action: 'batch:TagResource',
    resource: batch(`compute-environment/${names.computeEnvironment}`),
    context: up.computeEnvironment,
  },
  {
    what: 'update it',
    action: 'batch:UpdateComputeEnvironment',
    resource: batch(`compute-environment/${names.computeEnvironment}`),
    context: up.stackResource,
  },
  {
    what: 'job queue',
    action: 'batch:CreateJobQueue',
    resource: batch(`job-queue/${names.jobQueue}`),
    context: up.jobQueue,
  },
  {
    what: 'on the stack CE',
    action: 'batch:CreateJobQueue',
    resource: batch(`compute-environment/${names.computeEnvironment}`),
    context: up.stackResource,
  },
  {
    what: 'update it',
    action: 'batch:UpdateJobQueue',
    resource: batch(`job-queue/${names.jobQueue}`),
    context: up.stackResource,
  },
  {
    what: "update its EFA interfaces tag (TagResource with the queue's tags, the stack tag among them)",
    action: 'batch:TagResource',
    resource: batch(`job-queue/${names.jobQueue}`),
    context: { ...up.stackResource, ...up.jobQueue },
  },
  {
    what: 'down: queue',
    action: 'batch:DeleteJobQueue',
    resource: batch(`job-queue/${names.jobQueue}`),
    context: up.stackResource,
  },
  {
    what: 'down: CE',
    action: 'batch:DeleteComputeEnvironment',
    resource: batch(`compute-environment/${names.computeEnvironment}`),
    context: up.stackResource,
  },
  {
    what: 'Batch service-linked role',
    action: 'iam:CreateServiceLinkedRole',
    resource: iam('role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch'),
    context: { 'iam:AWSServiceName': 'batch.amazonaws.com' },
  },
  {
    what: 'EFS service-linked role',
    action: 'iam:CreateServiceLinkedRole',
    resource: iam(
      'role/aws-service-role/elasticfilesystem.amazonaws.com/AWSServiceRoleForAmazonElasticFileSystem',
    ),
    context: { 'iam:AWSServiceName': 'elasticfilesystem.amazonaws.com' },
  },
  ...[
    [up.names.instanceRole, up.instanceRole],
    [up.names.jobRole, up.jobRole],
    [up.names.executionRole, up.executionRole],
  ].flatMap(([role, tags]) => [
    { what: 'look', action: 'iam:GetRole', resource: iam(`role/${role}`) },
    { what: 'create', action: 'iam:CreateRole', resource: iam(`role/${role}`), context: tags },
    { what: 'tag', action: 'iam:TagRole', resource: iam(`role/${role}`), context: tags },
    { what: 'policies', action: 'iam:ListAttachedRolePolicies', resource: iam(`role/${role}`) },
    { what: 'down', action: 'iam:DeleteRole', resource: iam(`role/${role}`), context: up.stackResource },
  ]),
  {
    what: 'attach the ECS policy',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.instanceRole}`),
    context: { ...up.stackResource, 'iam:PolicyARN': INSTANCE_ROLE_POLICY },
  },
  {
    what: 'down: detach it',
    action: 'iam:DetachRolePolicy',
    resource: iam(`role/${names.instanceRole}`),
    context: { ...up.stackResource, 'iam:PolicyARN': INSTANCE_ROLE_POLICY },
  },
  {
    what: 'down: detach what the user attached to the job role',
    action: 'iam:DetachRolePolicy',
    resource: iam(`role/${names.jobRole}`),
    context: { ...up.stackResource, 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/my-job-s3-access` },
  },
  {
    what: 'profile',
    action: 'iam:GetInstanceProfile',
    resource: iam(`instance-profile/${names.instanceProfile}`),
  },
  {
    what: 'profile',
    action: 'iam:CreateInstanceProfile',
    resource: iam(`instance-profile/${names.instanceProfile}`),
    context: up.instanceProfile,
  },
  {
    what: 'tag it',
    action: 'iam:TagInstanceProfile',
    resource: iam(`instance-profile/${names.instanceProfile}`),
    context: up.instanceProfile,
  },
  {
    what: 'role in it',
    action: 'iam:AddRoleToInstanceProfile',
    resource: iam(`instance-profile/${names.instanceProfile}`),
    context: up.stackResource,
  },
  {
    what: 'down: role out',
    action: 'iam:RemoveRoleFromInstanceProfile',
    resource: iam(`instance-profile/${names.instanceProfile}`),
    context: up.stackResource,
  },
  {
    what: 'down: profile',
    action: 'iam:DeleteInstanceProfile',
    resource: iam(`instance-profile/${names.instanceProfile}`),
    context: up.stackResource,
  },
  ...['batch.amazonaws.com', 'ec2.amazonaws.com'].flatMap((service) =>
    [names.instanceRole, 'ecsInstanceRole'].map((role) => ({
      what: `pass ${role} to ${service}`,
      action: 'iam:PassRole',
      resource: iam(`role/${role}`),
      context: { 'iam:PassedToService': service },
    })),
  ),
  {
    what: "find the administrator's execution policy",
    action: 'iam:GetPolicy',
    resource: iam(`policy/${names.executionPolicy}`),
  },
  {
    what: 'read its document',
    action: 'iam:GetPolicyVersion',
    resource: iam(`policy/${names.executionPolicy}`),
  },
  {
    what: 'attach it to the execution role',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.executionRole}`),
    context: { ...up.stackResource, 'iam:PolicyARN': iam(`policy/${names.executionPolicy}`) },
  },
  {
    what: 'down: detach it',
    action: 'iam:DetachRolePolicy',
    resource: iam(`role/${names.executionRole}`),
    context: { ...up.stackResource, 'iam:PolicyARN': iam(`policy/${names.executionPolicy}`) },
  },
  {
    what: 'the inline policy an earlier mnbatch wrote',
    action: 'iam:GetRolePolicy',
    resource: iam(`role/${names.executionRole}`),
  },
  {
    what: 'remove it (up, and down before deleting the role)',
    action: 'iam:DeleteRolePolicy',
    resource: iam(`role/${names.executionRole}`),
    context: up.stackResource,
  },
  { what: 'find the rendezvous key', action: 'ssm:DescribeParameters', resource: '*' },
  {
    what: 'its tags',
    action: 'ssm:ListTagsForResource',
    resource: param(names.rendezvousKey),
  },
  {
    what: 'create the rendezvous key',
    action: 'ssm:PutParameter',
    resource: param(names.rendezvousKey),
    context: up.rendezvousKey,
  },
  {
    what: 'tag it on create',
    action: 'ssm:AddTagsToResource',
    resource: param(names.rendezvousKey),
    context: up.rendezvousKey,
  },
  {
    what: 'down: delete it',
    action: 'ssm:DeleteParameter',
    resource: param(names.rendezvousKey),
    context: up.stackResource,
  },
  // AWS's public parameters have no account in their ARN (arn:aws:ssm:REGION::parameter/aws/…);
  // the simulator rejects an empty account, so the request names one (the grant's `*` takes both).
  {
    what: 'ECS AMI',
    action: 'ssm:GetParameter',
    resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${ECS_AL2023_AMI_PARAMETER}`,
  },
  // ami bake
  {
    what: 'builder',
    action: 'ec2:RunInstances',
    resource: ec2('instance/*'),
    context: bake.builder,
  },
  {
    what: 'its volume',
    action: 'ec2:RunInstances',
    resource: ec2('volume/*'),
    context: bake.builderVolume,
  },
  {
    what: 'from the ECS AMI',
    action: 'ec2:RunInstances',
    resource: ec2Public('image/ami-0123456789abcdef0'),
  },
  { what: 'its interface', action: 'ec2:RunInstances', resource: ec2('network-interface/*') },
  { what: 'in a subnet', action: 'ec2:RunInstances', resource: ec2('subnet/subnet-0123456789abcdef0') },
  { what: 'with a group', action: 'ec2:RunInstances', resource: sg },
  {
    what: 'tag it',
    action: 'ec2:CreateTags',
    resource: ec2('instance/*'),
    context: { ...bake.builder, ...createAction('RunInstances') },
  },
  {
    what: 'watch it',
    action: 'ec2:GetConsoleOutput',
    resource: builder,
    context: bake.builderResource,
  },
  {
    what: 'image it',
    action: 'ec2:CreateImage',
    resource: builder,
    context: bake.builderResource,
  },
  {
    what: 'the image',
    action: 'ec2:CreateImage',
    resource: ec2Public('image/*'),
    context: bake.image,
  },
  {
    what: 'its snapshots',
    action: 'ec2:CreateImage',
    resource: ec2Public('snapshot/*'),
    context: bake.snapshot,
  },
  {
    what: 'tag the image',
    action: 'ec2:CreateTags',
    resource: ec2Public('image/*'),
    context: { ...bake.image, ...createAction('CreateImage') },
  },
  {
    what: 'terminate it',
    action: 'ec2:TerminateInstances',
    resource: builder,
    context: bake.builderResource,
  },
  {
    what: 'clean up a failed image',
    action: 'ec2:DeregisterImage',
    resource: ec2Public('image/ami-0fedcba9876543210'),
    context: bake.imageResource,
  },
];

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** Attempts a holder of the infra policy must be denied. */
export const INFRA_DENIED: readonly SimRequest[] = [
  {
    what: 'attach AdministratorAccess to the stack role',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.instanceRole}`),
    context: { ...stackTagged, 'iam:PolicyARN': ADMIN },
  },
  {
    what: 'attach the ECS policy to a role that is not mnbatch’s',
    action: 'iam:AttachRolePolicy',
    resource: iam('role/admin'),
    context: { 'aws:ResourceTag/mnbatch:stack': STACK, 'iam:PolicyARN': INSTANCE_ROLE_POLICY },
  },
  {
    what: 'attach it to an untagged mnbatch-named role',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.jobRole}`),
    context: { 'iam:PolicyARN': INSTANCE_ROLE_POLICY },
  },
  {
    what: 'detach policies from a role that is not mnbatch’s',
    action: 'iam:DetachRolePolicy',
    resource: iam('role/security-audit'),
    context: { ...stackTagged, 'iam:PolicyARN': ADMIN },
  },
  {
    what: 'write an inline policy',
    action: 'iam:PutRolePolicy',
    resource: iam(`role/${names.instanceRole}`),
    context: stackTagged,
  },
  { what: 'write a policy version', action: 'iam:CreatePolicyVersion', resource: iam('policy/mnbatch-dev') },
  { what: 'create a policy', action: 'iam:CreatePolicy', resource: iam('policy/mnbatch-dev-admin') },
  {
    what: 'create a user',
    action: 'iam:CreateUser',
    resource: iam('user/mnbatch-dev-admin'),
    context: stackRequest,
  },
  { what: 'create access keys', action: 'iam:CreateAccessKey', resource: iam('user/alice') },
  {
    what: 'create another mnbatch-prefixed role (its trust policy is the creator’s to choose)',
    action: 'iam:CreateRole',
    resource: iam(`role/mnbatch-${STACK}-admin`),
    context: stackRequest,
  },
  {
    what: 'attach the ECS policy to the job role (it gets none)',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.jobRole}`),
    context: { ...stackTagged, 'iam:PolicyARN': INSTANCE_ROLE_POLICY },
  },
  {
    what: 'create a role without the prefix',
    action: 'iam:CreateRole',
    resource: iam('role/escalate'),
    context: stackRequest,
  },
  {
    what: 'create a prefixed role without the tag',
    action: 'iam:CreateRole',
    resource: iam(`role/${names.instanceRole}`),
  },
  {
    what: 'change the trust of a stack role',
    action: 'iam:UpdateAssumeRolePolicy',
    resource: iam(`role/${names.instanceRole}`),
    context: stackTagged,
  },
  {
    what: 'pass a role that is not mnbatch’s',
    action: 'iam:PassRole',
    resource: iam('role/admin'),
    context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
  },
  {
    what: 'pass the instance role to Lambda',
    action: 'iam:PassRole',
    resource: iam(`role/${names.instanceRole}`),
    context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
  },
  {
    what: 'create another service’s linked role',
    action: 'iam:CreateServiceLinkedRole',
    resource: iam('role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'),
    context: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' },
  },
  { what: 'launch an untagged instance', action: 'ec2:RunInstances', resource: ec2('instance/*') },
  {
    what: 'launch a builder with an instance profile',
    action: 'ec2:RunInstances',
    resource: ec2('instance/*'),
    context: {
      [`aws:RequestTag/${BUILDER_TAG}`]: 'x',
      'ec2:InstanceProfile': iam(`instance-profile/${names.instanceProfile}`),
    },
  },
  {
    what: 'terminate an untagged instance',
    action: 'ec2:TerminateInstances',
    resource: ec2('instance/i-0fedcba9876543210'),
  },
  {
    what: 'tag an existing security group into the stack',
    action: 'ec2:CreateTags',
    resource: sg,
    context: stackRequest,
  },
  {
    what: 'open an untagged security group',
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: ec2('security-group/sg-0fedcba9876543210'),
  },
  {
    what: 'open an untagged security group with a tagged rule',
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: ec2('security-group/sg-0fedcba9876543210'),
    context: stackRequest,
  },
  {
    what: 'delete an untagged security group',
    action: 'ec2:DeleteSecurityGroup',
    resource: ec2('security-group/sg-0fedcba9876543210'),
  },
  {
    what: 'add a version to an untagged template',
    action: 'ec2:CreateLaunchTemplateVersion',
    resource: ec2('launch-template/lt-0fedcba9876543210'),
  },
  {
    what: 'create an endpoint to another service',
    action: 'ec2:CreateVpcEndpoint',
    resource: ec2('vpc-endpoint/vpce-0123456789abcdef0'),
    context: { ...stackRequest, 'ec2:VpceServiceName': `com.amazonaws.${REGION}.secretsmanager` },
  },
  {
    what: 'create an untagged placement group',
    action: 'ec2:CreatePlacementGroup',
    resource: ec2(`placement-group/${names.placementGroup}`),
  },
  {
    what: 'delete an untagged image',
    action: 'ec2:DeregisterImage',
    resource: ec2Public('image/ami-0fedcba9876543210'),
  },
  { what: 'delete an untagged file system', action: 'elasticfilesystem:DeleteFileSystem', resource: fs },
  {
    what: 'tag an existing file system into the stack',
    action: 'elasticfilesystem:TagResource',
    resource: fs,
    context: stackRequest,
  },
  { what: 'create an untagged file system', action: 'elasticfilesystem:CreateFileSystem', resource: '*' },
  {
    what: 'update a compute environment that is not the stack’s',
    action: 'batch:UpdateComputeEnvironment',
    resource: batch('compute-environment/prod'),
    context: stackTagged,
  },
  {
    what: 'delete an untagged mnbatch-named queue',
    action: 'batch:DeleteJobQueue',
    resource: batch(`job-queue/${names.jobQueue}`),
  },
  {
    what: 'read a parameter that is not the ECS AMI',
    action: 'ssm:GetParameter',
    resource: param('/prod/db-password'),
  },
  {
    what: 'read the rendezvous key itself',
    action: 'ssm:GetParameter',
    resource: param(names.rendezvousKey),
  },
  {
    what: 'overwrite or create a parameter outside the stack path',
    action: 'ssm:PutParameter',
    resource: param('/prod/db-password'),
    context: stackRequest,
  },
  {
    what: 'write the stack key without the stack tag (Overwrite cannot carry tags)',
    action: 'ssm:PutParameter',
    resource: param(names.rendezvousKey),
  },
  {
    what: 'delete an untagged parameter in the stack path',
    action: 'ssm:DeleteParameter',
    resource: param(names.rendezvousKey),
  },
  {
    what: 'tag a parameter outside the stack path into the stack',
    action: 'ssm:AddTagsToResource',
    resource: param('/prod/db-password'),
    context: stackRequest,
  },
  {
    what: 'write an inline policy on the job role',
    action: 'iam:PutRolePolicy',
    resource: iam(`role/${names.jobRole}`),
    context: stackTagged,
  },
  {
    what: 'write an inline policy on the tagged execution role (it may be passed to jobs)',
    action: 'iam:PutRolePolicy',
    resource: iam(`role/${names.executionRole}`),
    context: stackTagged,
  },
  {
    what: 'attach AdministratorAccess to the execution role',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.executionRole}`),
    context: { ...stackTagged, 'iam:PolicyARN': ADMIN },
  },
  {
    what: 'attach a policy of its own that only looks like the execution policy',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.executionRole}`),
    context: { ...stackTagged, 'iam:PolicyARN': iam(`policy/${names.executionPolicy}-admin`) },
  },
  {
    what: 'attach the execution policy to the job role',
    action: 'iam:AttachRolePolicy',
    resource: iam(`role/${names.jobRole}`),
    context: { ...stackTagged, 'iam:PolicyARN': iam(`policy/${names.executionPolicy}`) },
  },
  {
    what: 'create the execution policy itself (its content would be the holder’s)',
    action: 'iam:CreatePolicy',
    resource: iam(`policy/${names.executionPolicy}`),
  },
  {
    what: 'write a new version of the execution policy',
    action: 'iam:CreatePolicyVersion',
    resource: iam(`policy/${names.executionPolicy}`),
  },
  {
    what: 'switch the execution policy to another version',
    action: 'iam:SetDefaultPolicyVersion',
    resource: iam(`policy/${names.executionPolicy}`),
  },
  {
    what: 'put a permissions boundary on the execution role',
    action: 'iam:PutRolePermissionsBoundary',
    resource: iam(`role/${names.executionRole}`),
    context: { ...stackTagged, 'iam:PermissionsBoundary': ADMIN },
  },
];

/** What ECS does with the execution role (once the rendezvous secret is in SSM, issue 11). */
export const EXECUTION_REQUESTS: readonly SimRequest[] = [
  {
    what: 'read the stack secret',
    action: 'ssm:GetParameters',
    resource: param(names.rendezvousKey),
  },
  {
    what: 'decrypt it through SSM',
    action: 'kms:Decrypt',
    resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000000`,
    context: { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` },
    resourcePolicy: DEFAULT_KEY_POLICY,
  },
];

/** Attempts with the execution role that must be denied. */
export const EXECUTION_DENIED: readonly SimRequest[] = [
  {
    what: 'read another parameter',
    action: 'ssm:GetParameters',
    resource: param('/prod/db-password'),
  },
  {
    what: 'decrypt directly',
    action: 'kms:Decrypt',
    resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000000`,
    resourcePolicy: DEFAULT_KEY_POLICY,
  },
];

/**
 * What someone holding both the submit and the infra policy must still be denied: every way to
 * widen a role that submit may pass to a job (the execution role is passable to ECS tasks, and
 * Batch cannot tell `executionRoleArn` from `jobRoleArn`).
 */
export const BOTH_DENIED: readonly SimRequest[] = [
  ...[names.executionRole, names.jobRole].flatMap((role) => [
    {
      what: `write an inline policy on ${role}`,
      action: 'iam:PutRolePolicy',
      resource: iam(`role/${role}`),
      context: stackTagged,
    },
    {
      what: `attach AdministratorAccess to ${role}`,
      action: 'iam:AttachRolePolicy',
      resource: iam(`role/${role}`),
      context: { ...stackTagged, 'iam:PolicyARN': ADMIN },
    },
    {
      what: `change who may assume ${role}`,
      action: 'iam:UpdateAssumeRolePolicy',
      resource: iam(`role/${role}`),
      context: stackTagged,
    },
  ]),
  {
    what: 'rewrite the execution policy',
    action: 'iam:CreatePolicyVersion',
    resource: iam(`policy/${names.executionPolicy}`),
  },
  {
    what: 'pass the instance role to ECS tasks (a job would run with the ECS agent’s permissions)',
    action: 'iam:PassRole',
    resource: iam(`role/${names.instanceRole}`),
    context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
  },
];

/** What that holder may do with the execution role: pass it, with the administrator's permissions on it. */
export const BOTH_ALLOWED: readonly SimRequest[] = [
  {
    what: 'pass the execution role to ECS tasks (as a job role, too)',
    action: 'iam:PassRole',
    resource: iam(`role/${names.executionRole}`),
    context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
  },
];
