/**
 * What `submit` checks before it changes anything: the job queue exists, is ENABLED and VALID,
 * and at least one of its compute environments is ENABLED, VALID, On-Demand EC2 and allows the
 * job's instance type. A job sent anywhere else would sit in RUNNABLE (or fail) after a job
 * definition revision had been registered for nothing.
 */
import type {
  ComputeEnvironmentDetail,
  JobQueueDetail,
  RegisterJobDefinitionCommandInput,
} from '@aws-sdk/client-batch';
import type { BatchApi } from '../aws/batch.js';
import { isState } from '../aws/states.js';
import { MnbatchError } from '../errors.js';
import { allowsInstanceType } from './instance-types.js';

/** The instance types the job definition's node ranges ask for (empty: any). */
export function requestedInstanceTypes(request: RegisterJobDefinitionCommandInput): string[] {
  const types = new Set<string>();
  for (const r of request.nodeProperties?.nodeRangeProperties ?? []) {
    if (r.container?.instanceType) types.add(r.container.instanceType);
    for (const t of r.instanceTypes ?? []) types.add(t);
  }
  return [...types];
}

/** Why `ce` cannot run a multi-node job of `instanceTypes`; empty when it can. Pure. */
export function computeEnvironmentProblems(
  ce: ComputeEnvironmentDetail,
  instanceTypes: readonly string[],
): string[] {
  const name = ce.computeEnvironmentName ?? '?';
  const problems: string[] = [];
  if (!isState(ce.state, 'ENABLED'))
    problems.push(`compute environment ${name} is ${ce.state ?? 'not ENABLED'}`);
  if (!isState(ce.status, 'VALID')) {
    const reason = ce.statusReason ? `: ${ce.statusReason}` : '';
    problems.push(`compute environment ${name} is ${ce.status ?? 'not VALID'}${reason}`);
  }
  const res = ce.computeResources;
  if (isState(ce.type, 'UNMANAGED') || !res) return problems;
  if (!isState(res.type, 'EC2')) {
    problems.push(
      `compute environment ${name} is ${res.type}: multi-node parallel jobs run only on On-Demand EC2`,
    );
  }
  const entries = res.instanceTypes ?? [];
  const refused = entries.length > 0 ? instanceTypes.filter((t) => !allowsInstanceType(entries, t)) : [];
  if (refused.length > 0) {
    problems.push(
      `compute environment ${name} does not allow instance type ${refused.join(', ')} (allows ${entries.join(', ')})`,
    );
  }
  return problems;
}

/** What is wrong with `queue` for the job; empty when the job can run there. Pure. */
export function queueProblems(
  queue: JobQueueDetail,
  computeEnvironments: readonly ComputeEnvironmentDetail[],
  instanceTypes: readonly string[],
): string[] {
  const problems: string[] = [];
  if (!isState(queue.state, 'ENABLED')) {
    problems.push(
      `the queue is ${queue.state ?? 'not ENABLED'} (enable it, or run \`mnbatch infra up\` for a stack's queue)`,
    );
  }
  if (!isState(queue.status, 'VALID')) {
    const reason = queue.statusReason ? `: ${queue.statusReason}` : '';
    problems.push(`the queue is ${queue.status ?? 'not VALID'}${reason}`);
  }
  if (computeEnvironments.length === 0) {
    problems.push('the queue has no compute environment');
    return problems;
  }
  const perEnvironment = computeEnvironments.map((ce) => computeEnvironmentProblems(ce, instanceTypes));
  // One environment that can run the job is enough: Batch places the job there.
  if (perEnvironment.some((p) => p.length === 0)) return problems;
  for (const p of perEnvironment) problems.push(...p);
  return problems;
}

/** The queue's compute environments in the queue's order (those that exist). */
function environmentNames(queue: JobQueueDetail): string[] {
  return [...(queue.computeEnvironmentOrder ?? [])]
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((o) => o.computeEnvironment ?? '')
    .filter(Boolean);
}

/** The error of a queue that does not exist. */
export function queueNotFound(jobQueue: string, region: string): MnbatchError {
  return new MnbatchError(
    'QUEUE_NOT_FOUND',
    `job queue ${jobQueue} does not exist in ${region}: check queue/stack in job.yaml, --queue and --region (\`mnbatch infra up\` makes a stack's queue)`,
  );
}

/** Throws a MnbatchError naming the queue, the region and what is wrong; only reads. */
export async function checkQueue(
  batch: BatchApi,
  jobQueue: string,
  request: RegisterJobDefinitionCommandInput,
): Promise<void> {
  const [queue] = await batch.describeJobQueues([jobQueue]);
  const region = await batch.region();
  if (!queue) throw queueNotFound(jobQueue, region);
  const names = environmentNames(queue);
  const environments = names.length > 0 ? await batch.describeComputeEnvironments(names) : [];
  const problems = queueProblems(queue, environments, requestedInstanceTypes(request));
  if (problems.length === 0) return;
  throw new MnbatchError(
    'QUEUE_NOT_READY',
    `job queue ${queue.jobQueueName ?? jobQueue} in ${region} cannot run the job: ${problems.join('; ')}`,
    { details: ['nothing was registered or submitted'] },
  );
}
