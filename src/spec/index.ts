/** job.yaml: the schema, parsing with positioned errors, and the JSON Schema for editors. */

export { EFA_AUTO_NEEDS_TYPE } from './cross-rules.js';
export {
  checkJobSpec,
  formatProblem,
  loadJobSpec,
  parseJobSpec,
  readJobFile,
  type SpecCheck,
  specInvalid,
} from './parse.js';
export type { NodeRange } from './ranges.js';
export { formatRange } from './ranges.js';
export { BATCH_LIMITS, type JobSpec, jobJsonSchema, jobSpecSchema } from './schema.js';
export type { Problem, Segment } from './source.js';
export { formatDuration, parseDuration, parseMebibytes } from './units.js';
