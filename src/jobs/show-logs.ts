/** `logs JOB [--node N] [--follow]`: a node's CloudWatch log (the main node by default). */

import { AWS_ERROR, isAwsError } from '../aws/errors.js';
import { MnbatchError } from '../errors.js';
import { LAUNCHER_EXIT } from './exit-codes.js';
import { nodeOfJobRef, resolveJobRef } from './job-ref.js';
import type { JobCommandDeps } from './status.js';
import { TokenBucket } from './token-bucket.js';
import { describeJob, jobNotFound, nodeLogSource, waitForJob } from './wait.js';

export interface LogsOptions {
  readonly queue?: string | undefined;
  readonly node?: number | undefined;
  readonly follow?: boolean;
}

/** Prints the node's log so far, or follows it until the job ends; returns the exit code. */
export async function showLogs(
  deps: JobCommandDeps,
  ref: string,
  options: LogsOptions = {},
): Promise<number> {
  const { batch, output, clock, signal } = deps;
  if (!deps.logs) throw new Error('showLogs needs a LogsApi');
  const jobId = await resolveJobRef(batch, ref, { queue: options.queue });
  const described = await describeJob(batch, jobId);
  if (!described) throw jobNotFound(jobId);
  const { view } = described;
  const refNode = nodeOfJobRef(ref);
  if (refNode !== undefined && options.node !== undefined && refNode !== options.node) {
    throw new MnbatchError('USAGE', `${ref} is node ${refNode}, but --node says ${options.node}`, {
      exitCode: 2,
    });
  }
  const index = options.node ?? refNode ?? view.mainNode;
  if (!Number.isInteger(index) || index < 0 || index >= view.numNodes) {
    const asked = options.node !== undefined ? `--node ${options.node}` : `node ${index}`;
    throw new MnbatchError('USAGE', `${asked}: the job has nodes 0 to ${view.numNodes - 1}`, {
      exitCode: 2,
    });
  }
  if (options.follow) {
    // The exit code is the job's, as with `submit --wait`; state lines are left out.
    return waitForJob(deps, jobId, { follow: index, showProgress: false, numNodes: view.numNodes });
  }
  const source = nodeLogSource(view, index);
  if (!source) {
    output.err(`node ${index} of ${view.jobName} has no log yet (job ${view.status}); try --follow`);
    return 0;
  }
  const bucket = new TokenBucket(clock);
  let token: string | undefined;
  for (;;) {
    await bucket.take(signal);
    if (signal.aborted) return LAUNCHER_EXIT.interrupted;
    let page: Awaited<ReturnType<NonNullable<JobCommandDeps['logs']>['getLogEvents']>>;
    try {
      page = await deps.logs.getLogEvents({ ...source, ...(token ? { nextToken: token } : {}) });
    } catch (e) {
      if (!isAwsError(e, AWS_ERROR.notFound)) throw e;
      output.err(`log stream ${source.logStreamName} does not exist (yet) in ${source.logGroupName}`);
      return 0;
    }
    for (const e of page.events) output.out((e.message ?? '').replace(/\n$/, ''));
    // An empty page is not the end: GetLogEvents may return none while the token leads to more.
    // The end is the token coming back unchanged.
    if (!page.nextForwardToken || page.nextForwardToken === token) return 0;
    token = page.nextForwardToken;
  }
}
