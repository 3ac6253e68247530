/**
 * Reusable field schemas of job.yaml: durations, sizes, environment maps, ports, ARNs.
 * Each validates with a message written for the person editing the file.
 */
import { z } from 'zod';
import { LIMITS } from '../contract/limits.js';
import { DURATION_PATTERN, type Parsed, parseDuration, parseMebibytes, SIZE_PATTERN } from './units.js';

const DURATION_HINT = 'must be a duration like 90m, 2h, 1h30m, 3600s or a number of seconds';
const SIZE_HINT = 'must be a size like 512MiB, 8GiB or a number of MiB';

function sizeMessage(input: unknown): string {
  const parsed = typeof input === 'string' ? parseMebibytes(input) : undefined;
  return parsed && !parsed.ok ? parsed.message : SIZE_HINT;
}

/** Issue params that say the problem is about a mapping key, not its value (so the error points at the key). */
export const AT_KEY = { at: 'key' } as const;

/** A duration in seconds: `90m`, `2h`, `1h30m`, `3600s`, or a whole number of seconds. */
export function duration(minimumSeconds: number, maximumSeconds: number = LIMITS.batch.maxInteger) {
  return z
    .union([z.number(), z.string().regex(DURATION_PATTERN, { error: DURATION_HINT })], {
      error: (iss) => (iss.input === undefined ? 'is required' : DURATION_HINT),
    })
    .transform(within(parseDuration, minimumSeconds, maximumSeconds, 's'));
}

/** A size in MiB: `512MiB`, `8GiB`, `1.5GiB`, or a whole number of MiB. */
export function mebibytes(minimumMiB: number, maximumMiB: number = LIMITS.batch.maxInteger) {
  return z
    .union([z.number(), z.string().regex(SIZE_PATTERN, { error: (iss) => sizeMessage(iss.input) })], {
      error: (iss) => (iss.input === undefined ? 'is required' : SIZE_HINT),
    })
    .transform(within(parseMebibytes, minimumMiB, maximumMiB, 'MiB'));
}

/** A zod transform: `parse` the input, then require `minimum` ≤ value ≤ `maximum` (in `unit`). */
function within(parse: (input: number | string) => Parsed, minimum: number, maximum: number, unit: string) {
  return (input: number | string, ctx: z.RefinementCtx<number | string>): number => {
    const parsed = parse(input);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message, input });
      return z.NEVER;
    }
    if (parsed.value < minimum) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at least ${minimum} ${unit} (got ${parsed.value} ${unit})`,
        input,
      });
      return z.NEVER;
    }
    if (parsed.value > maximum) {
      // Said in words, never as the 1e+308 a huge number prints as.
      ctx.addIssue({ code: 'custom', message: `must be at most ${maximum} ${unit}`, input });
      return z.NEVER;
    }
    return parsed.value;
  };
}

/** A string, number or boolean, kept as text (environment values, build args). */
export const scalarText = z
  .union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or true/false' })
  .transform((v) => String(v));

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED_PREFIXES = ['AWS_BATCH_', 'MNBATCH_'];

/** A map of environment variables: valid names, none of the reserved AWS_BATCH_* / MNBATCH_* ones. */
export function environmentMap() {
  return z.record(z.string(), scalarText).superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      const reserved = RESERVED_PREFIXES.find((p) => name.toUpperCase().startsWith(p));
      if (!ENV_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          params: AT_KEY,
          message: `"${name}" is not a valid variable name (letters, digits and _, not starting with a digit)`,
        });
      } else if (reserved) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          params: AT_KEY,
          message: `"${name}" is reserved: names starting with ${reserved} are set by AWS Batch or mnbatch`,
        });
      }
    }
  });
}

/** A TCP port. */
export const port = z.number().int().min(1).max(65535);

/** An IAM role ARN. */
export const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
  error: 'must be an IAM role ARN like arn:aws:iam::123456789012:role/NAME',
});

/** A list of strings that must not be empty, or a single string (run with /bin/sh -c). */
export const command = z
  .union([z.string().min(1), z.array(z.string()).min(1)], {
    error: 'must be a list of arguments or a shell command string',
  })
  .transform((c) => (typeof c === 'string' ? ['/bin/sh', '-c', c] : c));

/** Resources of one node, mapped to resourceRequirements VCPU / MEMORY / GPU. */
export const resources = z
  .object({
    vcpus: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.batch.maxInteger)
      .describe('vCPUs reserved for each node (VCPU)'),
    memory: mebibytes(4).describe('memory of each node: MiB or a size like 8GiB (MEMORY)'),
    gpus: z
      .number()
      .int()
      .min(0)
      .max(LIMITS.agent.maxGpus)
      .default(0)
      .describe('GPUs of each node (GPU); 0 for none'),
  })
  .strict();

/** Resources in a node group: each field replaces the job's. */
export const resourcesOverride = z
  .object({
    vcpus: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.batch.maxInteger)
      .optional()
      .describe('vCPUs of each node in this group'),
    memory: mebibytes(4).optional().describe('memory of each node in this group'),
    gpus: z
      .number()
      .int()
      .min(0)
      .max(LIMITS.agent.maxGpus)
      .optional()
      .describe('GPUs of each node in this group'),
  })
  .strict();

/** Ulimit names Docker and Batch know. */
export const ULIMIT_NAMES = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
] as const;

const limit = z.union([z.number().int().min(-1).max(LIMITS.batch.maxInteger), z.literal('unlimited')], {
  error: 'must be a whole number or "unlimited"',
});

/** A ulimit: a number, "unlimited" or {soft, hard}. */
export const ulimit = z.union([limit, z.object({ soft: limit, hard: limit }).strict()], {
  error: 'must be a number, "unlimited" or {soft, hard}',
});

/** An absolute path. */
export const absolutePath = () => z.string().regex(/^\//, { error: 'must be an absolute path' });
