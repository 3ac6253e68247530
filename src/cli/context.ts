import type { Command } from 'commander';
import type { Output } from './output.js';

/** What every command gets from the entry point instead of reaching for `process`. */
export interface CliContext {
  readonly output: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on the first Ctrl-C / SIGTERM; long-running commands clean up and return. */
  readonly signal: AbortSignal;
  /**
   * The second Ctrl-C / SIGTERM. A command that `claim`s it gets `signal` aborted and handles
   * it (e.g. kills at once what it was stopping gracefully); otherwise the second one exits.
   */
  readonly force?: ForceStop;
  /** Set by a command's action: what `exec` returns. */
  exitCode: number;
}

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

/** The second interrupt, for commands that stop gracefully on the first. */
export interface ForceStop {
  readonly signal: AbortSignal;
  /** The command handles the second interrupt itself; only a third exits at once. */
  claim(): void;
}
