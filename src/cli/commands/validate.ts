import { resolve } from 'node:path';
import { EXIT } from '../../contract/exit-codes.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { action } from '../context.js';

/** `mnbatch validate FILE...`: checks job files (and that they plan) without AWS. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description('check job.yaml files: every problem with file:line:col, nothing sent to AWS')
    .argument('<file...>', 'job files')
    .action(action(ctx, (files: string[]) => validateFiles(files, ctx)));
};

/** One line per valid file, one line per problem of the others; 0 only when all are valid. */
async function validateFiles(files: readonly string[], ctx: CliContext): Promise<number> {
  // Loaded here, not at the top, so that `mnbatch --help` does not load zod and yaml.
  const [{ planJobText, TOKEN_PLACEHOLDER }, { readJobFile }, { isMnbatchError }, { mnbatchVersion }] =
    await Promise.all([
      import('../../plan/index.js'),
      import('../../spec/index.js'),
      import('../../errors.js'),
      import('../../version.js'),
    ]);
  let invalid = 0;
  for (const file of files) {
    try {
      const text = await readJobFile(resolve(ctx.cwd, file), file);
      const { spec } = planJobText(
        text,
        file,
        { token: TOKEN_PLACEHOLDER, version: mnbatchVersion() },
        false,
      );
      const nodes = `${spec.nodes} nodes × ${spec.instanceType ?? 'any instance type'}`;
      ctx.output.out(`${file}: ok — ${nodes}, ${spec.mpi.implementation}, launch ${spec.launch}`);
    } catch (e) {
      if (!isMnbatchError(e)) throw e;
      invalid++;
      if (e.details.length > 0) for (const line of e.details) ctx.output.out(line);
      else ctx.output.out(e.message);
    }
  }
  if (files.length > 1 && invalid > 0) ctx.output.err(`${invalid} of ${files.length} files invalid`);
  return invalid > 0 ? EXIT.invalidInput : EXIT.success;
}
