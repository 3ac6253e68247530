/**
 * `logs JOB [--node N|all] [--since …] [--tail N] [--timestamps] [--follow]`: a node's CloudWatch
 * log (the main node by default), or every node's interleaved by time.
 */

import { AWS_ERROR, isAwsError } from '../aws/errors.js';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { LAUNCHER_EXIT } from './exit-codes.js';
import { nodeOfJobRef, resolveJobRef } from './job-ref.js';
import type { JobCommandDeps } from './status.js';
import { TokenBucket } from './token-bucket.js';
import { describeJob, followedLine, jobNotFound, nodeLogSource, waitForJob } from './wait.js';

export interface LogsOptions {
  readonly queue?: string | undefined;
  /** A node index, or every node interleaved by time. */
  readonly node?: number | 'all' | undefined;
  readonly follow?: boolean;
  /** Only events at or after this time (ms since the epoch). */
  readonly since?: number | undefined;
  /** Only the last `tail` events (of each node, then of all together). */
  readonly tail?: number | undefined;
  /** Each line prefixed with its event time (ISO 8601, UTC). */
  readonly timestamps?: boolean;
  /** Lines as the programs printed them: no `[node i]`, no agent `[node i rank r]` tags. */
  readonly raw?: boolean;
}

/** One event of one node. */
interface NodeEvent {
  readonly node: number;
  readonly timestamp: number;
  readonly message: string;
}

/** Prints the node's log so far, or follows it until the job ends; returns the exit code. */
export async function showLogs(
  deps: JobCommandDeps,
  ref: string,
  options: LogsOptions = {},
): Promise<number> {
  const { batch, output } = deps;
  if (!deps.logs) throw new Error('showLogs needs a LogsApi');
  const jobId = await resolveJobRef(batch, ref, { queue: options.queue });
  const described = await describeJob(batch, jobId);
  if (!described) throw jobNotFound(jobId);
  const { view } = described;
  const refNode = nodeOfJobRef(ref);
  if (refNode !== undefined && options.node !== undefined && refNode !== options.node) {
    throw new MnbatchError('USAGE', `${ref} is node ${refNode}, but --node says ${options.node}`, {
      exitCode: EXIT.usage,
    });
  }
  const all = options.node === 'all';
  const index = options.node === 'all' ? view.mainNode : (options.node ?? refNode ?? view.mainNode);
  if (!all && (!Number.isInteger(index) || index < 0 || index >= view.numNodes)) {
    const asked = options.node !== undefined ? `--node ${options.node}` : `node ${index}`;
    throw new MnbatchError('USAGE', `${asked}: the job has nodes 0 to ${view.numNodes - 1}`, {
      exitCode: EXIT.usage,
    });
  }
  if (options.follow) {
    if (options.tail !== undefined || options.since !== undefined)
      throw new MnbatchError('USAGE', '--follow reads the log from its start: leave out --tail and --since', {
        exitCode: EXIT.usage,
      });
    // The exit code is the job's, as with `submit --wait`; state lines are left out.
    return waitForJob(deps, jobId, {
      follow: all ? 'all' : index,
      timestamps: options.timestamps ?? false,
      showProgress: false,
      numNodes: view.numNodes,
      ...(options.raw ? { raw: true } : {}),
    });
  }
  const ended = TERMINAL.has(view.status);
  const hint = ended ? '' : '; try --follow';
  const nodes = all ? Array.from({ length: view.numNodes }, (_, i) => i) : [index];
  const events: NodeEvent[] = [];
  const line = followedLine(all, options.timestamps ?? false, options.raw ?? false);
  const print = (e: NodeEvent) => output.out(line({ ...e, message: e.message.replace(/\n$/, '') }));
  // One node read forward is printed page by page; otherwise the events are merged first.
  const streaming = !all && options.tail === undefined;
  for (const node of nodes) {
    const source = nodeLogSource(view, node);
    if (!source) {
      output.err(
        `node ${node} of ${view.jobName} has no log${ended ? '' : ' yet'} (job ${view.status})${hint}`,
      );
      continue;
    }
    const read = await readStream(deps, source, options, (page) => {
      for (const e of page) {
        const event = { node, timestamp: e.timestamp ?? 0, message: e.message ?? '' };
        if (streaming) print(event);
        else events.push(event);
      }
    });
    if (read === 'missing') {
      output.err(
        `log stream ${source.logStreamName} does not exist${ended ? '' : ' (yet)'} in ${source.logGroupName}`,
      );
      continue;
    }
    if (read === 'interrupted') return LAUNCHER_EXIT.interrupted;
  }
  // Interleaved by time; a stable sort keeps each node's own order for equal times.
  const merged = all ? [...events].sort((a, b) => a.timestamp - b.timestamp) : events;
  const shown = options.tail !== undefined ? merged.slice(-options.tail) : merged;
  for (const e of shown) print(e);
  return 0;
}

type LogEvent = { readonly timestamp?: number | undefined; readonly message?: string | undefined };

/**
 * Reads one stream (from `since`, or its last `tail` events) within CloudWatch's rate limits,
 * handing each page to `emit`.
 */
async function readStream(
  deps: JobCommandDeps,
  source: { logGroupName: string; logStreamName: string },
  options: LogsOptions,
  emit: (events: readonly LogEvent[]) => void,
): Promise<'done' | 'missing' | 'interrupted'> {
  const logs = deps.logs as NonNullable<JobCommandDeps['logs']>;
  const bucket = new TokenBucket(deps.clock);
  const window = {
    ...source,
    ...(options.since !== undefined ? { startTime: options.since } : {}),
  };
  let token: string | undefined;
  for (;;) {
    await bucket.take(deps.signal);
    if (deps.signal.aborted) return 'interrupted';
    let page: Awaited<ReturnType<typeof logs.getLogEvents>>;
    try {
      page = await logs.getLogEvents(
        options.tail !== undefined
          ? { ...window, tail: Math.min(options.tail, MAX_PAGE) }
          : { ...window, ...(token ? { nextToken: token } : {}) },
      );
    } catch (e) {
      if (!isAwsError(e, AWS_ERROR.notFound)) throw e;
      return 'missing';
    }
    emit(page.events);
    // The last events come in one read (GetLogEvents returns up to 10,000 from the end).
    if (options.tail !== undefined) return 'done';
    // An empty page is not the end: GetLogEvents may return none while the token leads to more.
    // The end is the token coming back unchanged.
    if (!page.nextForwardToken || page.nextForwardToken === token) return 'done';
    token = page.nextForwardToken;
  }
}

/** GetLogEvents' largest `limit`. */
const MAX_PAGE = 10_000;

const TERMINAL = new Set(['SUCCEEDED', 'FAILED']);
