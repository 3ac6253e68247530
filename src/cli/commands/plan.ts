import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { JobPlan } from '../../plan/index.js';
import type { JobSpec } from '../../spec/index.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { action } from '../context.js';
import { withJsonOutput } from '../output-format.js';
import { formatPlan } from '../print-plan.js';

/** `--nodes N`: a whole number 2–1000 (Batch's limits for multi-node jobs). */
export function parseNodes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 2 || n > 1000) {
    throw new InvalidArgumentError('must be a whole number from 2 to 1000');
  }
  return n;
}

/** What both `plan` and `submit` take to plan a job file. */
export interface PlanFlags {
  readonly nodes?: number;
  readonly queue?: string;
  readonly json?: boolean;
}

/** `mnbatch plan FILE`: prints the RegisterJobDefinition and SubmitJob requests `submit` would send. */
export const register: RegisterCommand = (program, ctx) => {
  withJsonOutput(
    program
      .command('plan')
      .description('print the AWS Batch requests submit would send, without calling AWS')
      .argument('<file>', 'job file')
      .option('--nodes <n>', 'override the number of nodes (nodeOverrides.numNodes)', parseNodes)
      .option('--queue <queue>', 'job queue (instead of queue/stack in the job file)'),
    '{"registerJobDefinition", "submitJob"} only',
  ).action(action(ctx, (file: string, flags: PlanFlags) => printPlan(file, flags, ctx)));
};

/** Prints the plan of `file` (what `plan` and `submit --dry-run` show); calls no AWS API. */
export async function printPlan(
  file: string,
  flags: PlanFlags & { readonly push?: boolean },
  ctx: CliContext,
): Promise<number> {
  const { plan, spec, dir } = await loadJobFile(file, flags, ctx);
  for (const line of formatPlan(plan, { json: flags.json ?? false })) ctx.output.out(line);
  if (flags.json) return 0;
  const [{ describeImages }, { jobImageOf }] = await Promise.all([
    import('../../image/describe.js'),
    import('../../image/pin.js'),
  ]);
  const images = (plan.registerJobDefinition.nodeProperties?.nodeRangeProperties ?? []).map(
    (r) => r.container?.image ?? '',
  );
  ctx.output.out('');
  ctx.output.out('Images');
  for (const line of describeImages(jobImageOf(spec, dir, flags.push ?? true), images)) ctx.output.out(line);
  return 0;
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
    await Promise.all([
      import('../../plan/index.js'),
      import('../../spec/index.js'),
      import('../../version.js'),
    ]);
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
