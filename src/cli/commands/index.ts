import type { RegisterCommand } from '../register.js';
import { register as ami } from './ami.js';
import { register as cancel } from './cancel.js';
import { register as completion } from './completion.js';
import { register as doctor } from './doctor.js';
import { register as execCommand } from './exec.js';
import { register as iamPolicy } from './iam-policy.js';
import { register as image } from './image.js';
import { register as infra } from './infra.js';
import { register as list } from './list.js';
import { register as logs } from './logs.js';
import { register as plan } from './plan.js';
import { register as run } from './run.js';
import { register as schema } from './schema.js';
import { register as status } from './status.js';
import { register as submit } from './submit.js';
import { register as validate } from './validate.js';

/**
 * Every command of the CLI, in the order `--help` lists them. Each module only declares its
 * arguments; the work is loaded with `await import()` inside the action so `--help` stays fast.
 */
export const commands: readonly RegisterCommand[] = [
  validate,
  plan,
  submit,
  status,
  logs,
  cancel,
  execCommand,
  list,
  run,
  image,
  schema,
  ami,
  infra,
  iamPolicy,
  doctor,
  completion,
];
