import type { PushFlags } from '../../image/command.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

/** `mnbatch image push FILE`: build the job's image and push it to ECR, as `submit` does; prints the pinned reference. */
export const register: RegisterCommand = (program, ctx) => {
  const image = program.command('image').description('the job image in ECR');
  withJsonOutput(
    image
      .command('push')
      .description('build the build: image of a job file and push it to ECR (skipped when already there)')
      .argument('<file>', 'job file'),
    'what was pushed',
  ).action(
    action(ctx, async (file: string, flags: PushFlags) => {
      const { imagePushCommand } = await import('../../image/command.js');
      return imagePushCommand(file, flags, ctx);
    }),
  );
};
