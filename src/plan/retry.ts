/** The retry strategy of a job: only infrastructure failures, or any failure. */
import type { EvaluateOnExit, RetryStrategy } from '@aws-sdk/client-batch';
import { HOST_FAILURE_REASON, INFRASTRUCTURE_EXIT_CODES } from '../contract/exit-codes.js';
import type { JobSpec } from '../spec/index.js';

/** Batch accepts at most this many evaluateOnExit rules. */
export const MAX_EVALUATE_ON_EXIT = 5;

/**
 * `retries.on: infrastructure` retries only the agent's bring-up / SSH / node-lost codes and
 * host failures, and ends every other failure at once; `any` lets Batch retry everything.
 * `retryCodes` is a parameter only so that tests can pass other codes.
 */
export function retryStrategy(
  retries: JobSpec['retries'],
  retryCodes: readonly number[] = INFRASTRUCTURE_EXIT_CODES,
): RetryStrategy {
  if (retries.attempts === 1 || retries.on === 'any') return { attempts: retries.attempts };
  const evaluateOnExit: EvaluateOnExit[] = [
    ...retryCodes.map((code) => ({ onExitCode: String(code), action: 'RETRY' as const })),
    { onStatusReason: HOST_FAILURE_REASON, action: 'RETRY' },
    // Batch retries whatever no rule matches, so the last rule ends every other failure.
    { onReason: '*', action: 'EXIT' },
  ];
  // Dropping a rule to fit would silently change what is retried: a bug in mnbatch, not the job.
  if (evaluateOnExit.length > MAX_EVALUATE_ON_EXIT) {
    throw new Error(
      `internal: ${evaluateOnExit.length} evaluateOnExit rules, Batch allows ${MAX_EVALUATE_ON_EXIT}`,
    );
  }
  return { attempts: retries.attempts, evaluateOnExit };
}
