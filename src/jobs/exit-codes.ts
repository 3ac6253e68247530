import { AWS_EXIT } from '../aws/errors.js';

/**
 * Exit codes of the launcher itself (`submit --wait`, `status --wait`, and every AWS command).
 * When a job ends with an exit code, the launcher exits with the main node's code, so these sit
 * where programs rarely exit on their own: sysexits codes for launcher failures (like
 * EXIT_INTERNAL = 70 in src/cli/cli.ts) and the 200s next to the agent's codes (201–206) for a
 * job that ended without any exit code.
 */
export const LAUNCHER_EXIT = {
  /** The job (and its main node) succeeded. */
  success: 0,
  /** mnbatch could not do what was asked: invalid spec, AWS rejected a request (ClientException). */
  error: 1,
  /** The job failed without an exit code: cancelled or terminated before it ran, host lost, timed out before the container exited. */
  failedWithoutExitCode: 210,
  /** AWS throttled a call even after the SDK's retries (sysexits EX_TEMPFAIL): try again later. */
  awsThrottled: AWS_EXIT.throttled,
  /** AWS credentials expired, missing or not allowed to do the action (sysexits EX_NOPERM). */
  awsCredentials: AWS_EXIT.credentials,
  /** The user pressed Ctrl-C while waiting: detached (or cancelled with --cancel-on-interrupt). */
  interrupted: 130,
} as const;
