/** Reading and planning a job file exactly as `submit` sends it (plan, submit, image push, doctor). */
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { JobPlan } from '../plan/index.js';
import type { JobSpec } from '../spec/index.js';
import type { CliContext } from '../ui/context.js';

/** What both `plan` and `submit` take to plan a job file. */
export interface PlanFlags {
  readonly nodes?: number;
  readonly queue?: string;
  readonly json?: boolean;
}

/** Reads and plans `file` as `submit` sends it; `token` defaults to the placeholder `plan` prints. */
export async function planFile(
  file: string,
  flags: PlanFlags,
  ctx: CliContext,
  token?: string,
): Promise<JobPlan> {
  return (await loadJobFile(file, flags, ctx, token)).plan;
}

/** Like planFile, with the spec and the folder of the file (build.context is relative to it). */
export async function loadJobFile(
  file: string,
  flags: PlanFlags,
  ctx: CliContext,
  token?: string,
  requireQueue = true,
): Promise<{ readonly spec: JobSpec; readonly plan: JobPlan; readonly dir: string }> {
  // Loaded here, not at the top, so that `mnbatch --help` does not load zod and yaml.
  const [{ planJobText, TOKEN_PLACEHOLDER, submitterOf }, { readJobFile }, { mnbatchVersion }] =
    await Promise.all([import('../plan/index.js'), import('../spec/index.js'), import('../version.js')]);
  const text = await readJobFile(resolve(ctx.cwd, file), file);
  // The same user as `submit` tags: from the environment, else the login name.
  const user = submitterOf(ctx.env) ?? submitterOf({ USER: loginName() });
  const planned = planJobText(
    text,
    file,
    {
      token: token ?? TOKEN_PLACEHOLDER,
      version: mnbatchVersion(),
      ...(flags.nodes !== undefined ? { nodes: flags.nodes } : {}),
      ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
      ...(user !== undefined ? { user } : {}),
    },
    requireQueue,
  );
  return { ...planned, dir: dirname(resolve(ctx.cwd, file)) };
}

function loginName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}
