import {
  BatchClient,
  type ComputeEnvironmentDetail,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  type JobQueueDetail,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
} from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { createBatch } from '../../src/aws/batch.js';
import { isMnbatchError } from '../../src/errors.js';
import { allowsInstanceType } from '../../src/jobs/instance-types.js';
import { queueProblems, requestedInstanceTypes } from '../../src/jobs/preflight.js';
import { submitPlan } from '../../src/jobs/submit.js';
import { memoryOutput } from '../../src/ui/output.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { sdkMock } from '../_helpers/sdk-mock.js';
import { computeEnvironment, plannedJob, QUEUE } from './_fixtures.js';

const batchMock = sdkMock(BatchClient, 'batch');

const REGION = 'eu-west-1';

/** Submits the default job (c5.xlarge nodes) against `queues` and `environments`; returns the error. */
async function submitTo(
  queues: JobQueueDetail[],
  environments: ComputeEnvironmentDetail[],
  instanceType?: string,
) {
  batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: queues });
  batchMock.on(DescribeComputeEnvironmentsCommand).resolves({ computeEnvironments: environments });
  batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
  batchMock
    .on(RegisterJobDefinitionCommand)
    .resolves({ jobDefinitionName: 'x', jobDefinitionArn: 'a', revision: 1 });
  batchMock.on(SubmitJobCommand).resolves({ jobId: 'j', jobName: 'hello-mpi' });
  const deps = {
    batch: createBatch({ region: REGION }),
    output: memoryOutput(),
    clock: new FakeClock(),
    signal: new AbortController().signal,
  };
  try {
    await submitPlan(deps, plannedJob(instanceType ? { instanceType } : {}));
    return undefined;
  } catch (e) {
    if (!isMnbatchError(e)) throw e;
    return e;
  }
}

function expectNothingWritten() {
  expect(batchMock).not.toHaveReceivedCommand(RegisterJobDefinitionCommand);
  expect(batchMock).not.toHaveReceivedCommand(SubmitJobCommand);
  expect(batchMock).not.toHaveReceivedCommand(DescribeJobDefinitionsCommand);
}

describe('submit checks the queue before it writes', () => {
  it('a queue that does not exist: error naming the queue and the region, nothing registered', async () => {
    const error = await submitTo([], []);
    expect(error?.code).toBe('QUEUE_NOT_FOUND');
    expect(error?.exitCode).not.toBe(0);
    expect(error?.message).toMatch(/^job queue mpi-queue does not exist in eu-west-1/);
    expect(batchMock).toHaveReceivedCommandWith(DescribeJobQueuesCommand, { jobQueues: ['mpi-queue'] });
    expectNothingWritten();
  });

  it('a DISABLED queue', async () => {
    const error = await submitTo([{ ...QUEUE, state: 'DISABLED' }], [computeEnvironment()]);
    expect(error?.code).toBe('QUEUE_NOT_READY');
    expect(error?.message).toMatch(
      /^job queue mpi-queue in eu-west-1 cannot run the job: the queue is DISABLED/,
    );
    expectNothingWritten();
  });

  it('an INVALID queue, with its reason', async () => {
    const error = await submitTo(
      [{ ...QUEUE, status: 'INVALID', statusReason: 'CE gone' }],
      [computeEnvironment()],
    );
    expect(error?.message).toContain('the queue is INVALID: CE gone');
    expectNothingWritten();
  });

  it('compute environments that are DISABLED, INVALID or Spot', async () => {
    const error = await submitTo(
      [QUEUE],
      [
        computeEnvironment({
          state: 'DISABLED',
          status: 'INVALID',
          statusReason: 'CLIENT_ERROR - subnet not found',
        }),
      ],
    );
    expect(error?.message).toContain(
      'compute environment mpi-ce is DISABLED; compute environment mpi-ce is INVALID: CLIENT_ERROR - subnet not found',
    );
    const spot = await submitTo([QUEUE], [computeEnvironment({}, { type: 'SPOT' })]);
    expect(spot?.message).toContain(
      'compute environment mpi-ce is SPOT: multi-node parallel jobs run only on On-Demand EC2',
    );
    expectNothingWritten();
  });

  it('an instance type the compute environment does not allow (c5n is not c5)', async () => {
    const error = await submitTo([QUEUE], [computeEnvironment()], 'c5n.18xlarge');
    expect(error?.message).toContain(
      'compute environment mpi-ce does not allow instance type c5n.18xlarge (allows c5)',
    );
    expectNothingWritten();
  });

  it('a queue without compute environments', async () => {
    const error = await submitTo([{ ...QUEUE, computeEnvironmentOrder: [] }], []);
    expect(error?.message).toContain('the queue has no compute environment');
    expect(batchMock).not.toHaveReceivedCommand(DescribeComputeEnvironmentsCommand);
    expectNothingWritten();
  });

  it('goes on when one compute environment of the queue can run the job', async () => {
    const queue: JobQueueDetail = {
      ...QUEUE,
      computeEnvironmentOrder: [
        { order: 1, computeEnvironment: 'mpi-ce' },
        { order: 2, computeEnvironment: 'other' },
      ],
    };
    const other = computeEnvironment({ computeEnvironmentName: 'other' });
    const error = await submitTo([queue], [computeEnvironment({ state: 'DISABLED' }), other]);
    expect(error).toBeUndefined();
    expect(batchMock).toHaveReceivedCommandWith(DescribeComputeEnvironmentsCommand, {
      computeEnvironments: ['mpi-ce', 'other'],
    });
    expect(batchMock).toHaveReceivedCommandTimes(SubmitJobCommand, 1);
  });
});

describe('allowsInstanceType', () => {
  it('takes exact types, families and the bundles Batch chooses from', () => {
    expect(allowsInstanceType(['c5n.18xlarge'], 'c5n.18xlarge')).toBe(true);
    expect(allowsInstanceType(['c5n.9xlarge'], 'c5n.18xlarge')).toBe(false);
    expect(allowsInstanceType(['c5n'], 'c5n.18xlarge')).toBe(true);
    expect(allowsInstanceType(['c5'], 'c5n.18xlarge')).toBe(false);
    expect(allowsInstanceType(['optimal'], 'c5.large')).toBe(true);
    expect(allowsInstanceType(['optimal'], 'c5n.18xlarge')).toBe(false);
    expect(allowsInstanceType(['default_x86_64'], 'c6i.32xlarge')).toBe(true);
    expect(allowsInstanceType(['default_arm64'], 'hpc7g.16xlarge')).toBe(false);
    expect(allowsInstanceType(['hpc7g', 'c7g'], 'hpc7g.16xlarge')).toBe(true);
  });
});

describe('queueProblems', () => {
  it('judges no instance type when the job names none', () => {
    const plan = plannedJob();
    const request = structuredClone(plan.registerJobDefinition);
    for (const r of request.nodeProperties?.nodeRangeProperties ?? []) delete r.container?.instanceType;
    expect(requestedInstanceTypes(request)).toEqual([]);
    expect(queueProblems(QUEUE, [computeEnvironment({}, { instanceTypes: ['m5'] })], [])).toEqual([]);
    expect(requestedInstanceTypes(plan.registerJobDefinition)).toEqual(['c5.xlarge']);
  });
});
