/**
 * What `submit` learns from the job queue's stack, from the queue alone (its tags and its ARN's
 * partition, region and account): no local state. Where the nodes get the rendezvous key (the
 * SecureString of the stack, read by ECS with the stack's execution role), and how many EFA
 * interfaces its instances have (EFA_INTERFACES_TAG).
 */
import type { BatchApi } from '../aws/batch.js';
import {
  EFA_INTERFACES_TAG,
  efaInterfacesOfTags,
  STACK_TAG,
  stackExecutionRoleName,
  stackRendezvousParameter,
} from '../contract/stack.js';
import { MnbatchError } from '../errors.js';
import type { RendezvousSecret, StackEfaInterfaces } from '../plan/index.js';
import { queueNotFound } from './preflight.js';

/** What the stack of a queue brings to a plan. */
export interface QueueStack {
  readonly rendezvous: RendezvousSecret;
  readonly efa: StackEfaInterfaces;
}

/** The key, execution role and EFA interfaces of the stack that owns `jobQueue` (name or ARN); only reads. */
export async function queueStack(batch: BatchApi, jobQueue: string): Promise<QueueStack> {
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
    rendezvous: {
      kind: 'stack-key',
      parameterArn: `arn:${partition}:ssm:${region}:${account}:parameter${stackRendezvousParameter(stack)}`,
      executionRoleArn: `arn:${partition}:iam::${account}:role/${stackExecutionRoleName(stack)}`,
    },
    efa: {
      queue: queue.jobQueueName ?? jobQueue,
      interfaces: efaInterfacesOfTags(queue.tags),
      tagged: queue.tags?.[EFA_INTERFACES_TAG] !== undefined,
    },
  };
}
