/**
 * The grants of the submit policy: what `submit/status/logs/cancel/list` call, on what. Job
 * definitions carry user-chosen names (`<job name>-<hash>`), so they are scoped by the
 * `mnbatch:job` tag instead of a name; queues by the stack queue's name.
 */
import { JOB_DEFINITION_PREFIX } from '../contract/stack.js';
import { ECR_PUSH_ACTIONS } from './needed.js';
import type { Grant } from './policy.js';
import { baseName, JOB_TAG, type PolicyScope, requestHasTag, resourceHasTag } from './scope.js';

const BATCH = 'arn:aws:batch:*:*';
/** The repositories mnbatch pushes job images to (src/image/repository.ts names them). */
const MNBATCH_REPOSITORIES = 'arn:aws:ecr:*:*:repository/mnbatch/*';

/** Roles submitters may pass: the stack's job (and execution) roles and the ones the user names. */
export function jobRoleArns(scope: PolicyScope): string[] {
  const base = baseName(scope);
  return [`arn:aws:iam::*:role/${base}-job`, `arn:aws:iam::*:role/${base}-execution`, ...scope.passRoles];
}

/**
 * Services a job role is passed to. Batch's documentation does not name the value AWS puts in
 * `iam:PassedToService` when RegisterJobDefinition carries jobRoleArn/executionRoleArn (AWS's
 * own AWSBatchFullAccess passes them without the condition): Batch receives the role and hands
 * it to ECS tasks, so both and only those two are allowed (docs/iam.md).
 */
export const JOB_ROLE_RECEIVERS = ['batch.amazonaws.com', 'ecs-tasks.amazonaws.com'] as const;

/** The submit policy's grants for `scope`. */
export function submitGrants(scope: PolicyScope): Grant[] {
  return [
    {
      Sid: 'ReadBatch',
      Effect: 'Allow',
      Action: [
        'batch:DescribeComputeEnvironments',
        'batch:DescribeJobDefinitions',
        'batch:DescribeJobQueues',
        'batch:DescribeJobs',
        'batch:ListJobs',
      ],
      Resource: '*',
      why: 'find the queue, reuse an identical job definition, follow and list jobs (these Batch reads support no resource-level permissions)',
    },
    {
      Sid: 'RegisterTaggedJobDefinitions',
      Effect: 'Allow',
      Action: ['batch:RegisterJobDefinition'],
      Resource: `${BATCH}:job-definition/${JOB_DEFINITION_PREFIX}*`,
      Condition: { ...requestHasTag(JOB_TAG), BoolIfExists: { 'batch:Privileged': 'false' } },
      why: 'register the job definition, named mnbatch-…, only with the mnbatch:job tag mnbatch puts on it and never privileged (mnbatch never asks for it)',
    },
    {
      Sid: 'SubmitToStackQueue',
      Effect: 'Allow',
      Action: ['batch:SubmitJob'],
      Resource: [`${BATCH}:job-queue/${baseName(scope)}`],
      why: "submit only to the stack's job queue (mnbatch-<stack>)",
    },
    {
      Sid: 'ReadStackQueueSnapshot',
      Effect: 'Allow',
      Action: ['batch:GetJobQueueSnapshot'],
      Resource: [`${BATCH}:job-queue/${baseName(scope)}`],
      why: "see where a RUNNABLE job stands in the stack's queue (the stuck-job diagnosis)",
    },
    {
      Sid: 'ReadInstanceTypes',
      Effect: 'Allow',
      Action: ['ec2:DescribeInstanceTypes'],
      Resource: '*',
      why: 'EFA devices of the instance type for efa: auto, and vCPUs, memory and GPUs of the instance types for the stuck-job diagnosis (read-only; supports no resource-level permissions)',
    },
    {
      Sid: 'SubmitTaggedJobs',
      Effect: 'Allow',
      Action: ['batch:SubmitJob'],
      Resource: [`${BATCH}:job/*`],
      Condition: requestHasTag(JOB_TAG),
      why: 'the new job must carry the mnbatch:job tag',
    },
    {
      Sid: 'SubmitMnbatchJobDefinitions',
      Effect: 'Allow',
      Action: ['batch:SubmitJob'],
      Resource: [`${BATCH}:job-definition/${JOB_DEFINITION_PREFIX}*:*`],
      Condition: resourceHasTag(JOB_TAG),
      why: 'run only job definitions named mnbatch-… that carry the mnbatch:job tag, not any definition (and its role) in the account',
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: ['batch:TagResource'],
      Resource: [`${BATCH}:job/*`, `${BATCH}:job-definition/${JOB_DEFINITION_PREFIX}*:*`],
      Condition: requestHasTag(JOB_TAG),
      why: 'Batch checks batch:TagResource for the tags given to RegisterJobDefinition and SubmitJob; only mnbatch-… definitions, so no other definition can be tagged into SubmitMnbatchJobDefinitions',
    },
    {
      Sid: 'CancelTaggedJobs',
      Effect: 'Allow',
      Action: ['batch:TerminateJob'],
      Resource: `${BATCH}:job/*`,
      Condition: resourceHasTag(JOB_TAG),
      why: '`cancel` stops only jobs mnbatch submitted (tagged mnbatch:job)',
    },
    {
      Sid: 'ReadJobLogs',
      Effect: 'Allow',
      Action: ['logs:GetLogEvents'],
      Resource: 'arn:aws:logs:*:*:log-group:/aws/batch/job:log-stream:*',
      why: "`logs` and `submit --wait` read the job's stream in Batch's default log group",
    },
    {
      Sid: 'EcrLogin',
      Effect: 'Allow',
      Action: ['ecr:GetAuthorizationToken'],
      Resource: '*',
      why: '`submit` with build: logs docker in to the account’s registry to push (GetAuthorizationToken supports no resource-level permissions)',
    },
    {
      Sid: 'MnbatchRepositories',
      Effect: 'Allow',
      Action: [
        'ecr:CreateRepository',
        'ecr:DescribeRepositories',
        'ecr:GetLifecyclePolicy',
        'ecr:PutLifecyclePolicy',
        'ecr:TagResource',
      ],
      Resource: MNBATCH_REPOSITORIES,
      why: 'create the job image repository on first use (tagged, scanned on push) and keep its lifecycle rule (build.keepImages) — only repositories named mnbatch/…',
    },
    {
      Sid: 'ResolveImageDigests',
      Effect: 'Allow',
      Action: ['ecr:DescribeImages'],
      Resource: 'arn:aws:ecr:*:*:repository/*',
      why: 'pin images by digest: find whether the built image is already pushed, and resolve an ECR image: given by tag (in any repository the job names) to its digest; reads image metadata only, never layers',
    },
    {
      Sid: 'PushToMnbatchRepositories',
      Effect: 'Allow',
      Action: [...ECR_PUSH_ACTIONS],
      Resource: MNBATCH_REPOSITORIES,
      why: '`docker push` of the job image, only to repositories named mnbatch/…',
    },
    {
      Sid: 'PassJobRoles',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: jobRoleArns(scope),
      Condition: { StringEquals: { 'iam:PassedToService': [...JOB_ROLE_RECEIVERS] } },
      why: 'name the job (and execution) role in the job definition: only mnbatch-<stack>-job/-execution and roles given with --pass-role, only to Batch/ECS tasks',
    },
  ];
}
