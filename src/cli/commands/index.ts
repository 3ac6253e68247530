import type { RegisterCommand } from '../context.js';
import { register as ami } from './ami.js';
import { register as plan } from './plan.js';
import { register as run } from './run.js';
import { register as schema } from './schema.js';
import { register as validate } from './validate.js';

/**
 * Every command of the CLI, in the order `--help` lists them. Each module only declares its
 * arguments; the work is loaded with `await import()` inside the action so `--help` stays fast.
 */
export const commands: readonly RegisterCommand[] = [validate, plan, run, schema, ami];
