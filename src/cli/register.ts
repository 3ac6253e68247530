/** How command files plug into commander: src/cli's own wiring, which no domain module sees. */
import type { Command } from 'commander';
import type { CliContext } from '../ui/context.js';

/** Adds one command (or a group) to the program. Files in `commands/` export one of these. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Wraps a command body that returns an exit code into a commander action. */
export function action<A extends unknown[]>(
  ctx: CliContext,
  body: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    ctx.exitCode = await body(...args);
  };
}
