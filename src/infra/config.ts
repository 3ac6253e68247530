/**
 * infra.yaml: what `mnbatch infra up` builds. One zod schema; command-line flags override the
 * file's values before validation, so both go through the same checks.
 */
import { z } from 'zod';
import { EFA_INTERFACES_TAG, STACK_NAME, STACK_NAME_RULE, STACK_TAG } from '../contract/stack.js';

const INSTANCE_PROFILE = /^(arn:aws[a-z-]*:iam::\d{12}:instance-profile\/)?[\w+=,.@/-]{1,128}$/;
const AMI_HINT = 'must be default or an AMI id like ami-0abc…';
const EFS_HINT = 'must be create, none or a file system id like fs-0abc…';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,128}$/;

/** Roles: created by mnbatch (`create: true`) or existing ones given by name/ARN. */
const rolesSchema = z
  .object({
    /** Create an instance role + instance profile and a job role, tagged with the stack. */
    create: z.boolean().default(false),
    /** Instance profile the compute environment's instances use (name or ARN). */
    instanceProfile: z
      .string()
      .regex(INSTANCE_PROFILE, { error: 'must be an instance profile name or ARN' })
      .default('ecsInstanceRole'),
    /** Role for the job's containers; informational (the job definition names it). */
    jobRoleArn: z.string().regex(ROLE_ARN, { error: 'must be an IAM role ARN' }).optional(),
  })
  .strict();

/** The RUNNABLE reasons for which Batch can cancel a job stuck at the head of an ECS queue. */
export const RUNNABLE_CANCEL_REASONS = [
  'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
  'MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE',
  'MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT',
] as const;

/**
 * The queue's `jobStateTimeLimitActions`: cancel a job that has waited RUNNABLE at the head of the
 * queue longer than `maxTimeSeconds` for one of `reasons` (Batch allows 600 to 86,400 s).
 */
const runnableTimeLimitSchema = z
  .object({
    maxTimeSeconds: z
      .number()
      .int()
      .min(600, { error: 'must be at least 600 (Batch allows 10 minutes to 24 hours)' })
      .max(86_400, { error: 'must be at most 86400 (Batch allows 10 minutes to 24 hours)' }),
    reasons: z
      .array(
        z.enum(RUNNABLE_CANCEL_REASONS, { error: `must be one of ${RUNNABLE_CANCEL_REASONS.join(', ')}` }),
      )
      .min(1, { error: 'needs at least one reason' })
      .default([...RUNNABLE_CANCEL_REASONS]),
  })
  .strict();

/** The infra.yaml schema. */
export const infraConfigSchema = z
  .object({
    stack: z.string().regex(STACK_NAME, { error: STACK_NAME_RULE }),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'must be a region like us-east-1' })
      .optional(),
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { error: 'must be a VPC id like vpc-0abc…' }),
    subnetId: z.string().regex(/^subnet-[0-9a-f]+$/, {
      error: 'must be one subnet id like subnet-0abc… (cluster placement groups are single-AZ)',
    }),
    instanceTypes: z
      .array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)?$/, { error: 'must be an instance type or family' }))
      .min(1, { error: 'needs at least one instance type' }),
    maxVcpus: z.number().int().positive({ error: 'must be a positive whole number' }),
    /** `default`: ECS-optimized AL2023 (Batch's ECS_AL2023 image, see SSM); or a baked `ami-` id. */
    ami: z
      .union([z.literal('default'), z.string().regex(/^ami-[0-9a-f]+$/, { error: AMI_HINT })], {
        error: AMI_HINT,
      })
      .default('default'),
    /** `create` a file system for the stack, an existing `fs-` id, or `none`. */
    efs: z
      .union(
        [z.literal('create'), z.literal('none'), z.string().regex(/^fs-[0-9a-f]+$/, { error: EFS_HINT })],
        {
          error: EFS_HINT,
        },
      )
      .default('none'),
    /** Where EFS is mounted on the instances (when `efs` is not none and the AMI does not mount it). */
    efsMountPoint: z
      .string()
      .regex(/^\/[\w./-]+$/, { error: 'must be an absolute path' })
      .default('/efs'),
    efa: z.boolean().default(false),
    /**
     * With `efa: true`: at most this many EFA interfaces per instance (one per network card).
     * Unset: as many as every instance type of the stack has network cards with EFA.
     */
    efaInterfaces: z.number().int().positive({ error: 'must be a positive whole number' }).optional(),
    s3Endpoint: z.boolean().default(false),
    /**
     * Hyper-threading: `on`; off through a baked AMI (`ami`, nothing to add at boot); or off
     * through launch template user data (`userData`: sibling threads taken offline at boot).
     */
    hyperthreading: z
      .enum(['on', 'offViaAmi', 'offViaUserData'], { error: 'must be on, offViaAmi or offViaUserData' })
      .default('on'),
    roles: rolesSchema.default({ create: false, instanceProfile: 'ecsInstanceRole' }),
    /**
     * Size in GiB of the instances' root volume, which also holds Docker's images (the ECS AMI's
     * default is 30 GiB: too small for many MPI/HPC images). Unset: the AMI's own size.
     */
    rootVolumeGiB: z
      .number()
      .int()
      .min(30, { error: 'must be at least 30 (the size of the ECS-optimized AMI)' })
      .max(16_384, { error: 'must be at most 16384 (the gp3 maximum)' })
      .optional(),
    /** Off by default: cancel jobs stuck RUNNABLE (see runnableTimeLimitSchema). */
    runnableTimeLimit: runnableTimeLimitSchema.optional(),
    /** Extra tags for every resource (the stack tag is always added). */
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.hyperthreading === 'offViaAmi' && c.ami === 'default') {
      ctx.addIssue({
        code: 'custom',
        path: ['hyperthreading'],
        message: 'offViaAmi needs a baked AMI in `ami` (mnbatch ami bake --no-ht); or use offViaUserData',
      });
    }
    if (c.efaInterfaces !== undefined && !c.efa) {
      ctx.addIssue({ code: 'custom', path: ['efaInterfaces'], message: 'needs efa: true' });
    }
    for (const own of [STACK_TAG, EFA_INTERFACES_TAG])
      if (own in c.tags) {
        ctx.addIssue({ code: 'custom', path: ['tags'], message: `${own} is set by mnbatch itself` });
      }
  });

/** A validated infra.yaml (defaults filled in). */
export type InfraConfig = z.output<typeof infraConfigSchema>;
