/**
 * Bounded polling: every wait of a bake and of `infra up/down` ends by its deadline or on
 * Ctrl-C, each with the caller's own error, and sleeps with backoff on an injected clock.
 */
import type { Clock } from './clock.js';

/** Delays between polls (ms): `first`, then `factor` times the last one, at most `max`. */
export interface Backoff {
  readonly first: number;
  readonly max: number;
  readonly factor: number;
}

/** What to poll, until when, and what to throw when the time is up or the user interrupts. */
export interface PollOptions<T> {
  /** One look: the value when done, undefined when not yet. */
  readonly poll: () => Promise<T | undefined>;
  /** Epoch ms; no sleep goes past it. */
  readonly deadline: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal | undefined;
  readonly backoff: Backoff;
  /** The error once `deadline` has passed and the last look was not done. */
  readonly onTimeout: () => Error;
  /** The error when `signal` is aborted (checked before every look, so also right after a sleep). */
  readonly onInterrupt: () => Error;
}

/** Calls `poll` until it returns a value, sleeping with backoff in between; throws at the deadline or on abort. */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const { clock, signal, backoff } = options;
  let delay = backoff.first;
  for (;;) {
    if (signal?.aborted) throw options.onInterrupt();
    const value = await options.poll();
    if (value !== undefined) return value;
    const left = options.deadline - clock.now();
    if (left <= 0) throw options.onTimeout();
    await clock.sleep(Math.min(delay, left), signal);
    delay = Math.min(Math.round(delay * backoff.factor), backoff.max);
  }
}
