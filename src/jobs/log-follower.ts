/**
 * Follows CloudWatch log streams forward, one node's or every node's: resumes each from its
 * nextForwardToken, stays under the account's GetLogEvents rate through one shared token bucket
 * (every read of every node takes a token), backs off when throttled, and waits quietly while a
 * stream does not exist yet (Batch creates it when the node's container starts).
 */

import { AWS_ERROR, isAwsError } from '../aws/errors.js';
import type { LogsApi } from '../aws/logs.js';
import type { Clock } from '../clock.js';
import type { TokenBucket } from './token-bucket.js';

/** A log stream to read. */
export interface LogSource {
  readonly logGroupName: string;
  readonly logStreamName: string;
}

export interface FollowDeps {
  readonly logs: LogsApi;
  readonly clock: Clock;
  readonly bucket: TokenBucket;
  readonly signal: AbortSignal;
}

/** One event of one node's log. */
export interface NodeLogEvent {
  readonly node: number;
  readonly timestamp: number;
  /** Without its trailing newline. */
  readonly message: string;
}

export interface FollowNodesOptions {
  /** The streams known now, by node index (a node is missing until its container started). */
  readonly sources: () => ReadonlyMap<number, LogSource>;
  /** True once nothing more will be written (the job ended); then the streams are drained and the follow ends. */
  readonly finished: () => boolean;
  /** The events of one round of reads (one page of each node), ordered by time. */
  readonly onEvents: (events: readonly NodeLogEvent[]) => void;
  /** Pause between rounds that found nothing new. */
  readonly idleMs?: number;
  /** Rounds without anything new after `finished` before giving up on late events (CloudWatch lags a few seconds). */
  readonly drainReads?: number;
}

/** Where one node's stream has been read to. */
interface NodeCursor {
  readonly source: LogSource;
  token?: string | undefined;
}

/**
 * Reads the nodes' streams round by round (one page of each node per round) until the job is
 * finished and every stream drained, or `signal` aborts. Each round's events are handed over
 * ordered by time, so nodes interleave as they wrote; a stable sort keeps each node's own order.
 */
export async function followNodes(deps: FollowDeps, options: FollowNodesOptions): Promise<void> {
  const { logs, clock, bucket, signal } = deps;
  const idleMs = options.idleMs ?? 2000;
  const drainReads = options.drainReads ?? 2;
  const cursors = new Map<number, NodeCursor>();
  let backoffMs = 1000;
  let emptyAfterFinish = 0;
  while (!signal.aborted) {
    const finished = options.finished();
    const sources = options.sources();
    if (sources.size === 0) {
      if (finished) return;
      await clock.sleep(idleMs, signal);
      continue;
    }
    const round: NodeLogEvent[] = [];
    let somethingNew = false;
    let throttled = false;
    for (const [node, source] of sources) {
      let cursor = cursors.get(node);
      if (
        source.logStreamName !== cursor?.source.logStreamName ||
        source.logGroupName !== cursor.source.logGroupName
      ) {
        cursor = { source }; // a new attempt writes a new stream: start it from its head
        cursors.set(node, cursor);
      }
      await bucket.take(signal);
      if (signal.aborted) return;
      try {
        const { token } = cursor;
        const page = await logs.getLogEvents({ ...cursor.source, ...(token ? { nextToken: token } : {}) });
        for (const e of page.events) {
          round.push({ node, timestamp: e.timestamp ?? 0, message: (e.message ?? '').replace(/\n$/, '') });
        }
        // Only an unchanged token means the end for now: a page may be empty while more follow.
        if (page.nextForwardToken !== undefined && page.nextForwardToken !== token) somethingNew = true;
        cursor.token = page.nextForwardToken ?? token;
        backoffMs = 1000;
      } catch (e) {
        if (isAwsError(e, AWS_ERROR.throttled)) {
          throttled = true;
          break;
        }
        if (!isAwsError(e, AWS_ERROR.notFound)) throw e;
      }
    }
    if (round.length > 0) options.onEvents([...round].sort((a, b) => a.timestamp - b.timestamp));
    if (throttled) {
      await clock.sleep(backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, 30_000);
      continue;
    }
    if (somethingNew) continue;
    if (finished && ++emptyAfterFinish >= drainReads) return;
    await clock.sleep(finished ? idleMs / 2 : idleMs, signal);
  }
}
