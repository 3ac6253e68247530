import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

/** `mnbatch validate FILE...`: checks job files (and that they plan) without AWS. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description('check job.yaml files: every problem with file:line:col, nothing sent to AWS')
    .argument('<file...>', 'job files')
    .action(
      action(ctx, async (files: string[]) => {
        const { validateFiles } = await import('../../jobs/offline-commands.js');
        return validateFiles(files, ctx);
      }),
    );
};
