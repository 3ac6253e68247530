/**
 * Batch adapter for infrastructure: compute environments and job queues (`infra up/down/status`).
 * Job calls (register, submit, describe jobs) live in `batch.ts`; this split keeps each
 * interface to the calls one part of mnbatch makes.
 */

import {
  BatchClient,
  type ComputeEnvironmentDetail,
  CreateComputeEnvironmentCommand,
  type CreateComputeEnvironmentCommandInput,
  CreateJobQueueCommand,
  type CreateJobQueueCommandInput,
  DeleteComputeEnvironmentCommand,
  DeleteJobQueueCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
  type JobQueueDetail,
  TagResourceCommand,
  UpdateComputeEnvironmentCommand,
  type UpdateComputeEnvironmentCommandInput,
  UpdateJobQueueCommand,
  type UpdateJobQueueCommandInput,
} from '@aws-sdk/client-batch';
import { type AwsOptions, awsClient } from './clients.js';
import { allPages } from './pages.js';

/** The Batch infrastructure calls mnbatch makes. */
export interface BatchInfra {
  /** Compute environments by name (all pages); missing names are simply absent. */
  describeComputeEnvironments(names: readonly string[]): Promise<ComputeEnvironmentDetail[]>;
  /** Returns the new compute environment's ARN. */
  createComputeEnvironment(input: CreateComputeEnvironmentCommandInput): Promise<string>;
  updateComputeEnvironment(input: UpdateComputeEnvironmentCommandInput): Promise<void>;
  deleteComputeEnvironment(name: string): Promise<void>;
  /** Job queues by name (all pages); missing names are simply absent. */
  describeJobQueues(names: readonly string[]): Promise<JobQueueDetail[]>;
  /** Returns the new job queue's ARN. */
  createJobQueue(input: CreateJobQueueCommandInput): Promise<string>;
  updateJobQueue(input: UpdateJobQueueCommandInput): Promise<void>;
  deleteJobQueue(name: string): Promise<void>;
  /** Adds or overwrites tags of a compute environment or job queue (by ARN). */
  tagResource(resourceArn: string, tags: Readonly<Record<string, string>>): Promise<void>;
}

/** A `BatchInfra` backed by a real SDK client built with `awsClient` (clients.ts). */
export function createBatchInfra(options: AwsOptions): BatchInfra {
  return batchInfraFromClient(awsClient(BatchClient, options));
}

/** A `BatchInfra` over an existing client. */
export function batchInfraFromClient(client: BatchClient): BatchInfra {
  return {
    describeComputeEnvironments: (names) =>
      allPages(
        (nextToken) =>
          client.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: [...names], nextToken })),
        (page) => page.computeEnvironments,
        (page) => page.nextToken,
      ),
    async createComputeEnvironment(input) {
      return (await client.send(new CreateComputeEnvironmentCommand(input))).computeEnvironmentArn ?? '';
    },
    async updateComputeEnvironment(input) {
      await client.send(new UpdateComputeEnvironmentCommand(input));
    },
    async deleteComputeEnvironment(computeEnvironment) {
      await client.send(new DeleteComputeEnvironmentCommand({ computeEnvironment }));
    },
    describeJobQueues: (names) =>
      allPages(
        (nextToken) => client.send(new DescribeJobQueuesCommand({ jobQueues: [...names], nextToken })),
        (page) => page.jobQueues,
        (page) => page.nextToken,
      ),
    async createJobQueue(input) {
      return (await client.send(new CreateJobQueueCommand(input))).jobQueueArn ?? '';
    },
    async updateJobQueue(input) {
      await client.send(new UpdateJobQueueCommand(input));
    },
    async deleteJobQueue(jobQueue) {
      await client.send(new DeleteJobQueueCommand({ jobQueue }));
    },
    async tagResource(resourceArn, tags) {
      await client.send(new TagResourceCommand({ resourceArn, tags: { ...tags } }));
    },
  };
}
