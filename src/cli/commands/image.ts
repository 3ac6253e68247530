import type { CliContext, RegisterCommand } from '../context.js';
import { action, jobAwsOptions } from '../context.js';
import { loadJobFile } from './plan.js';

interface PushFlags {
  readonly json?: boolean;
}

/** `mnbatch image push FILE`: build the job's image and push it to ECR, as `submit` does; prints the pinned reference. */
export const register: RegisterCommand = (program, ctx) => {
  const image = program.command('image').description('the job image in ECR');
  image
    .command('push')
    .description('build the build: image of a job file and push it to ECR (skipped when already there)')
    .argument('<file>', 'job file')
    .option('--json', 'print what was pushed as JSON')
    .action(action(ctx, (file: string, flags: PushFlags) => push(file, flags, ctx)));
};

async function push(file: string, flags: PushFlags, ctx: CliContext): Promise<number> {
  const [{ MnbatchError }, { requestedInstanceTypes }, images] = await Promise.all([
    import('../../errors.js'),
    import('../../jobs/preflight.js'),
    import('../../image/job-images.js'),
  ]);
  // No queue needed: nothing is submitted.
  const { plan, spec, dir } = await loadJobFile(file, {}, ctx, undefined, false);
  if (!spec.build) {
    throw new MnbatchError('NO_BUILD', `${file} has no build section: there is no image to build and push`, {
      exitCode: 2,
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
