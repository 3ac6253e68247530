/** Pure planning: job spec → the AWS Batch requests of a submission. */

export type { StackEfaInterfaces } from './efa.js';
export { canonicalJson, contentHash } from './hash.js';
export { loadPlannedJob, type PlannedJob, planJobText, QUEUE_PLACEHOLDER } from './job-file.js';
export {
  type JobPlan,
  MAX_JOB_DEFINITION_BYTES,
  type PlanOptions,
  planJob,
  RENDEZVOUS_PLACEHOLDER,
  type RendezvousSecret,
  submitterOf,
} from './plan-job.js';
export { retryStrategy } from './retry.js';
export { PlanRuleError } from './rule-error.js';
