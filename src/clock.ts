/**
 * Time as mnbatch sees it. The launcher, the bake and `infra up/down` take a Clock as a
 * parameter, so tests run a 20-minute job or a 15-minute wait in milliseconds.
 */

/** Now and sleeping, injectable. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms`, or early (without throwing) when `signal` is aborted: each caller
   * decides what an abort means (detach, AMI_INTERRUPTED, INTERRUPTED), so it looks at the
   * signal after sleeping.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};
