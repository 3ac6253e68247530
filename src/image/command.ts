/** The body of `mnbatch image push FILE`: build the job's image and push it to ECR, as `submit` does. */
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { loadJobFile } from '../jobs/job-file.js';
import type { CliContext } from '../ui/context.js';
import { jobAwsOptions } from '../ui/context.js';

/** Flags of `mnbatch image push`. */
export interface PushFlags {
  readonly json?: boolean;
}

/** Pushes the `build:` image of `file` (skipped when already there) and prints the pinned reference. */
export async function imagePushCommand(file: string, flags: PushFlags, ctx: CliContext): Promise<number> {
  const [{ requestedInstanceTypes }, images] = await Promise.all([
    import('../jobs/preflight.js'),
    import('./job-images.js'),
  ]);
  // No queue needed: nothing is submitted.
  const { plan, spec, dir } = await loadJobFile(file, {}, ctx, { requireQueue: false });
  if (!spec.build) {
    throw new MnbatchError('NO_BUILD', `${file} has no build section: there is no image to build and push`, {
      exitCode: EXIT.usage,
      details: ['submit pins its image: by digest as it is'],
    });
  }
  const aws = await jobAwsOptions(ctx, 'image push');
  const result = await images.pushImage(
    { aws, env: ctx.env, say: (line) => ctx.output.err(line), signal: ctx.signal, tty: ctx.output.isTty },
    {
      image: spec.image,
      build: spec.build,
      dir,
      job: spec.name,
      ...(spec.stack !== undefined ? { stack: spec.stack } : {}),
      instanceTypes: requestedInstanceTypes(plan.registerJobDefinition),
    },
  );
  ctx.output.out(flags.json ? JSON.stringify(result, null, 2) : result.pinned);
  return 0;
}
