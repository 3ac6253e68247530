/**
 * Bounded waits of the engine with doubling backoff: src/wait.ts's pollUntil with the engine's
 * timeout and Ctrl-C errors, so each wait has a deadline and a clear error, and tests run them
 * on a fake clock.
 */

import type { Clock } from '../clock.js';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { pollUntil } from '../wait.js';

/** One look at the thing waited for: done with a value, or not yet with its current state. */
export type Probe<T> =
  | { readonly done: true; readonly value: T }
  | { readonly done: false; readonly state: string };

/** How long and how often to look. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** Default bounds: first look again after 2 s, at most every 30 s. */
export const WAIT_DEFAULTS = { firstDelayMs: 2_000, maxDelayMs: 30_000 } as const;

/** Probes until done, sleeping with doubling delays; throws INFRA_WAIT_TIMEOUT at the deadline. */
export async function waitFor<T>(
  clock: Clock,
  what: string,
  probe: () => Promise<Probe<T>>,
  options: WaitOptions,
  signal?: AbortSignal,
): Promise<T> {
  const start = clock.now();
  let state = '';
  // Boxed: a wait for `void` is done with the value undefined, which pollUntil reads as "not yet".
  const done = await pollUntil<{ value: T }>({
    clock,
    signal,
    deadline: start + options.timeoutMs,
    backoff: {
      first: options.firstDelayMs ?? WAIT_DEFAULTS.firstDelayMs,
      max: options.maxDelayMs ?? WAIT_DEFAULTS.maxDelayMs,
      factor: 2,
    },
    poll: async () => {
      const p = await probe();
      if (p.done) return { value: p.value };
      state = p.state;
      return undefined;
    },
    onTimeout: () =>
      new MnbatchError(
        'INFRA_WAIT_TIMEOUT',
        `gave up waiting for ${what} after ${Math.round((clock.now() - start) / 1000)} s (still ${state})`,
        {
          origin: 'aws',
          exitCode: EXIT.timedOut,
          details: ['run `mnbatch infra up` again later: it continues where it stopped'],
        },
      ),
    onInterrupt: () =>
      new MnbatchError('INTERRUPTED', `interrupted while waiting for ${what}`, {
        exitCode: EXIT.interrupted,
        details: ['what was created so far is kept: run the same command again to continue'],
      }),
  });
  return done.value;
}

/** Minutes as milliseconds, for readable bounds. */
export const minutes = (n: number) => n * 60_000;
