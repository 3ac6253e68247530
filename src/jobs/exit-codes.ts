import { EXIT } from '../contract/exit-codes.js';

/**
 * Exit codes of the launcher itself (`submit --wait`, `status --wait`, and every AWS command): the
 * launcher's names for codes of EXIT (src/contract/exit-codes.ts), the one table.
 * When a job ends with an exit code, the launcher exits with the main node's code, so these sit
 * where programs rarely exit on their own: sysexits codes for launcher failures (like
 * EXIT.internal) and the 200s next to the agent's codes (201–206) for a
 * job that ended without any exit code.
 */
export const LAUNCHER_EXIT = {
  /** The job (and its main node) succeeded. */
  success: EXIT.success,
  /** mnbatch could not do what was asked: invalid spec, AWS rejected a request (ClientException). */
  error: EXIT.error,
  /** The job failed without an exit code: cancelled or terminated before it ran, host lost, timed out before the container exited. */
  failedWithoutExitCode: EXIT.failedWithoutExitCode,
  /** AWS throttled a call even after the SDK's retries (sysexits EX_TEMPFAIL): try again later. */
  awsThrottled: EXIT.awsThrottled,
  /** AWS credentials expired, missing or not allowed to do the action (sysexits EX_NOPERM). */
  awsCredentials: EXIT.awsCredentials,
  /** The user pressed Ctrl-C while waiting: detached (or cancelled with --cancel-on-interrupt). */
  interrupted: EXIT.interrupted,
} as const;
