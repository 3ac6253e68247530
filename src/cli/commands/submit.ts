import type { Command } from 'commander';
import type { AwsOptions } from '../../aws/clients.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { action } from '../context.js';
import { type PlanFlags, parseNodes, planFile, printPlan } from './plan.js';

/** `--profile` / `--region` as every AWS command takes them. */
export interface AwsFlags {
  readonly profile?: string;
  readonly region?: string;
}

/** Adds `--profile` and `--region` to an AWS command. */
export function withAwsOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'AWS profile (default: AWS_PROFILE or the default credential chain)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile’s region)');
}

/** The AwsOptions of the flags; the profile from AWS_PROFILE too, so error messages can name it. */
export function awsOptionsOf(flags: AwsFlags, env: CliContext['env']): AwsOptions {
  const profile = flags.profile ?? env.AWS_PROFILE;
  return { ...(profile ? { profile } : {}), ...(flags.region ? { region: flags.region } : {}) };
}

interface SubmitFlags extends AwsFlags, PlanFlags {
  readonly wait?: boolean;
  readonly follow?: boolean;
  readonly dryRun?: boolean;
  readonly cancelOnInterrupt?: boolean;
}

/** `mnbatch submit FILE`: register (or reuse) the job definition and submit; `--wait` stays until it ends. */
export const register: RegisterCommand = (program, ctx) => {
  withAwsOptions(
    program
      .command('submit')
      .description('submit the job to AWS Batch (registers the job definition only when it changed)')
      .argument('<file>', 'job file')
      .option('--nodes <n>', 'override the number of nodes (nodeOverrides.numNodes)', parseNodes)
      .option('--queue <queue>', 'job queue (instead of queue/stack in the job file)')
      .option('--wait', 'wait for the job to end, showing its state; exit with its exit code')
      .option('--follow', 'like --wait, and stream the main node’s log')
      .option('--cancel-on-interrupt', 'on Ctrl-C while waiting, terminate the job instead of detaching')
      .option('--dry-run', 'print what would be sent (same as `mnbatch plan`) and call no AWS API')
      .option('--json', 'print the submission as JSON'),
  ).action(action(ctx, (file: string, flags: SubmitFlags) => submit(file, flags, ctx)));
};

async function submit(file: string, flags: SubmitFlags, ctx: CliContext): Promise<number> {
  // The plan command's own printer, so both print exactly the same.
  if (flags.dryRun) return printPlan(file, flags, ctx);
  const [batch, logs, clock, jobs] = await Promise.all([
    import('../../aws/batch.js'),
    import('../../aws/logs.js'),
    import('../../clock.js'),
    import('../../jobs/submit.js'),
  ]);
  const plan = await planFile(file, flags, ctx, jobs.newToken());
  const aws = awsOptionsOf(flags, ctx.env);
  return jobs.submitPlan(
    {
      batch: batch.createBatch(aws),
      logs: logs.createLogs(aws),
      output: ctx.output,
      clock: clock.systemClock,
      signal: ctx.signal,
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
