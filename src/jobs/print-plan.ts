/** How `mnbatch plan` and `submit --dry-run` show a plan: one printer, so both print exactly the same. */

import type { JobPlan } from '../plan/index.js';
import { CONTENT_TAG, withContentTag } from './job-definition.js';

/** The lines to print for `plan`: headed requests, or with `json` only `{registerJobDefinition, submitJob}`. */
export function formatPlan(plan: JobPlan, options: { readonly json: boolean }): string[] {
  // Exactly what submit registers: the request with its content tag.
  const registerJobDefinition = withContentTag(plan.registerJobDefinition);
  const { submitJob } = plan;
  if (options.json) return [JSON.stringify({ registerJobDefinition, submitJob }, null, 2)];
  return [
    `RegisterJobDefinition (only when no ACTIVE revision of ${plan.jobDefinitionName} has this ${CONTENT_TAG} tag)`,
    JSON.stringify(registerJobDefinition, null, 2),
    '',
    `SubmitJob (${plan.numNodes} nodes)`,
    JSON.stringify(submitJob, null, 2),
  ];
}
