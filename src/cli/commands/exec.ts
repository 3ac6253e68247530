import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { CliContext, RegisterCommand } from '../context.js';
import { action, jobAwsOptions } from '../context.js';

interface ExecFlags {
  readonly node?: number;
  readonly local?: boolean;
  readonly queue?: string;
  readonly print?: boolean;
}

function parseIndex(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a node index (0, 1, ...)');
  return Number(value);
}

/** Whether `name` is an executable on the PATH of `env`. */
function onPath(name: string, env: Readonly<Record<string, string | undefined>>): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `mnbatch exec JOB [--node N] [-- cmd]`: a shell or a command in a running node. */
export const register: RegisterCommand = (program, ctx) => {
  program
    .command('exec')
    .description(
      'open a shell (or run a command) in a running node: docker exec with --local, ECS Exec on AWS Batch',
    )
    .argument('<job>', 'job id or name; with --local the run id or job name that run --local printed')
    .argument('[command...]', 'command to run instead of a login shell (after --)')
    .option('--node <index>', 'node index (default: the main node)', parseIndex)
    .option('--local', 'a local run (mnbatch run --local) instead of a job on AWS Batch')
    .option('--queue <queue>', 'queue to look for a job name in')
    .option('--print', 'on AWS Batch: print the aws ecs execute-command line instead of running it')
    .action(
      action(ctx, (job: string, command: string[], flags: ExecFlags) => execInto(job, command, flags, ctx)),
    );
};

async function execInto(job: string, command: readonly string[], flags: ExecFlags, ctx: CliContext) {
  const tty = ctx.interactive ?? false;
  if (flags.local) {
    const { execLocal } = await import('../../local/exec.js');
    return execLocal({
      ref: job,
      node: flags.node,
      command,
      tty,
      env: ctx.env,
      say: (line) => ctx.output.err(line),
    });
  }
  const [batch, jobs, { execa }] = await Promise.all([
    import('../../aws/batch.js'),
    import('../../jobs/exec.js'),
    import('execa'),
  ]);
  const aws = await jobAwsOptions(ctx, 'exec');
  const target = await jobs.ecsExecTarget(batch.createBatch(aws), job, {
    queue: flags.queue,
    node: flags.node,
  });
  const argv = jobs.executeCommandArgs(target, command, { region: aws.region, profile: aws.profile });
  const runnable = onPath('aws', ctx.env) && onPath('session-manager-plugin', ctx.env);
  if (flags.print || !runnable) {
    ctx.output.out(`aws ${jobs.commandLine(argv)}`);
    if (!flags.print) {
      ctx.output.err(
        'the AWS CLI and the Session Manager plugin are needed to run it (session-manager-plugin on PATH); ' +
          'install them and run the line above, or run mnbatch exec again',
      );
    }
    return 0;
  }
  ctx.output.err(`[mnbatch] node ${target.node} of ${target.jobName} (task ${target.taskArn})`);
  const r = await execa('aws', argv, { env: ctx.env, reject: false, stdio: 'inherit' });
  return r.exitCode ?? 1;
}
