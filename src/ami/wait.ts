/**
 * The bake's bounded waits: src/wait.ts's pollUntil with the bake's backoff growth and its
 * Ctrl-C error, so every wait of a bake ends by its deadline or on Ctrl-C.
 */
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { type PollOptions, pollUntil } from '../wait.js';

/** The error of a bake stopped by Ctrl-C / SIGTERM: exit 130 like a shell. */
export function interrupted(): MnbatchError {
  return new MnbatchError('AMI_INTERRUPTED', 'interrupted', { exitCode: EXIT.interrupted });
}

/** Throws `interrupted()` when `signal` is aborted. */
export function throwIfInterrupted(signal: AbortSignal): void {
  if (signal.aborted) throw interrupted();
}

/** How long between polls: starts at `first`, grows by half each time, at most `max` (ms). */
export interface BakeBackoff {
  readonly first: number;
  readonly max: number;
}

/**
 * Calls `poll` until it returns a value (not undefined), sleeping with backoff in between.
 * Throws `onTimeout()` once `deadline` (epoch ms) has passed, `interrupted()` on abort.
 */
export function pollBake<T>(
  options: Omit<PollOptions<T>, 'backoff' | 'onInterrupt' | 'signal'> & {
    readonly signal: AbortSignal;
    readonly backoff: BakeBackoff;
  },
): Promise<T> {
  return pollUntil({ ...options, backoff: { ...options.backoff, factor: 1.5 }, onInterrupt: interrupted });
}
