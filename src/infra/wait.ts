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
): Promise<T> {
  const start = clock.now();
  let delay = options.firstDelayMs ?? WAIT_DEFAULTS.firstDelayMs;
  const maxDelay = options.maxDelayMs ?? WAIT_DEFAULTS.maxDelayMs;
  for (;;) {
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
    await clock.sleep(Math.min(delay, options.timeoutMs - elapsed));
    delay = Math.min(delay * 2, maxDelay);
  }
}

/** Minutes as milliseconds, for readable bounds. */
export const minutes = (n: number) => n * 60_000;
