/**
 * How an infrastructure stack made by `mnbatch infra up` is found again: every resource carries
 * the stack tag, and the job queue has a name derived from the stack, so `submit` with
 * `stack: NAME` in job.yaml needs no local state.
 */
export const STACK_TAG = 'mnbatch:stack';

/** Name of the job queue of stack `stack`. */
export function stackQueueName(stack: string): string {
  return `mnbatch-${stack}`;
}
