import { EXIT } from '../../contract/exit-codes.js';
import { MnbatchError } from '../../errors.js';
import { commandTree, completionScript, SHELLS, type Shell } from '../completion.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

/** `mnbatch completion bash|zsh|fish`: prints the shell's completion script for every command. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('completion')
    .description('print the shell completion script (bash, zsh or fish)')
    .argument('<shell>', SHELLS.join(' | '))
    .action(
      action(ctx, async (shell: string) => {
        if (!(SHELLS as readonly string[]).includes(shell))
          throw new MnbatchError('USAGE', `completion ${shell}: must be one of ${SHELLS.join(', ')}`, {
            exitCode: EXIT.usage,
          });
        ctx.output.out(completionScript(shell as Shell, commandTree(program)).trimEnd());
        return 0;
      }),
    );
};
