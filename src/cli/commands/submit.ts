import type { Command } from 'commander';
import type { CliContext, RegisterCommand } from '../context.js';
import { action, jobAwsOptions } from '../context.js';
import { loadJobFile, type PlanFlags, parseNodes, printPlan } from './plan.js';

/** `--profile` / `--region`: global options of the program (cli.ts), in `ctx.aws` for every AWS command. */
export interface AwsFlags {
  readonly profile?: string;
  readonly region?: string;
}

/**
 * Marks an AWS command. `--profile` and `--region` are global options now (cli.ts), accepted
 * anywhere on the line and shown in every command's help, so nothing is added here.
 */
export function withAwsOptions(command: Command): Command {
  return command;
}

interface SubmitFlags extends AwsFlags, PlanFlags {
  readonly wait?: boolean;
  readonly follow?: boolean;
  readonly dryRun?: boolean;
  readonly cancelOnInterrupt?: boolean;
  /** false with --no-push: use `image:` as given (an ECR tag is still pinned by digest). */
  readonly push?: boolean;
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
      .option(
        '--no-push',
        'do not build and push `build:`: use `image:` as it is (ECR tags are still pinned)',
      )
      .option('--dry-run', 'print what would be sent (same as `mnbatch plan`) and call no AWS API')
      .option('--json', 'print the submission as JSON'),
  ).action(action(ctx, (file: string, flags: SubmitFlags) => submit(file, flags, ctx)));
};

async function submit(file: string, flags: SubmitFlags, ctx: CliContext): Promise<number> {
  // The plan command's own printer, so both print exactly the same.
  if (flags.dryRun) return printPlan(file, flags, ctx);
  const [batch, logs, clock, jobs, images] = await Promise.all([
    import('../../aws/batch.js'),
    import('../../aws/logs.js'),
    import('../../clock.js'),
    import('../../jobs/submit.js'),
    import('../../image/job-images.js'),
  ]);
  const { plan, spec, dir } = await loadJobFile(file, flags, ctx, jobs.newToken());
  const aws = await jobAwsOptions(ctx, 'submit');
  const imageContext = {
    aws,
    env: ctx.env,
    say: (line: string) => ctx.output.err(line),
    signal: ctx.signal,
    tty: ctx.output.isTty,
  };
  return jobs.submitPlan(
    {
      batch: batch.createBatch(aws),
      logs: logs.createLogs(aws),
      output: ctx.output,
      clock: clock.systemClock,
      signal: ctx.signal,
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
