/** `nodeGroups` of job.yaml: node ranges with their own image, command, environment, resources. */
import { z } from 'zod';
import { command, environmentMap, resourcesOverride } from './fields.js';
import { parseRange, RANGE_PATTERN } from './ranges.js';

/** A range of node indices: "0:3", "4:" or {from, to}; parsed to {from, to}. */
const range = z
  .union(
    [
      z.string().regex(RANGE_PATTERN, { error: 'must be a node range like "0:3" or "4:"' }),
      z
        .object({
          from: z.number().int().min(0).describe('first node index'),
          to: z.number().int().min(0).optional().describe('last node index (left out: to the last node)'),
        })
        .strict(),
    ],
    { error: 'must be a node range like "0:3", "4:" or {from, to}' },
  )
  .transform((r) => (typeof r === 'string' ? parseRange(r)! : { from: r.from, to: r.to }));

/** One node group. */
export const nodeGroup = z
  .object({
    range: range.describe('node indices of this group: "0:3", "4:" (to the last node) or {from, to}'),
    image: z.string().min(1).optional().describe('image of this group (default: the job image)'),
    command: command.optional().describe('command of this group (default: the job command)'),
    environment: environmentMap()
      .default({})
      .describe('variables added to (or replacing) the job environment'),
    resources: resourcesOverride
      .optional()
      .describe('resources of this group; fields replace the job resources'),
    instanceType: z.string().optional().describe('must equal the job instanceType (Batch uses one type)'),
  })
  .strict();
