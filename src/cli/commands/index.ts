import type { RegisterCommand } from '../context.js';

/**
 * Every command of the CLI, in the order `--help` lists them. Each module only declares its
 * arguments; the work is loaded with `await import()` inside the action so `--help` stays fast.
 */
export const commands: readonly RegisterCommand[] = [];
