/**
 * `list`: the jobs mnbatch submitted, newest first. ListJobs cannot filter by tag, so the jobs of
 * the wanted queues and statuses are listed and then described (100 per call) to keep only those
 * tagged mnbatch:job.
 */

import type { JobStatus as SdkJobStatus } from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import type { Output } from '../ui/output.js';
import { defaultQueues } from './job-ref.js';
import { JOB_STATUSES, type JobStatus } from './job-view.js';
import { formatDuration } from './render.js';

/** Statuses listed when none is asked for: the jobs that are not finished. */
export const ACTIVE_STATUSES: readonly JobStatus[] = [
  'SUBMITTED',
  'PENDING',
  'RUNNABLE',
  'STARTING',
  'RUNNING',
];

/** One listed job. */
export interface ListedJob {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: JobStatus;
  readonly queue: string;
  readonly numNodes?: number;
  readonly createdAt?: number;
  readonly statusReason?: string;
}

export interface ListOptions {
  readonly queue?: string | undefined;
  readonly status?: string | undefined;
}

/** The mnbatch jobs in the queues and statuses asked for. */
export async function listJobs(batch: BatchApi, options: ListOptions): Promise<ListedJob[]> {
  const status = options.status?.toUpperCase();
  if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
    throw new MnbatchError('USAGE', `--status ${options.status}: must be one of ${JOB_STATUSES.join(', ')}`, {
      exitCode: EXIT.usage,
    });
  }
  const statuses = status ? [status as JobStatus] : ACTIVE_STATUSES;
  const queues = options.queue ? [options.queue] : (await defaultQueues(batch)).names;
  const found = new Map<string, { queue: string }>();
  for (const jobQueue of queues) {
    for (const jobStatus of statuses) {
      for (const s of await batch.listJobs({ jobQueue, jobStatus: jobStatus as SdkJobStatus })) {
        if (s.jobId) found.set(s.jobId, { queue: jobQueue });
      }
    }
  }
  const details = found.size > 0 ? await batch.describeJobs([...found.keys()]) : [];
  return details
    .filter((d) => d.tags?.['mnbatch:job'] !== undefined && d.jobId)
    .map((d) => ({
      jobId: d.jobId!,
      jobName: d.jobName ?? '',
      status: (d.status ?? 'SUBMITTED') as JobStatus,
      queue: found.get(d.jobId!)?.queue ?? d.jobQueue ?? '',
      ...(d.nodeProperties?.numNodes !== undefined ? { numNodes: d.nodeProperties.numNodes } : {}),
      ...(d.createdAt !== undefined ? { createdAt: d.createdAt } : {}),
      ...(d.statusReason ? { statusReason: d.statusReason } : {}),
    }))
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
}

/** Prints `jobs` as a table (or JSON). */
export function printJobs(output: Output, jobs: readonly ListedJob[], now: number, json: boolean): void {
  if (json) {
    output.out(JSON.stringify(jobs, null, 2));
    return;
  }
  if (jobs.length === 0) {
    output.err('no mnbatch jobs found');
    return;
  }
  output.out(`${'JOB ID'.padEnd(36)}  ${'NAME'.padEnd(24)}  ${'STATUS'.padEnd(9)}  NODES  AGE      QUEUE`);
  for (const j of jobs) {
    const age = j.createdAt !== undefined ? formatDuration(now - j.createdAt) : '-';
    output.out(
      `${j.jobId.padEnd(36)}  ${j.jobName.padEnd(24)}  ${j.status.padEnd(9)}  ${String(j.numNodes ?? '-').padEnd(5)}  ${age.padEnd(7)}  ${j.queue}`,
    );
  }
}
