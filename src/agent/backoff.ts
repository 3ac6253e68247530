/** Retry delays for children connecting to a main node that is not listening yet (pure). */

export interface BackoffOptions {
  readonly initialMs: number;
  readonly capMs: number;
}

/** Children start retrying after ~50 ms and never wait more than ~1 s between tries. */
export const CONNECT_BACKOFF: BackoffOptions = { initialMs: 50, capMs: 1000 };

/**
 * Delay before retry number `attempt` (0-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so children started together do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = CONNECT_BACKOFF,
  random = Math.random(),
): number {
  const exp = Math.min(options.capMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp / 2 + (exp / 2) * random);
}
