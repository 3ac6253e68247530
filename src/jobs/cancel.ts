/** `cancel JOB`: TerminateJob, which stops a job in any state from SUBMITTED to RUNNING. */
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { resolveJobRef } from './job-ref.js';
import { isTerminal } from './job-view.js';
import type { JobCommandDeps } from './status.js';
import { describeJob, jobNotFound } from './wait.js';

/** Reason recorded on the job when the user gives none. */
export const DEFAULT_CANCEL_REASON = 'Cancelled with mnbatch cancel';

export async function cancelJob(
  deps: Pick<JobCommandDeps, 'batch' | 'output'>,
  ref: string,
  options: { readonly queue?: string | undefined; readonly reason?: string | undefined } = {},
): Promise<number> {
  const { batch, output } = deps;
  const jobId = await resolveJobRef(batch, ref, { queue: options.queue });
  const described = await describeJob(batch, jobId, 0);
  if (!described) throw jobNotFound(jobId);
  const { view } = described;
  if (isTerminal(view.status)) {
    output.err(`job ${view.jobName} (${jobId}) already ${view.status}: nothing to cancel`);
    return 0;
  }
  const reason = options.reason ?? DEFAULT_CANCEL_REASON;
  if (reason.length === 0)
    throw new MnbatchError('USAGE', '--reason must not be empty', { exitCode: EXIT.usage });
  await batch.terminateJob({ jobId, reason });
  output.out(`terminating job ${view.jobName} (${jobId}), which was ${view.status}`);
  return 0;
}
