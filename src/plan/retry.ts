/** The retry strategy of a job: only infrastructure failures, or any failure. */
import type { RetryStrategy } from '@aws-sdk/client-batch';
import { HOST_FAILURE_REASON, INFRASTRUCTURE_EXIT_CODES } from '../contract/exit-codes.js';
import type { JobSpec } from '../spec/index.js';

/** Batch accepts at most this many evaluateOnExit rules. */
export const MAX_EVALUATE_ON_EXIT = 5;

/**
 * `retries.on: infrastructure` retries only the agent's bring-up / SSH / node-lost codes and
 * host failures, and ends every other failure at once; `any` lets Batch retry everything.
 */
export function retryStrategy(retries: JobSpec['retries']): RetryStrategy {
  if (retries.attempts === 1 || retries.on === 'any') return { attempts: retries.attempts };
  return {
    attempts: retries.attempts,
    evaluateOnExit: [
      ...INFRASTRUCTURE_EXIT_CODES.map((code) => ({ onExitCode: String(code), action: 'RETRY' as const })),
      { onStatusReason: HOST_FAILURE_REASON, action: 'RETRY' as const },
      { onReason: '*', action: 'EXIT' as const },
    ].slice(-MAX_EVALUATE_ON_EXIT),
  };
}
