/** `status JOB`: the job and each node (index, status, exit code, reason, log stream). */
import type { BatchApi } from '../aws/batch.js';
import type { LogsApi } from '../aws/logs.js';
import type { Clock } from '../clock.js';
import type { Output } from '../ui/output.js';
import type { InstanceFactsLookup } from './instance-types.js';
import { resolveJobRef } from './job-ref.js';
import { consoleUrl, statusLines } from './render.js';
import { describeJob, jobNotFound, type WaitOptions, waitForJob } from './wait.js';

export interface JobCommandDeps {
  readonly batch: BatchApi;
  readonly logs?: LogsApi;
  readonly output: Output;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** EC2's instance type facts for the RUNNABLE diagnosis (wait.ts). */
  readonly instanceFacts?: InstanceFactsLookup;
}

export interface StatusOptions extends Pick<WaitOptions, 'runnableAfterMs'> {
  readonly queue?: string | undefined;
  readonly json?: boolean;
  readonly wait?: boolean;
}

/** Prints the job's status (and waits for it with `wait`); returns the exit code. */
export async function showStatus(
  deps: JobCommandDeps,
  ref: string,
  options: StatusOptions = {},
): Promise<number> {
  const { batch, output, clock } = deps;
  const jobId = await resolveJobRef(batch, ref, { queue: options.queue });
  if (options.wait) {
    return waitForJob(deps, jobId, {
      ...(options.runnableAfterMs !== undefined ? { runnableAfterMs: options.runnableAfterMs } : {}),
    });
  }
  const described = await describeJob(batch, jobId);
  if (!described) throw jobNotFound(jobId);
  const { view } = described;
  if (options.json) {
    output.out(JSON.stringify(view, null, 2));
  } else {
    for (const line of statusLines(view, clock.now(), consoleUrl(await batch.region(), jobId)))
      output.out(line);
  }
  return 0;
}
