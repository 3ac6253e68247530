/** `mnbatch exec`: a shell or a command in a running node, local (docker exec) or on Batch (ECS Exec). */
import { findExecutable, pathDirs } from '../contract/executables.js';
import type { CliContext } from '../ui/context.js';
import { jobAwsOptions } from '../ui/context.js';

export interface ExecFlags {
  readonly node?: number;
  readonly local?: boolean;
  readonly queue?: string;
  readonly print?: boolean;
}

/** Whether `name` is an executable on the PATH of `env`. */
function onPath(name: string, env: Readonly<Record<string, string | undefined>>): boolean {
  return findExecutable(name, pathDirs(env.PATH)) !== undefined;
}

/** `mnbatch exec JOB [--node N] [-- cmd]`. */
export async function execCommand(
  job: string,
  command: readonly string[],
  flags: ExecFlags,
  ctx: CliContext,
) {
  const tty = ctx.interactive ?? false;
  if (flags.local) {
    const { execLocal } = await import('../local/exec.js');
    return execLocal({
      ref: job,
      node: flags.node,
      command,
      tty,
      env: ctx.env,
      say: (line: string) => ctx.output.err(line),
    });
  }
  const [batch, jobs, { execa }] = await Promise.all([
    import('../aws/batch.js'),
    import('./exec.js'),
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
