/**
 * Where a submitted job's nodes get the rendezvous key: the SecureString of the stack whose
 * queue runs the job, read by ECS with the stack's execution role. Found from the queue alone
 * (its `mnbatch:stack` tag and its ARN's partition, region and account): no local state.
 */
import type { BatchApi } from '../aws/batch.js';
import { STACK_TAG, stackExecutionRoleName, stackRendezvousParameter } from '../contract/stack.js';
import { MnbatchError } from '../errors.js';
import type { RendezvousSecret } from '../plan/index.js';
import { queueNotFound } from './preflight.js';

/** The stack key and execution role of the stack that owns `jobQueue` (name or ARN); only reads. */
export async function stackRendezvous(batch: BatchApi, jobQueue: string): Promise<RendezvousSecret> {
  const [queue] = await batch.describeJobQueues([jobQueue]);
  if (!queue) throw queueNotFound(jobQueue, await batch.region());
  const stack = queue.tags?.[STACK_TAG];
  const [, partition, , region, account] = (queue.jobQueueArn ?? '').split(':');
  if (stack === undefined || !partition || !region || !account) {
    throw new MnbatchError(
      'QUEUE_NOT_A_STACK',
      `job queue ${queue.jobQueueName ?? jobQueue} has no ${STACK_TAG} tag: the nodes' rendezvous key is kept per stack, so submit to a queue made by \`mnbatch infra up\` (stack: in job.yaml)`,
      { details: ['nothing was registered or submitted'] },
    );
  }
  return {
    kind: 'stack-key',
    parameterArn: `arn:${partition}:ssm:${region}:${account}:parameter${stackRendezvousParameter(stack)}`,
    executionRoleArn: `arn:${partition}:iam::${account}:role/${stackExecutionRoleName(stack)}`,
  };
}
