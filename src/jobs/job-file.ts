/** Reading and planning a job file exactly as `submit` sends it (plan, submit, image push, doctor). */
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { JobPlan, PlanOptions, RendezvousSecret } from '../plan/index.js';
import type { JobSpec } from '../spec/index.js';
import type { CliContext } from '../ui/context.js';

/** What both `plan` and `submit` take to plan a job file. */
export interface PlanFlags {
  readonly nodes?: number;
  readonly queue?: string;
  readonly json?: boolean;
}

/** How a job file is planned: the queue's rendezvous key and role, and whether a queue is needed. */
export interface LoadOptions {
  /** Looks up the queue's stack key and execution role; without it the plan shows placeholders. */
  readonly rendezvousOf?: (jobQueue: string) => Promise<RendezvousSecret>;
  /** false: a job without queue or stack plans too (`image push` needs no queue). */
  readonly requireQueue?: boolean;
}

/** Reads and plans `file` as `submit` sends it (placeholders for the key and role unless looked up). */
export async function planFile(
  file: string,
  flags: PlanFlags,
  ctx: CliContext,
  rendezvousOf?: (jobQueue: string) => Promise<RendezvousSecret>,
): Promise<JobPlan> {
  return (await loadJobFile(file, flags, ctx, rendezvousOf ? { rendezvousOf } : {})).plan;
}

/** Like planFile, with the spec and the folder of the file (build.context is relative to it). */
export async function loadJobFile(
  file: string,
  flags: PlanFlags,
  ctx: CliContext,
  load: LoadOptions = {},
): Promise<{ readonly spec: JobSpec; readonly plan: JobPlan; readonly dir: string }> {
  // Loaded here, not at the top, so that `mnbatch --help` does not load zod and yaml.
  const [{ planJobText, RENDEZVOUS_PLACEHOLDER, submitterOf }, { readJobFile }, { mnbatchVersion }] =
    await Promise.all([import('../plan/index.js'), import('../spec/index.js'), import('../version.js')]);
  const text = await readJobFile(resolve(ctx.cwd, file), file);
  // The same user as `submit` tags: from the environment, else the login name.
  const user = submitterOf(ctx.env) ?? submitterOf({ USER: loginName() });
  const options: PlanOptions = {
    rendezvous: RENDEZVOUS_PLACEHOLDER,
    version: mnbatchVersion(),
    ...(flags.nodes !== undefined ? { nodes: flags.nodes } : {}),
    ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
    ...(user !== undefined ? { user } : {}),
  };
  const requireQueue = load.requireQueue ?? true;
  let planned = planJobText(text, file, options, requireQueue);
  if (load.rendezvousOf) {
    // The key and role belong to the queue's stack: plan once for the queue, then with them.
    const rendezvous = await load.rendezvousOf(planned.plan.submitJob.jobQueue ?? '');
    planned = planJobText(text, file, { ...options, rendezvous }, requireQueue);
  }
  return { ...planned, dir: dirname(resolve(ctx.cwd, file)) };
}

function loginName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}
