/**
 * The bodies of the AWS job commands (`submit`, `status`, `logs`, `list`, `cancel`): build the
 * clients for the chosen profile and region, then run the job code with them. Loaded only when
 * a command runs, so `--help` loads no AWS SDK.
 */
import type { ResolvedAwsOptions } from '../aws/clients.js';
import type { CliContext } from '../ui/context.js';
import { jobAwsOptions } from '../ui/context.js';
import { loadJobFile, type PlanFlags } from './job-file.js';
import { printPlan } from './offline-commands.js';

/** Flags of `mnbatch submit` (commander's camelCase). */
export interface SubmitFlags extends PlanFlags {
  readonly wait?: boolean;
  readonly follow?: boolean;
  readonly dryRun?: boolean;
  readonly cancelOnInterrupt?: boolean;
  /** false with --no-push: use `image:` as given (an ECR tag is still pinned by digest). */
  readonly push?: boolean;
}

/** Flags of `mnbatch status`. */
export interface StatusFlags {
  readonly queue?: string;
  readonly json?: boolean;
  readonly wait?: boolean;
}

/** Flags of `mnbatch logs`; `since` in ms since the epoch. */
export interface LogsFlags {
  readonly queue?: string;
  readonly node?: number | 'all';
  readonly follow?: boolean;
  readonly since?: number;
  readonly tail?: number;
  readonly timestamps?: boolean;
  readonly raw?: boolean;
}

/** Flags of `mnbatch list`. */
export interface ListFlags {
  readonly queue?: string;
  readonly status?: string;
  readonly json?: boolean;
}

/** Flags of `mnbatch cancel`. */
export interface CancelFlags {
  readonly queue?: string;
  readonly reason?: string;
}

/** The Batch and CloudWatch Logs clients, output, clock and signal that submit, status and logs run with. */
async function jobDeps(ctx: CliContext, aws: ResolvedAwsOptions) {
  const [batch, logs, clock] = await Promise.all([
    import('../aws/batch.js'),
    import('../aws/logs.js'),
    import('../clock.js'),
  ]);
  return {
    batch: batch.createBatch(aws),
    logs: logs.createLogs(aws),
    output: ctx.output,
    clock: clock.systemClock,
    signal: ctx.signal,
    instanceFacts: async (entries: readonly string[]) =>
      (await import('./instance-knowledge.js')).ec2InstanceFacts(ctx, aws, entries),
  };
}

/** `mnbatch submit FILE`: register (or reuse) the job definition and submit; `--wait` stays until it ends. */
export async function submitCommand(file: string, flags: SubmitFlags, ctx: CliContext): Promise<number> {
  // The plan command's own printer, so both print exactly the same.
  if (flags.dryRun) return printPlan(file, flags, ctx);
  const [jobs, images, { queueStack }, batch, knowledge] = await Promise.all([
    import('./submit.js'),
    import('../image/job-images.js'),
    import('./rendezvous.js'),
    import('../aws/batch.js'),
    import('./instance-knowledge.js'),
  ]);
  // AWS options only once the job file has planned: a bad file is reported first.
  let resolved: Promise<ResolvedAwsOptions> | undefined;
  const awsOptions = () => {
    resolved ??= jobAwsOptions(ctx, 'submit');
    return resolved;
  };
  const { plan, spec, dir } = await loadJobFile(file, flags, ctx, {
    stackOf: async (queue) => queueStack(batch.createBatch(await awsOptions()), queue),
    instances: knowledge.ec2Knowledge(ctx, awsOptions),
  });
  const aws = await awsOptions();
  const imageContext = {
    aws,
    env: ctx.env,
    say: (line: string) => ctx.output.err(line),
    signal: ctx.signal,
    tty: ctx.output.isTty,
  };
  return jobs.submitPlan(
    {
      ...(await jobDeps(ctx, aws)),
      pinImages: images.imagePinner(imageContext, images.jobImageOf(spec, dir, flags.push ?? true)),
    },
    plan,
    {
      wait: flags.wait ?? false,
      follow: flags.follow ?? false,
      cancelOnInterrupt: flags.cancelOnInterrupt ?? false,
      json: flags.json ?? false,
    },
  );
}

/** `mnbatch status JOB`: the job and each of its nodes. */
export async function statusCommand(job: string, flags: StatusFlags, ctx: CliContext): Promise<number> {
  const jobs = await import('./status.js');
  return jobs.showStatus(await jobDeps(ctx, await jobAwsOptions(ctx, 'status')), job, {
    queue: flags.queue,
    json: flags.json ?? false,
    wait: flags.wait ?? false,
  });
}

/** `mnbatch logs JOB`: a node's (or every node's) CloudWatch log. */
export async function logsCommand(job: string, flags: LogsFlags, ctx: CliContext): Promise<number> {
  const jobs = await import('./show-logs.js');
  return jobs.showLogs(await jobDeps(ctx, await jobAwsOptions(ctx, 'logs')), job, {
    queue: flags.queue,
    node: flags.node,
    follow: flags.follow ?? false,
    since: flags.since,
    tail: flags.tail,
    timestamps: flags.timestamps ?? false,
    raw: flags.raw ?? false,
  });
}

/** `mnbatch list`: jobs submitted by mnbatch (tagged mnbatch:job). */
export async function listCommand(flags: ListFlags, ctx: CliContext): Promise<number> {
  const [batch, jobs] = await Promise.all([import('../aws/batch.js'), import('./list.js')]);
  const found = await jobs.listJobs(batch.createBatch(await jobAwsOptions(ctx, 'list')), {
    queue: flags.queue,
    status: flags.status,
  });
  jobs.printJobs(ctx.output, found, Date.now(), flags.json ?? false);
  return 0;
}

/** `mnbatch cancel JOB`: terminate the job, whatever state it is in. */
export async function cancelCommand(job: string, flags: CancelFlags, ctx: CliContext): Promise<number> {
  const [batch, jobs] = await Promise.all([import('../aws/batch.js'), import('./cancel.js')]);
  return jobs.cancelJob(
    { batch: batch.createBatch(await jobAwsOptions(ctx, 'cancel')), output: ctx.output },
    job,
    {
      queue: flags.queue,
      reason: flags.reason,
    },
  );
}
