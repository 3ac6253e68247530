/** The text of job.schema.json: what `mnbatch schema` prints and scripts/generate.ts writes. */
import { jobJsonSchema } from './schema.js';

/** Pretty JSON Schema of job.yaml, ending in a newline. */
export function jobSchemaText(): string {
  return `${JSON.stringify(jobJsonSchema(), null, 2)}\n`;
}
