/**
 * The job.yaml schema: one zod schema, strict objects, camelCase keys. Defaults are applied
 * here, so everything downstream (plan, local runner) reads a complete spec.
 */
import { z } from 'zod';
import { AGENT_DEFAULTS } from '../contract/agent-env.js';
import { LIMITS } from '../contract/limits.js';
import { STACK_NAME, STACK_NAME_RULE } from '../contract/stack.js';
import { crossFieldProblems } from './cross-rules.js';
import {
  AT_KEY,
  command,
  duration,
  environmentMap,
  mebibytes,
  port,
  resources,
  roleArn,
  scalarText,
  ULIMIT_NAMES,
  ulimit,
} from './fields.js';
import { nodeGroup } from './node-groups.js';
import { efs, volume } from './storage.js';

/** Limits of AWS Batch multi-node parallel jobs. */
export const BATCH_LIMITS = LIMITS.batch;

/** Whether ulimit `soft` ≤ `hard`, where -1 and "unlimited" are infinite. */
function softAtMostHard(soft: number | 'unlimited', hard: number | 'unlimited'): boolean {
  const n = (v: number | 'unlimited') => (v === 'unlimited' || v === -1 ? Number.POSITIVE_INFINITY : v);
  return n(soft) <= n(hard);
}

/** Tags a job may set: Batch allows 50 per resource and mnbatch adds up to 3 (job, version, user). */
const MAX_USER_TAGS = 47;

/** Longest job name: the job definition name adds "mnbatch-", "-" and 10 hex digits and may be 128 long. */
export const MAX_JOB_NAME = 109;

const LOG_DRIVERS = ['awslogs', 'fluentd', 'gelf', 'journald', 'json-file', 'splunk', 'syslog'] as const;

/** The schema of job.yaml. */
export const jobSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, {
        error: 'must start with a letter or digit and contain only letters, digits, - and _',
      })
      .max(MAX_JOB_NAME)
      .describe('job name (jobName); also names the job definition'),
    image: z.string().min(1).describe('container image of every node; its ENTRYPOINT is mnbatch-agent'),
    build: z
      .object({
        context: z.string().min(1).default('.').describe('build context, relative to job.yaml'),
        dockerfile: z
          .string()
          .min(1)
          .optional()
          .describe('Dockerfile, relative to the context (default Dockerfile)'),
        args: z.record(z.string(), scalarText).default({}).describe('build arguments'),
        keepImages: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .optional()
          .describe(
            "keep only the newest N images in the job's ECR repository (a lifecycle rule that expires older ones); unset: images are kept",
          ),
      })
      .strict()
      .optional()
      .describe(
        'how the image is built: by `mnbatch run --local`, and by `submit`, which pushes it to ECR and pins it by digest',
      ),
    nodes: z
      .number()
      .int()
      .min(BATCH_LIMITS.minNodes)
      .max(BATCH_LIMITS.maxNodes)
      .describe('number of nodes (nodeProperties.numNodes), 2 to 1000'),
    mainNode: z.number().int().min(0).default(0).describe('index of the main node (nodeProperties.mainNode)'),
    queue: z.string().min(1).optional().describe('job queue name or ARN (jobQueue)'),
    stack: z
      .string()
      .regex(STACK_NAME, { error: `must be a stack name: ${STACK_NAME_RULE}` })
      .optional()
      .describe('an `mnbatch infra` stack: its queue is used when queue is not set'),
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, { error: 'must be an instance type like c5n.18xlarge' })
      .optional()
      .describe('instance type of every node (container.instanceType)'),
    resources: resources.describe('what each node reserves (resourceRequirements)'),
    command: command
      .optional()
      .describe('argv list, or a string run with /bin/sh -c (container.command); default: the image CMD'),
    environment: environmentMap().default({}).describe('variables of every node (container.environment)'),
    mpi: z
      .object({
        implementation: z
          .enum(['auto', 'openmpi', 'mpich', 'intelmpi'])
          .default('auto')
          .describe(
            "MPI of the image's mpirun: auto = whatever `mpirun --version` says; a named one that the image does not have fails the job at once (exit 207)",
          ),
        slotsPerNode: z
          .union([z.literal('auto'), z.number().int().min(1).max(LIMITS.agent.maxSlots)], {
            error: `must be "auto" or a whole number from 1 to ${LIMITS.agent.maxSlots}`,
          })
          .default('auto')
          .describe('ranks per node: auto = GPUs when the job has GPUs, else physical cores'),
        args: z.array(z.string()).default([]).describe('extra mpirun arguments'),
        env: environmentMap().default({}).describe('variables exported to every rank'),
      })
      .strict()
      .prefault({})
      .describe('how the main node runs mpirun (launch: mpirun)'),
    launch: z
      .enum(['mpirun', 'each', 'main'])
      .default('mpirun')
      .describe(
        'mpirun: main runs mpirun over all nodes; each: every node runs the command; main: only the main node',
      ),
    exec: z
      .boolean()
      .default(false)
      .describe(
        'allow `mnbatch exec` into running nodes through ECS Exec (enableExecuteCommand; the job role needs ssmmessages:*)',
      ),
    efs: efs.optional().describe('EFS file system mounted on every node'),
    volumes: z
      .array(volume)
      .default([])
      .describe('host directories mounted on every node (volumes, mountPoints)'),
    efa: z
      .union([z.literal('off'), z.literal('auto'), z.number().int().min(1).max(32)], {
        error: 'must be off, auto or a number of EFA devices',
      })
      .default('off')
      .describe('EFA devices mapped into the container (/dev/infiniband/uverbsN): off, auto or a count'),
    sharedMemory: mebibytes(1)
      .optional()
      .describe('size of /dev/shm (linuxParameters.sharedMemorySize): MiB or a size like 8GiB'),
    ulimits: z
      .record(z.string(), ulimit)
      .default({})
      .superRefine((u, ctx) => {
        const nofile = u.nofile;
        if (
          nofile === 'unlimited' ||
          (typeof nofile === 'object' && Object.values(nofile).includes('unlimited'))
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['nofile'],
            message: 'nofile cannot be unlimited (the kernel caps open files); give a number such as 1048576',
          });
        }
        for (const [name, value] of Object.entries(u)) {
          if (typeof value === 'object' && !softAtMostHard(value.soft, value.hard)) {
            ctx.addIssue({
              code: 'custom',
              path: [name, 'soft'],
              message: `soft limit ${value.soft} is above the hard limit ${value.hard} (Docker refuses it)`,
            });
          }
          if (!(ULIMIT_NAMES as readonly string[]).includes(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              params: { ...AT_KEY, allowed: ULIMIT_NAMES },
              message: `unknown ulimit "${name}"`,
            });
          }
        }
      })
      .describe('ulimits: name → number, "unlimited" or {soft, hard} (container.ulimits)'),
    timeout: duration(BATCH_LIMITS.minTimeoutSeconds)
      .optional()
      .describe(
        'limit of each attempt, at least 60 s: 90m, 2h, 1h30m, or seconds (timeout.attemptDurationSeconds)',
      ),
    retries: z
      .object({
        attempts: z.number().int().min(1).max(10).default(1).describe('attempts in all, 1 to 10'),
        on: z
          .enum(['infrastructure', 'any'])
          .default('infrastructure')
          .describe(
            'infrastructure: retry only agent bring-up/SSH/node-lost codes and host failures; any: every failure',
          ),
      })
      .strict()
      .prefault({})
      .describe('retryStrategy'),
    tags: z
      .record(z.string(), z.string())
      .default({})
      .superRefine((tags, ctx) => {
        if (Object.keys(tags).length > MAX_USER_TAGS) {
          ctx.addIssue({
            code: 'custom',
            message: `at most ${MAX_USER_TAGS} tags (Batch allows 50; mnbatch adds its own)`,
          });
        }
        for (const key of Object.keys(tags)) {
          if (/^(aws|mnbatch):/i.test(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              params: AT_KEY,
              message: `tag "${key}" is reserved`,
            });
          } else if (key.length > 128) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              params: AT_KEY,
              message: 'tag keys are at most 128 characters',
            });
          } else if ((tags[key] ?? '').length > 256) {
            ctx.addIssue({ code: 'custom', path: [key], message: 'tag values are at most 256 characters' });
          }
        }
      })
      .describe('tags of the job definition and the job'),
    propagateTags: z.boolean().default(false).describe('copy tags to the ECS tasks (propagateTags)'),
    jobRoleArn: roleArn.optional().describe('role the containers run with (container.jobRoleArn)'),
    executionRoleArn: roleArn
      .optional()
      .describe('role ECS uses to pull images and write logs (executionRoleArn)'),
    logging: z
      .object({
        driver: z.enum(LOG_DRIVERS).describe('log driver (logConfiguration.logDriver)'),
        options: z.record(z.string(), scalarText).default({}).describe('driver options'),
      })
      .strict()
      .optional()
      .describe('container log configuration (default: awslogs of the compute environment)'),
    rendezvous: z
      .object({
        timeout: duration(LIMITS.agent.minRendezvousSeconds, LIMITS.agent.maxRendezvousSeconds)
          .default(AGENT_DEFAULTS.rendezvousTimeoutSeconds)
          .describe('bring-up deadline of all nodes, at most 7 days (default 10m)'),
        port: port
          .default(AGENT_DEFAULTS.rendezvousPort)
          .describe('TCP port of the main node rendezvous server'),
        minNodes: z
          .number()
          .int()
          .min(BATCH_LIMITS.minNodes)
          .optional()
          .describe('start with this many nodes when the deadline passes (default: all)'),
      })
      .strict()
      .prefault({})
      .describe('how the nodes find each other'),
    ssh: z
      .object({ port: port.default(AGENT_DEFAULTS.sshPort).describe('sshd port of every node') })
      .strict()
      .prefault({})
      .describe('SSH between nodes'),
    nodeGroups: z
      .array(nodeGroup)
      .min(1)
      .max(BATCH_LIMITS.maxNodeRanges)
      .optional()
      .describe('advanced: up to 5 node ranges with their own image, command, environment or resources'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    for (const p of crossFieldProblems(spec))
      ctx.addIssue({ code: 'custom', path: [...p.path], message: p.message });
  });

/** The validated job.yaml with defaults applied. */
export type JobSpec = z.infer<typeof jobSpecSchema>;

/** The JSON Schema of job.yaml, for editors (yaml-language-server) and `mnbatch schema`. */
export function jobJsonSchema(): object {
  return {
    ...z.toJSONSchema(jobSpecSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }),
    title: 'mnbatch job.yaml',
  };
}
