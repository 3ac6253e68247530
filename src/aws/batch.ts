/**
 * The AWS Batch calls mnbatch makes, and nothing else. Paginated calls are flattened; every
 * error comes out as MnbatchError (see errors.ts).
 */

import {
  BatchClient,
  type ComputeEnvironmentDetail,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  type FrontOfQueueDetail,
  GetJobQueueSnapshotCommand,
  type JobDefinition,
  type JobDetail,
  type JobQueueDetail,
  type JobSummary,
  ListJobsCommand,
  type ListJobsCommandInput,
  RegisterJobDefinitionCommand,
  type RegisterJobDefinitionCommandInput,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { type AwsOptions, awsClient } from './clients.js';
import { type AwsErrorContext, awsCall } from './errors.js';
import { allPages } from './pages.js';

/** DescribeJobs accepts at most this many job ids per call. */
export const DESCRIBE_JOBS_MAX = 100;

/** A job definition revision as registered. */
export interface RegisteredJobDefinition {
  readonly jobDefinitionName: string;
  readonly jobDefinitionArn: string;
  readonly revision: number;
}

/** What mnbatch asks of AWS Batch. */
export interface BatchApi {
  /** The region the client talks to (for console links). */
  region(): Promise<string>;
  registerJobDefinition(input: RegisterJobDefinitionCommandInput): Promise<RegisteredJobDefinition>;
  /** All revisions named `jobDefinitionName` with `status` (every page). */
  describeJobDefinitions(input: {
    readonly jobDefinitionName: string;
    readonly status: 'ACTIVE' | 'INACTIVE';
  }): Promise<JobDefinition[]>;
  submitJob(input: SubmitJobCommandInput): Promise<{ jobId: string; jobName: string; jobArn?: string }>;
  /** The jobs among `jobIds` that exist, in as many calls of at most 100 ids as needed. */
  describeJobs(jobIds: readonly string[]): Promise<JobDetail[]>;
  /** Every page of ListJobs. */
  listJobs(input: ListJobsCommandInput): Promise<JobSummary[]>;
  terminateJob(input: { readonly jobId: string; readonly reason: string }): Promise<void>;
  /** The named queues, or every queue of the account and region when `names` is empty. */
  describeJobQueues(names?: readonly string[]): Promise<JobQueueDetail[]>;
  describeComputeEnvironments(names: readonly string[]): Promise<ComputeEnvironmentDetail[]>;
  /** The first 100 RUNNABLE jobs of the queue, in the order Batch will start them. */
  getJobQueueSnapshot(jobQueue: string): Promise<FrontOfQueueDetail>;
}

/** A BatchApi over the real service (or over a BatchClient mocked with aws-sdk-client-mock). */
export function createBatch(options: AwsOptions): BatchApi {
  return batchApi(awsClient(BatchClient, options), options);
}

/** A BatchApi over an existing client. */
export function batchApi(client: BatchClient, context: AwsErrorContext = {}): BatchApi {
  const call = <T>(operation: string, fn: () => Promise<T>) =>
    awsCall({ ...context, service: 'batch', operation }, fn);
  return {
    region: () => call('region', () => client.config.region()),
    registerJobDefinition: (input) =>
      call('RegisterJobDefinition', async () => {
        const out = await client.send(new RegisterJobDefinitionCommand(input));
        return {
          jobDefinitionName: out.jobDefinitionName ?? input.jobDefinitionName ?? '',
          jobDefinitionArn: out.jobDefinitionArn ?? '',
          revision: out.revision ?? 0,
        };
      }),
    describeJobDefinitions: (input) =>
      call('DescribeJobDefinitions', async () => {
        return allPages(
          (nextToken) =>
            client.send(new DescribeJobDefinitionsCommand({ ...input, ...(nextToken ? { nextToken } : {}) })),
          (out) => out.jobDefinitions,
          (out) => out.nextToken,
        );
      }),
    submitJob: (input) =>
      call('SubmitJob', async () => {
        const out = await client.send(new SubmitJobCommand(input));
        return {
          jobId: out.jobId ?? '',
          jobName: out.jobName ?? input.jobName ?? '',
          ...(out.jobArn ? { jobArn: out.jobArn } : {}),
        };
      }),
    describeJobs: (jobIds) =>
      call('DescribeJobs', async () => {
        const all: JobDetail[] = [];
        for (let i = 0; i < jobIds.length; i += DESCRIBE_JOBS_MAX) {
          const jobs = jobIds.slice(i, i + DESCRIBE_JOBS_MAX);
          const out = await client.send(new DescribeJobsCommand({ jobs }));
          all.push(...(out.jobs ?? []));
        }
        return all;
      }),
    listJobs: (input) =>
      call('ListJobs', async () => {
        return allPages(
          (nextToken) => client.send(new ListJobsCommand({ ...input, ...(nextToken ? { nextToken } : {}) })),
          (out) => out.jobSummaryList,
          (out) => out.nextToken,
        );
      }),
    terminateJob: (input) =>
      call('TerminateJob', async () => {
        await client.send(new TerminateJobCommand({ jobId: input.jobId, reason: input.reason }));
      }),
    describeJobQueues: (names = []) =>
      call('DescribeJobQueues', async () => {
        return allPages(
          (nextToken) =>
            client.send(
              new DescribeJobQueuesCommand({
                ...(names.length > 0 ? { jobQueues: [...names] } : {}),
                ...(nextToken ? { nextToken } : {}),
              }),
            ),
          (out) => out.jobQueues,
          (out) => out.nextToken,
        );
      }),
    describeComputeEnvironments: (names) =>
      call('DescribeComputeEnvironments', async () => {
        return allPages(
          (nextToken) =>
            client.send(
              new DescribeComputeEnvironmentsCommand({
                computeEnvironments: [...names],
                ...(nextToken ? { nextToken } : {}),
              }),
            ),
          (out) => out.computeEnvironments,
          (out) => out.nextToken,
        );
      }),
    getJobQueueSnapshot: (jobQueue) =>
      call('GetJobQueueSnapshot', async () => {
        const out = await client.send(new GetJobQueueSnapshotCommand({ jobQueue }));
        return out.frontOfQueue ?? {};
      }),
  };
}
