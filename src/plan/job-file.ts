/** A job file checked and planned in one step, with every problem positioned in the file. */
import { dirname, resolve } from 'node:path';
import { checkJobSpec, formatProblem, type JobSpec, readJobFile, specInvalid } from '../spec/index.js';
import { type JobPlan, type PlanOptions, planJob } from './plan-job.js';
import { PlanRuleError } from './rule-error.js';

/** Queue name used when only checking a job that names no queue (`validate`). */
export const QUEUE_PLACEHOLDER = '<queue>';

/** A job file that is valid and plans. */
export interface PlannedJob {
  readonly spec: JobSpec;
  readonly plan: JobPlan;
  readonly file: string;
  /** Folder of the file (build.context is relative to it). */
  readonly dir: string;
}

/**
 * Validates and plans `text`; throws SPEC_INVALID with `file:line:col: path: message` lines for
 * problems of the file (including plan rules such as the 24 KiB limit). With `requireQueue`
 * false a job without queue plans against a placeholder queue.
 */
export function planJobText(
  text: string,
  file: string,
  options: PlanOptions,
  requireQueue = true,
): { spec: JobSpec; plan: JobPlan } {
  const check = checkJobSpec(text, file);
  const spec = check.spec;
  if (spec === undefined) {
    throw specInvalid(
      file,
      check.problems.map((p) => formatProblem(file, p)),
    );
  }
  const hasQueue = options.queue !== undefined || spec.queue !== undefined || spec.stack !== undefined;
  const planOptions = requireQueue || hasQueue ? options : { ...options, queue: QUEUE_PLACEHOLDER };
  try {
    return { spec, plan: planJob(spec, planOptions) };
  } catch (e) {
    if (e instanceof PlanRuleError) throw specInvalid(file, [check.problemLine(e.path, e.message, e.at)]);
    throw e;
  }
}

/** Reads, validates and plans a job file. */
export async function loadPlannedJob(
  file: string,
  options: PlanOptions,
  requireQueue = true,
): Promise<PlannedJob> {
  const text = await readJobFile(file);
  return { ...planJobText(text, file, options, requireQueue), file, dir: dirname(resolve(file)) };
}
