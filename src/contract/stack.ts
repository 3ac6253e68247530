/**
 * How an infrastructure stack made by `mnbatch infra up` is found again: every resource carries
 * the stack tag, and the job queue has a name derived from the stack, so `submit` with
 * `stack: NAME` in job.yaml needs no local state.
 */
export const STACK_TAG = 'mnbatch:stack';

/** A stack name: its resources' names and IAM's ARN patterns are built from it (infra.yaml, `--stack`). */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
/** What STACK_NAME asks for, in words. */
export const STACK_NAME_RULE = 'must start with a letter and have at most 40 letters, digits and hyphens';

/**
 * Tag of the stack's job queue: how many EFA interfaces the launch template attaches to every
 * instance (`infra up`: one per network card of the stack's instance types, 0 without EFA). An
 * instance has a /dev/infiniband/uverbsN only per attached interface, and a container whose
 * mapped device is missing does not start, so `efa: auto` maps no more than this at submit.
 */
export const EFA_INTERFACES_TAG = 'mnbatch:efa-interfaces';

/**
 * EFA interfaces of a stack whose queue has no EFA_INTERFACES_TAG: stacks made before the tag
 * attached one EFA interface on the first network card. Also what `plan` and `validate`, which
 * ask no one about the stack, assume.
 */
export const UNTAGGED_STACK_EFA_INTERFACES = 1;

/** The EFA interfaces a queue's tags record: the tag's whole number, else (no or unreadable tag) the untagged default. */
export function efaInterfacesOfTags(tags: Readonly<Record<string, string>> | undefined): number {
  const value = tags?.[EFA_INTERFACES_TAG];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : UNTAGGED_STACK_EFA_INTERFACES;
}

/** Name of the job queue of stack `stack`. */
export function stackQueueName(stack: string): string {
  return `mnbatch-${stack}`;
}

/** Name of the SSM SecureString parameter holding stack `stack`'s rendezvous key. */
export function stackRendezvousParameter(stack: string): string {
  return `/mnbatch/${stack}/rendezvous-key`;
}

/** Name of the execution role `infra up` creates for stack `stack` (ECS reads the key with it). */
export function stackExecutionRoleName(stack: string): string {
  return `mnbatch-${stack}-execution`;
}

/**
 * Name of stack `stack`'s execution policy: the customer managed policy an administrator creates
 * once (`iam-policy --role execution --document`) and `infra up` attaches to the execution role.
 * It has the role's name on purpose: one name per stack for the execution concern.
 */
export function stackExecutionPolicyName(stack: string): string {
  return stackExecutionRoleName(stack);
}

/**
 * Every job definition mnbatch registers is named `mnbatch-<job name>-<content hash>`: the submit
 * policy lets its holder register, tag and run job definitions under this prefix only, so it
 * cannot tag someone else's definition mnbatch:job and then run it (Batch has no condition that
 * tells a tag given at creation from one added later).
 */
export const JOB_DEFINITION_PREFIX = 'mnbatch-';
