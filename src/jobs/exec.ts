/**
 * `mnbatch exec JOB [--node N] [-- cmd]` on AWS Batch: a shell in a running node through ECS Exec.
 * AWS Batch starts each node of a multi-node job as an ECS task; when the job definition's node
 * range sets `enableExecuteCommand` (job.yaml `exec: true`), `aws ecs execute-command` reaches
 * its container through Session Manager. mnbatch builds that command from DescribeJobs (the node's
 * task ARN, whose cluster is the compute environment's) and runs it when the AWS CLI and the
 * Session Manager plugin are there, else prints it.
 */
import type { JobDetail } from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { nodeOfJobRef, resolveJobRef } from './job-ref.js';
import { jobNotFound } from './wait.js';

/** The default command: a login shell, bash where the image has it. */
const LOGIN_SHELL = "/bin/sh -c 'if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi'";

/** Where `aws ecs execute-command` goes. */
export interface EcsExecTarget {
  readonly jobName: string;
  readonly node: number;
  readonly cluster: string;
  readonly taskArn: string;
}

/** The ECS cluster in a task ARN (`arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID`). */
export function clusterOfTask(taskArn: string): string | undefined {
  const m = /^arn:[^:]+:ecs:[^:]*:[^:]*:task\/([^/]+)\/[^/]+$/.exec(taskArn);
  return m?.[1];
}

/** Whether the job definition turned ECS Exec on for node `index`. */
function execEnabled(parent: JobDetail, node: JobDetail, index: number): boolean {
  if (node.container?.enableExecuteCommand !== undefined) return node.container.enableExecuteCommand;
  const ranges = parent.nodeProperties?.nodeRangeProperties ?? [];
  const numNodes = parent.nodeProperties?.numNodes ?? 0;
  // The last range that covers the node wins, as Batch nests them.
  let enabled = false;
  for (const r of ranges) {
    const [from = '', to = ''] = (r.targetNodes ?? '').split(':');
    const lo = from === '' ? 0 : Number(from);
    const hi = to === '' ? numNodes - 1 : Number(to);
    if (index >= lo && index <= hi) enabled = r.container?.enableExecuteCommand ?? false;
  }
  return enabled;
}

/** Finds the running node's task, or says why there is none (not running, ECS Exec not enabled). */
export async function ecsExecTarget(
  batch: BatchApi,
  ref: string,
  options: { readonly queue?: string | undefined; readonly node?: number | undefined },
): Promise<EcsExecTarget> {
  const jobId = await resolveJobRef(batch, ref, { queue: options.queue });
  const [parent] = await batch.describeJobs([jobId]);
  if (!parent) throw jobNotFound(jobId);
  const numNodes = parent.nodeProperties?.numNodes ?? 0;
  const index = options.node ?? nodeOfJobRef(ref) ?? parent.nodeProperties?.mainNode ?? 0;
  if (index < 0 || index >= numNodes) {
    throw new MnbatchError('USAGE', `--node ${index}: the job has nodes 0 to ${numNodes - 1}`, {
      exitCode: EXIT.usage,
    });
  }
  const [node] = await batch.describeJobs([`${jobId}#${index}`]);
  const name = parent.jobName ?? jobId;
  if (node?.status !== 'RUNNING') {
    throw new MnbatchError(
      'EXEC_NOT_RUNNING',
      `node ${index} of ${name} is ${node?.status ?? 'not started'}: exec needs a RUNNING node`,
    );
  }
  if (!execEnabled(parent, node, index)) {
    throw new MnbatchError('EXEC_NOT_ENABLED', `ECS Exec is not enabled for ${name}`, {
      details: [
        'set `exec: true` in job.yaml and submit again: the job definition then sets enableExecuteCommand',
        'the job role (jobRoleArn) needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel',
        'see docs/exec.md',
      ],
    });
  }
  const taskArn = node.container?.taskArn;
  const cluster = taskArn ? clusterOfTask(taskArn) : undefined;
  if (!taskArn || !cluster) {
    throw new MnbatchError(
      'EXEC_NO_TASK',
      `node ${index} of ${name} has no ECS task yet; try again in a moment`,
    );
  }
  return { jobName: name, node: index, cluster, taskArn };
}

/** Quotes one word for a POSIX shell (what `--command` is run by). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `aws ecs execute-command` argv (without `aws`) for `target`. */
export function executeCommandArgs(
  target: EcsExecTarget,
  command: readonly string[],
  aws: { readonly region?: string | undefined; readonly profile?: string | undefined },
): string[] {
  return [
    'ecs',
    'execute-command',
    ...(aws.region ? ['--region', aws.region] : []),
    ...(aws.profile ? ['--profile', aws.profile] : []),
    '--cluster',
    target.cluster,
    '--task',
    target.taskArn,
    '--interactive',
    '--command',
    command.length > 0 ? command.map(shellWord).join(' ') : LOGIN_SHELL,
  ];
}

/** The argv as one line to paste into a shell. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}
