import { BatchClient, DescribeJobQueuesCommand } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { createBatch } from '../../src/aws/batch.js';
import { EFA_INTERFACES_TAG } from '../../src/contract/stack.js';
import { isMnbatchError } from '../../src/errors.js';
import { queueStack } from '../../src/jobs/rendezvous.js';
import { sdkMock } from '../_helpers/sdk-mock.js';
import { QUEUE, STACK_KEY } from './_fixtures.js';

const batchMock = sdkMock(BatchClient, 'batch');

const batch = () => createBatch({ region: 'eu-west-1' });

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isMnbatchError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('queueStack', () => {
  it("given a stack's queue, when looked up, then the key and role are the stack's in the queue's partition, region and account", async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [QUEUE] });
    expect((await queueStack(batch(), 'mpi-queue')).rendezvous).toEqual(STACK_KEY);
    expect(batchMock.commandCalls(DescribeJobQueuesCommand)[0]!.args[0].input).toEqual({
      jobQueues: ['mpi-queue'],
    });
  });

  it('given a queue in another partition, when looked up, then the ARNs are in that partition', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({
      jobQueues: [{ ...QUEUE, jobQueueArn: 'arn:aws-cn:batch:cn-north-1:123456789012:job-queue/mpi-queue' }],
    });
    expect((await queueStack(batch(), 'mpi-queue')).rendezvous).toEqual({
      kind: 'stack-key',
      parameterArn: 'arn:aws-cn:ssm:cn-north-1:123456789012:parameter/mnbatch/demo/rendezvous-key',
      executionRoleArn: 'arn:aws-cn:iam::123456789012:role/mnbatch-demo-execution',
    });
  });

  it('given a queue without the stack tag, when looked up, then it fails saying where the key lives', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [{ ...QUEUE, tags: {} }] });
    const e = await failure(queueStack(batch(), 'mpi-queue'));
    expect(e.code).toBe('QUEUE_NOT_A_STACK');
    expect(e.message).toContain('job queue mpi-queue has no mnbatch:stack tag');
  });

  it('given no such queue, when looked up, then it fails as the queue check does', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [] });
    const e = await failure(queueStack(batch(), 'nope'));
    expect(e.code).toBe('QUEUE_NOT_FOUND');
    expect(e.message).toContain('job queue nope does not exist in eu-west-1');
  });

  it('given a queue with the EFA interfaces tag, then as many as it says; without it, one (stacks made before the tag)', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({
      jobQueues: [{ ...QUEUE, tags: { ...QUEUE.tags, [EFA_INTERFACES_TAG]: '4' } }],
    });
    expect((await queueStack(batch(), 'mpi-queue')).efa).toEqual({
      queue: 'mpi-queue',
      interfaces: 4,
      tagged: true,
    });
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [QUEUE] });
    expect((await queueStack(batch(), 'mpi-queue')).efa).toEqual({
      queue: 'mpi-queue',
      interfaces: 1,
      tagged: false,
    });
    batchMock.on(DescribeJobQueuesCommand).resolves({
      jobQueues: [{ ...QUEUE, tags: { ...QUEUE.tags, [EFA_INTERFACES_TAG]: '0' } }],
    });
    expect((await queueStack(batch(), 'mpi-queue')).efa.interfaces).toBe(0);
  });
});
