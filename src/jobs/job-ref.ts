/**
 * JOB on the command line: a job id, or a job name meaning the most recent job of that name.
 * Names are looked up with ListJobs' JOB_NAME filter in the given queue, or else in every queue
 * an mnbatch stack made (tagged mnbatch:stack). AWS is the only record: there is no local list.
 */
import type { JobQueueDetail } from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';
import { STACK_TAG } from '../contract/stack.js';
import { MnbatchError } from '../errors.js';

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A node job id as Batch and its console show it: `<job id>#<node index>`. */
const NODE_JOB_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})#(\d+)$/i;

/** True when `ref` is a Batch job id rather than a name. */
export function isJobId(ref: string): boolean {
  return JOB_ID.test(ref);
}

/** The node index of a node job id (`<job id>#3` → 3); undefined for anything else. */
export function nodeOfJobRef(ref: string): number | undefined {
  const m = NODE_JOB_ID.exec(ref);
  return m ? Number(m[2]) : undefined;
}

/** The queues to search when the user named none: those of mnbatch stacks, else all of them. */
export async function defaultQueues(batch: BatchApi): Promise<{ names: string[]; tagged: boolean }> {
  const all: JobQueueDetail[] = await batch.describeJobQueues();
  const tagged = all.filter((q) => q.tags?.[STACK_TAG] !== undefined);
  const pick = tagged.length > 0 ? tagged : all;
  return { names: pick.map((q) => q.jobQueueName ?? '').filter(Boolean), tagged: tagged.length > 0 };
}

/** The job id `ref` stands for. */
export async function resolveJobRef(
  batch: BatchApi,
  ref: string,
  options: { readonly queue?: string | undefined } = {},
): Promise<string> {
  if (isJobId(ref)) return ref;
  // A node job stands for its job: status, logs and cancel act on the multi-node job.
  const node = NODE_JOB_ID.exec(ref);
  if (node) return node[1]!;
  const known = options.queue ? undefined : await defaultQueues(batch);
  const queues = options.queue ? [options.queue] : known!.names;
  if (queues.length === 0) {
    throw new MnbatchError(
      'JOB_NOT_FOUND',
      `${ref} is not a job id, and there is no job queue to look for it in`,
      {
        details: ['pass a job id, or --queue QUEUE'],
      },
    );
  }
  let best: { jobId: string; createdAt: number } | undefined;
  for (const jobQueue of queues) {
    const jobs = await batch.listJobs({ jobQueue, filters: [{ name: 'JOB_NAME', values: [ref] }] });
    for (const j of jobs) {
      if (j.jobName !== ref || !j.jobId) continue;
      const createdAt = j.createdAt ?? 0;
      if (!best || createdAt > best.createdAt) best = { jobId: j.jobId, createdAt };
    }
  }
  if (!best) {
    throw new MnbatchError('JOB_NOT_FOUND', `no job named ${ref} in queue ${queues.join(', ')}`, {
      details: options.queue
        ? ['Batch lists finished jobs only for a limited time; pass the job id if you have it']
        : [
            'if the job ran in another queue, pass --queue QUEUE (without it mnbatch looks in the queues of mnbatch stacks)',
          ],
    });
  }
  return best.jobId;
}
