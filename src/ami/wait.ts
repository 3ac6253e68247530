/**
 * Bounded polling with backoff, interruptible: every wait of a bake ends by its deadline or on
 * Ctrl-C. Time and sleeping are injected so tests run the waits instantly.
 */
import { MnbatchError } from '../errors.js';

/** Time as the bake sees it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, rejects with the signal's reason when it is aborted. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(interrupted());
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(interrupted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

/** The error of a bake stopped by Ctrl-C / SIGTERM: exit 130 like a shell. */
export function interrupted(): MnbatchError {
  return new MnbatchError('AMI_INTERRUPTED', 'interrupted', { exitCode: 130 });
}

/** Throws `interrupted()` when `signal` is aborted. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw interrupted();
}

/** How long between polls: starts at `first`, grows by half each time, at most `max` (ms). */
export interface Backoff {
  readonly first: number;
  readonly max: number;
}

/**
 * Calls `poll` until it returns a value (not undefined), sleeping with backoff in between.
 * Throws `onTimeout()` once `deadline` (epoch ms) has passed, `interrupted()` on abort.
 */
export async function pollUntil<T>(options: {
  readonly poll: () => Promise<T | undefined>;
  readonly deadline: number;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly backoff: Backoff;
  readonly onTimeout: () => Error;
}): Promise<T> {
  const { clock, signal, backoff } = options;
  let delay = backoff.first;
  for (;;) {
    throwIfInterrupted(signal);
    const value = await options.poll();
    if (value !== undefined) return value;
    const left = options.deadline - clock.now();
    if (left <= 0) throw options.onTimeout();
    await clock.sleep(Math.min(delay, left), signal);
    delay = Math.min(Math.round(delay * 1.5), backoff.max);
  }
}
