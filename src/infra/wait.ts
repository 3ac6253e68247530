/**
 * Bounded waits with exponential backoff. Every wait of the engine goes through here, so each
 * one has a deadline and a clear timeout error, and tests run them on a fake clock.
 */
import { MnbatchError } from '../errors.js';
import type { Clock } from './services.js';

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
  let delay = options.firstDelayMs ?? WAIT_DEFAULTS.firstDelayMs;
  const maxDelay = options.maxDelayMs ?? WAIT_DEFAULTS.maxDelayMs;
  for (;;) {
    throwIfInterrupted(signal, what);
    const p = await probe();
    if (p.done) return p.value;
    const elapsed = clock.now() - start;
    if (elapsed >= options.timeoutMs) {
      throw new MnbatchError(
        'INFRA_WAIT_TIMEOUT',
        `gave up waiting for ${what} after ${Math.round(elapsed / 1000)} s (still ${p.state})`,
        { origin: 'aws', details: ['run `mnbatch infra up` again later: it continues where it stopped'] },
      );
    }
    await sleepUnlessAborted(clock, Math.min(delay, options.timeoutMs - elapsed), signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}

/** Minutes as milliseconds, for readable bounds. */
export const minutes = (n: number) => n * 60_000;

function throwIfInterrupted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted)
    throw new MnbatchError('INTERRUPTED', `interrupted while waiting for ${what}`, {
      exitCode: 130,
      details: ['what was created so far is kept: run the same command again to continue'],
    });
}

function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return clock.sleep(ms);
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void clock.sleep(ms).then(done);
  });
}
