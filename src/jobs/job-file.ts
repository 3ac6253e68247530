/** Reading and planning a job file exactly as `submit` sends it (plan, submit, image push, doctor). */
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { JobPlan, PlanOptions } from '../plan/index.js';
import type { JobSpec } from '../spec/index.js';
import type { CliContext } from '../ui/context.js';
import type { InstanceKnowledgeOf } from './instance-knowledge.js';
import type { QueueStack } from './rendezvous.js';

/** What both `plan` and `submit` take to plan a job file. */
export interface PlanFlags {
  readonly nodes?: number;
  readonly queue?: string;
  readonly json?: boolean;
}

/** How a job file is planned: the queue's stack, and whether a queue is needed. */
export interface LoadOptions {
  /**
   * Looks up the queue's stack: key, execution role and EFA interfaces; without it the plan shows
   * placeholders and assumes a stack of UNTAGGED_STACK_EFA_INTERFACES.
   */
  readonly stackOf?: (jobQueue: string) => Promise<QueueStack>;
  /** false: a job without queue or stack plans too (`image push` needs no queue). */
  readonly requireQueue?: boolean;
  /** Facts of the job's instance type, asked only when the job uses EFA; without it `efa: auto` waits for submit. */
  readonly instances?: InstanceKnowledgeOf;
}

/** Reads and plans `file` as `submit` sends it (placeholders for the key and role). */
export async function planFile(file: string, flags: PlanFlags, ctx: CliContext): Promise<JobPlan> {
  return (await loadJobFile(file, flags, ctx)).plan;
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
  // Plan once to learn the queue and the instance type, then again with what they bring.
  const first = planJobText(text, file, options, requireQueue);
  const { efa, instanceType } = first.spec;
  const instances =
    load.instances && efa !== 'off' && instanceType !== undefined
      ? await load.instances(instanceType)
      : undefined;
  // The key, role and EFA interfaces belong to the queue's stack.
  const stack = load.stackOf ? await load.stackOf(first.plan.submitJob.jobQueue ?? '') : undefined;
  const planned =
    instances || stack
      ? planJobText(
          text,
          file,
          {
            ...options,
            ...(instances ? { instances } : {}),
            ...(stack ? { rendezvous: stack.rendezvous, stackEfa: stack.efa } : {}),
          },
          requireQueue,
        )
      : first;
  return { ...planned, dir: dirname(resolve(ctx.cwd, file)) };
}

function loginName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}
