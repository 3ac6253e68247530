/**
 * `--wait`: polls the job until it ends, showing where it is, diagnosing a long RUNNABLE once,
 * optionally streaming a node's log, and returns the exit code the launcher exits with. Ctrl-C
 * detaches (or terminates the job with `cancelOnInterrupt`).
 */

import type { FrontOfQueueDetail, JobDetail } from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';
import { AWS_ERROR, isAwsError } from '../aws/errors.js';
import type { LogsApi } from '../aws/logs.js';
import type { Clock } from '../clock.js';
import { displayLine } from '../contract/output-tags.js';
import { MnbatchError } from '../errors.js';
import type { Output } from '../ui/output.js';
import { LAUNCHER_EXIT } from './exit-codes.js';
import { type InstanceFactsLookup, instanceTypeFacts } from './instance-types.js';
import {
  DEFAULT_LOG_GROUP,
  isTerminal,
  type JobView,
  jobAndNodeIds,
  jobExitCode,
  jobView,
} from './job-view.js';
import { followNodes, type LogSource, type NodeLogEvent } from './log-follower.js';
import { Progress } from './progress.js';
import { summaryLines } from './render.js';
import { diagnoseRunnable, jobNeeds } from './runnable-diagnosis.js';
import { TokenBucket } from './token-bucket.js';

/** What waiting needs from the outside world. */
export interface WaitDeps {
  readonly batch: BatchApi;
  /** Needed only when following the log. */
  readonly logs?: LogsApi;
  readonly output: Output;
  readonly clock: Clock;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
  /** EC2's instance type facts for the RUNNABLE diagnosis; the built-in table without it. */
  readonly instanceFacts?: InstanceFactsLookup;
}

export interface WaitOptions {
  /** Stream this node's log (the main node when `true`), or every node's interleaved by time (`all`). */
  readonly follow?: boolean | number | 'all';
  /** Prefix each followed line with its event time (ISO 8601, UTC). */
  readonly timestamps?: boolean;
  /** On Ctrl-C terminate the job instead of detaching. */
  readonly cancelOnInterrupt?: boolean;
  /** Show state (false for `logs --follow`, which shows only the log). */
  readonly showProgress?: boolean;
  /** How long a job stays RUNNABLE before the diagnosis is printed. */
  readonly runnableAfterMs?: number;
  readonly pollMinMs?: number;
  readonly pollMaxMs?: number;
  /** Nodes of the job when known (saves the first poll a second call). */
  readonly numNodes?: number;
  /** Log lines without the agent's `[node i rank r]` tags (`logs --raw`). */
  readonly raw?: boolean;
}

/** Defaults of WaitOptions. */
export const WAIT_DEFAULTS = { runnableAfterMs: 60_000, pollMinMs: 2_000, pollMaxMs: 15_000 } as const;

/** The job as described, with the view of it. */
export interface DescribedJob {
  readonly parent: JobDetail;
  readonly view: JobView;
}

/**
 * Describes the job and its node jobs: one DescribeJobs call (per 100 ids) when `numNodes` is
 * known, else one for the parent and one for its nodes. Undefined when the job does not exist.
 */
export async function describeJob(
  batch: BatchApi,
  jobId: string,
  numNodes?: number,
): Promise<DescribedJob | undefined> {
  const details = await batch.describeJobs(jobAndNodeIds(jobId, numNodes ?? 0));
  const parent = details.find((j) => j.jobId === jobId);
  if (!parent) return undefined;
  let nodes = details.filter((j) => j !== parent);
  const n = parent.nodeProperties?.numNodes ?? 0;
  if (numNodes === undefined && n > 0) nodes = await batch.describeJobs(jobAndNodeIds(jobId, n).slice(1));
  return { parent, view: jobView(parent, nodes) };
}

/** The log stream of node `index` (its container's stream, in the definition's log group). */
export function nodeLogSource(view: JobView, index: number): LogSource | undefined {
  const node = view.nodes.find((n) => n.index === index);
  if (!node?.logStreamName) return undefined;
  return { logGroupName: node.logGroupName ?? DEFAULT_LOG_GROUP, logStreamName: node.logStreamName };
}

/** The streams `follow` asks for, by node index: one node's (the main node's for `true`), or every node's. */
function followedSources(view: JobView, follow: true | number | 'all'): Map<number, LogSource> {
  const nodes =
    follow === 'all' ? view.nodes.map((n) => n.index) : [follow === true ? view.mainNode : follow];
  const sources = new Map<number, LogSource>();
  for (const node of nodes) {
    const source = nodeLogSource(view, node);
    if (source) sources.set(node, source);
  }
  return sources;
}

/** How a followed event is printed: `[node N] ` before it (unless rank-tagged) when every node is followed, its time with `timestamps`, no tags with `raw`. */
export function followedLine(
  prefixNode: boolean,
  timestamps: boolean,
  raw = false,
): (e: NodeLogEvent) => string {
  return (e) => {
    const time = timestamps ? `${new Date(e.timestamp).toISOString()} ` : '';
    // One node's log needs no `[node i]`; with every node, lines tagged with their rank's node keep theirs.
    return `${time}${prefixNode || raw ? displayLine(e.message, e.node, raw) : e.message}`;
  };
}

/** Waits for `jobId` to end; returns the job's exit code (see LAUNCHER_EXIT for the launcher's own). */
export async function waitForJob(deps: WaitDeps, jobId: string, options: WaitOptions = {}): Promise<number> {
  const { batch, output, clock, signal } = deps;
  const minMs = options.pollMinMs ?? WAIT_DEFAULTS.pollMinMs;
  const maxMs = options.pollMaxMs ?? WAIT_DEFAULTS.pollMaxMs;
  const runnableAfterMs = options.runnableAfterMs ?? WAIT_DEFAULTS.runnableAfterMs;
  const progress = new Progress(output, options.showProgress ?? true);

  let latest: JobView | undefined;
  let numNodes = options.numNodes;
  let status = '';
  let since = clock.now();
  let diagnosed = false;
  let delay = minMs;

  // The log follower runs beside the poll loop and reads `latest` for the stream to follow.
  // It stops with the wait: on Ctrl-C, on an error, or once the job ended and its log is drained.
  const stop = new AbortController();
  const followSignal = AbortSignal.any([signal, stop.signal]);
  let followError: unknown;
  const follow = options.follow;
  const line = followedLine(follow === 'all', options.timestamps ?? false, options.raw ?? false);
  const following =
    follow !== undefined && follow !== false && deps.logs
      ? followNodes(
          { logs: deps.logs, clock, signal: followSignal, bucket: new TokenBucket(clock) },
          {
            sources: () => (latest ? followedSources(latest, follow) : new Map()),
            finished: () => latest !== undefined && isTerminal(latest.status),
            onEvents: (events) => progress.log(events.map(line)),
          },
        ).catch((e: unknown) => {
          followError = e;
        })
      : Promise.resolve();

  // On a terminal the time in state ticks every second between polls.
  const ticking = output.isTty && (options.showProgress ?? true);
  const pause = async (ms: number, view: JobView, stateSince: number) => {
    const until = clock.now() + ms;
    while (ticking && !signal.aborted && until - clock.now() > 1000) {
      await clock.sleep(1000, signal);
      progress.update(view, clock.now() - stateSince);
    }
    await clock.sleep(Math.max(0, until - clock.now()), signal);
  };

  try {
    while (!signal.aborted) {
      if (followError) throw followError;
      let described: DescribedJob | undefined;
      try {
        described = await describeJob(batch, jobId, numNodes);
      } catch (e) {
        // A poll that AWS throttled is simply skipped; the next one comes later.
        if (!isAwsError(e, AWS_ERROR.throttled)) throw e;
        delay = Math.min(maxMs, delay * 2);
        await clock.sleep(delay, signal);
        continue;
      }
      if (!described) throw jobNotFound(jobId);
      const { view, parent } = described;
      numNodes = view.numNodes;
      latest = view;
      const changed = view.status !== status;
      if (changed) {
        // A job first seen RUNNING (status --wait) has been so since it started.
        since = status === '' && view.status === 'RUNNING' && view.startedAt ? view.startedAt : clock.now();
        status = view.status;
      }
      progress.update(view, clock.now() - since);
      if (view.status === 'RUNNABLE' && !diagnosed && clock.now() - since >= runnableAfterMs) {
        diagnosed = true;
        const causes = await runnableCauses(deps, view, parent);
        progress.note([
          `${view.jobName} has been RUNNABLE for ${Math.round((clock.now() - since) / 1000)}s; likely cause:`,
          ...causes.map((c) => `  - ${c}`),
        ]);
      }
      if (isTerminal(view.status)) {
        await following;
        if (followError) throw followError;
        progress.done();
        for (const line of summaryLines(view)) output.err(line);
        return jobExitCode(view);
      }
      delay = changed ? minMs : Math.min(maxMs, Math.round(delay * 1.5));
      await pause(delay, view, since);
    }
  } finally {
    stop.abort();
    await following; // so nothing prints after we return
  }
  progress.done();
  return interrupted(deps, jobId, latest, options.cancelOnInterrupt ?? false);
}

/** The error for a job id Batch does not know. */
export function jobNotFound(jobId: string): MnbatchError {
  return new MnbatchError(
    'JOB_NOT_FOUND',
    `job ${jobId} not found (Batch forgets jobs some days after they end)`,
  );
}

async function runnableCauses(deps: WaitDeps, view: JobView, parent: JobDetail): Promise<string[]> {
  const { batch } = deps;
  const [queue] = await batch.describeJobQueues([view.jobQueue]);
  const names = (queue?.computeEnvironmentOrder ?? []).map((o) => o.computeEnvironment ?? '').filter(Boolean);
  const computeEnvironments = names.length > 0 ? await batch.describeComputeEnvironments(names) : [];
  const frontOfQueue = queue ? await snapshotOf(batch, view.jobQueue) : undefined;
  const entries = [
    ...new Set([
      ...computeEnvironments.flatMap((ce) => ce.computeResources?.instanceTypes ?? []),
      ...jobNeeds(parent).instanceTypes,
    ]),
  ];
  return diagnoseRunnable({
    job: parent,
    ...(queue ? { queue } : {}),
    computeEnvironments,
    ...(frontOfQueue ? { frontOfQueue } : {}),
    instanceTypes: await instanceTypeFacts(deps.instanceFacts, entries),
  });
}

/**
 * The queue's front as GetJobQueueSnapshot sees it, or undefined when AWS does not say (a
 * policy without batch:GetJobQueueSnapshot, an older endpoint): the diagnosis does without.
 */
async function snapshotOf(batch: BatchApi, jobQueue: string): Promise<FrontOfQueueDetail | undefined> {
  try {
    return await batch.getJobQueueSnapshot(jobQueue);
  } catch (e) {
    const optional = [AWS_ERROR.throttled, AWS_ERROR.accessDenied, AWS_ERROR.notFound, AWS_ERROR.rejected];
    if (optional.some((code) => isAwsError(e, code))) return undefined;
    throw e;
  }
}

async function interrupted(
  deps: WaitDeps,
  jobId: string,
  view: JobView | undefined,
  cancel: boolean,
): Promise<number> {
  const { output, batch } = deps;
  const name = view?.jobName ?? jobId;
  if (cancel) {
    await batch.terminateJob({
      jobId,
      reason: 'Cancelled by mnbatch (interrupted with --cancel-on-interrupt)',
    });
    output.err(`interrupted: terminated job ${name} (${jobId})`);
  } else {
    output.err(`interrupted: detached from job ${name} (${jobId}); it keeps running. Reattach with`);
    output.err(`  mnbatch status ${jobId} --wait`);
    output.err(`  mnbatch logs ${jobId} --follow`);
  }
  return LAUNCHER_EXIT.interrupted;
}
