/** Shared test inputs: a job planned by the real planner, a queue and compute environments. */
import type { ComputeEnvironmentDetail, JobQueueDetail } from '@aws-sdk/client-batch';
import { type JobPlan, planJobText, type RendezvousSecret } from '../../src/plan/index.js';

/** job.yaml text of a small MPI job (`nodes`, `vcpus`, `memory` adjustable). */
export function jobYaml(
  options: { nodes?: number; vcpus?: number; memory?: string; instanceType?: string } = {},
): string {
  return [
    'name: hello-mpi',
    'image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-mpi:1',
    `nodes: ${options.nodes ?? 4}`,
    `instanceType: ${options.instanceType ?? 'c5.xlarge'}`,
    'queue: mpi-queue',
    'resources:',
    `  vcpus: ${options.vcpus ?? 4}`,
    `  memory: ${options.memory ?? '6GiB'}`,
    'command: ["/usr/local/bin/hello-mpi"]',
    '',
  ].join('\n');
}

/** The stack key and execution role of QUEUE's stack (what src/jobs/rendezvous.ts finds). */
export const STACK_KEY: Extract<RendezvousSecret, { kind: 'stack-key' }> = {
  kind: 'stack-key',
  parameterArn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/mnbatch/demo/rendezvous-key',
  executionRoleArn: 'arn:aws:iam::123456789012:role/mnbatch-demo-execution',
};

/** The plan of jobYaml(options) as submit plans it (QUEUE's stack key). */
export function plannedJob(options: Parameters<typeof jobYaml>[0] = {}): JobPlan {
  return planJobText(jobYaml(options), 'job.yaml', {
    rendezvous: STACK_KEY,
    version: '0.1.0',
    user: 'alice',
  }).plan;
}

export const QUEUE: JobQueueDetail = {
  jobQueueName: 'mpi-queue',
  jobQueueArn: 'arn:aws:batch:eu-west-1:123456789012:job-queue/mpi-queue',
  state: 'ENABLED',
  status: 'VALID',
  priority: 1,
  computeEnvironmentOrder: [{ order: 1, computeEnvironment: 'mpi-ce' }],
  tags: { 'mnbatch:stack': 'demo' },
};

/** A compute environment that can run the default job (c5 family, placement group, 256 vCPUs). */
export function computeEnvironment(
  overrides: Partial<ComputeEnvironmentDetail> = {},
  resources: object = {},
): ComputeEnvironmentDetail {
  return {
    computeEnvironmentName: 'mpi-ce',
    computeEnvironmentArn: 'arn:aws:batch:eu-west-1:123456789012:compute-environment/mpi-ce',
    type: 'MANAGED',
    state: 'ENABLED',
    status: 'VALID',
    computeResources: {
      type: 'EC2',
      minvCpus: 0,
      maxvCpus: 256,
      desiredvCpus: 0,
      instanceTypes: ['c5'],
      placementGroup: 'mnbatch-demo',
      subnets: ['subnet-1'],
      ...resources,
    },
    ...overrides,
  };
}
