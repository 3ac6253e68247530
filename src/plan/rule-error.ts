/** The error of a plan rule broken by the spec, positioned at the job.yaml path to blame. */
import { MnbatchError } from '../errors.js';
import type { Segment } from '../spec/index.js';

/** A rule of the plan broken by the spec; `path` is the job.yaml path to blame (its key, or its value). */
export class PlanRuleError extends MnbatchError {
  readonly path: readonly Segment[];
  readonly at: 'key' | 'value';
  constructor(path: readonly Segment[], message: string, at: 'key' | 'value' = 'key') {
    super('PLAN_INVALID', message);
    this.path = path;
    this.at = at;
  }
}
