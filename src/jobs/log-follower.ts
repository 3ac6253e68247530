/**
 * Follows one CloudWatch log stream forward: resumes from nextForwardToken, stays under the
 * account's GetLogEvents rate through a shared token bucket, backs off when throttled, and waits
 * quietly while the stream does not exist yet (Batch creates it when the container starts).
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

export interface FollowOptions {
  /** The stream as far as known now (undefined until the node's container started). */
  readonly source: () => LogSource | undefined;
  /** True once nothing more will be written (the job ended); then the stream is drained and the follow ends. */
  readonly finished: () => boolean;
  readonly onLines: (lines: readonly string[]) => void;
  /** Pause between reads that found nothing new. */
  readonly idleMs?: number;
  /** Empty reads after `finished` before giving up on late events (CloudWatch lags a few seconds). */
  readonly drainReads?: number;
}

/** Reads until the job is finished and the stream drained, or `signal` aborts. */
export async function followLog(deps: FollowDeps, options: FollowOptions): Promise<void> {
  const { logs, clock, bucket, signal } = deps;
  const idleMs = options.idleMs ?? 2000;
  const drainReads = options.drainReads ?? 2;
  let current: LogSource | undefined;
  let token: string | undefined;
  let backoffMs = 1000;
  let emptyAfterFinish = 0;
  while (!signal.aborted) {
    const finished = options.finished();
    const source = options.source();
    if (!source) {
      if (finished) return;
      await clock.sleep(idleMs, signal);
      continue;
    }
    if (source.logStreamName !== current?.logStreamName || source.logGroupName !== current.logGroupName) {
      current = source; // a new attempt writes a new stream: start it from its head
      token = undefined;
    }
    await bucket.take(signal);
    if (signal.aborted) return;
    let nothingNew: boolean;
    try {
      const page = await logs.getLogEvents({ ...current, ...(token ? { nextToken: token } : {}) });
      const lines = page.events.map((e) => (e.message ?? '').replace(/\n$/, ''));
      if (lines.length > 0) options.onLines(lines);
      // Only an unchanged token means the end for now: a page may be empty while more follow.
      nothingNew = page.nextForwardToken === undefined || page.nextForwardToken === token;
      token = page.nextForwardToken ?? token;
      backoffMs = 1000;
    } catch (e) {
      if (isAwsError(e, AWS_ERROR.throttled)) {
        await clock.sleep(backoffMs, signal);
        backoffMs = Math.min(backoffMs * 2, 30_000);
        continue;
      }
      if (!isAwsError(e, AWS_ERROR.notFound)) throw e;
      nothingNew = true;
    }
    if (!nothingNew) continue;
    if (finished && ++emptyAfterFinish >= drainReads) return;
    await clock.sleep(finished ? idleMs / 2 : idleMs, signal);
  }
}
