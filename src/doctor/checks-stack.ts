/**
 * Checks of what `infra up` built and of the job: the stack's compute environment and queue are
 * VALID and ENABLED, and the job's queue can run the job (the RUNNABLE diagnosis of
 * src/jobs/runnable-diagnosis.ts, before submitting).
 */
import type { JobDefinition, JobDetail } from '@aws-sdk/client-batch';
import { isState } from '../aws/states.js';
import { stackNames } from '../infra/names.js';
import { diagnoseRunnable, type JobNeeds, jobNeeds } from '../jobs/runnable-diagnosis.js';
import type { PlannedJob } from './input.js';
import { type CheckResult, fail, ok } from './report.js';
import type { DoctorServices } from './services.js';

/** What a state/status pair says is wrong, or undefined when VALID and ENABLED. */
function stateProblem(
  state: string | undefined,
  status: string | undefined,
  reason?: string,
): string | undefined {
  const wrong = [
    ...(isState(state, 'ENABLED') ? [] : [state ?? 'no state']),
    ...(isState(status, 'VALID') ? [] : [`${status ?? 'no status'}${reason ? ` (${reason})` : ''}`]),
  ];
  return wrong.length > 0 ? wrong.join(', ') : undefined;
}

/** `stack`: the stack's compute environment and job queue exist, VALID and ENABLED. */
export async function stackCheck(
  services: DoctorServices,
  stack: string,
  file: string,
): Promise<CheckResult> {
  const names = stackNames(stack);
  const [ces, queues] = await Promise.all([
    services.batch.describeComputeEnvironments([names.computeEnvironment]),
    services.batch.describeJobQueues([names.jobQueue]),
  ]);
  const ce = ces.find((c) => c.computeEnvironmentName === names.computeEnvironment);
  const queue = queues.find((q) => q.jobQueueName === names.jobQueue);
  const up = `mnbatch infra up -f ${file}`;
  if (!ce || !queue)
    return fail(
      'stack',
      `stack ${stack} has no ${[...(ce ? [] : [`compute environment ${names.computeEnvironment}`]), ...(queue ? [] : [`job queue ${names.jobQueue}`])].join(' and ')} in ${services.region}`,
      up,
    );
  const problems = [
    ...[stateProblem(ce.state, ce.status, ce.statusReason)].flatMap((p) =>
      p ? [`compute environment ${p}`] : [],
    ),
    ...[stateProblem(queue.state, queue.status, queue.statusReason)].flatMap((p) =>
      p ? [`job queue ${p}`] : [],
    ),
  ];
  if (problems.length > 0)
    return fail('stack', `stack ${stack}: ${problems.join('; ')}`, `${up} (it enables and repairs them)`);
  return ok('stack', `compute environment and job queue ${names.jobQueue} VALID and ENABLED`);
}

/**
 * The planned job as the RUNNABLE diagnosis reads a submitted one. The diagnosis reads only the
 * queue and node properties; the other members are placeholders the types require.
 */
export function plannedJobDetail(job: PlannedJob): { job: JobDetail; jobDefinition: JobDefinition } {
  const jobDefinition: JobDefinition = {
    jobDefinitionName: job.registerJobDefinition.jobDefinitionName,
    jobDefinitionArn: job.registerJobDefinition.jobDefinitionName,
    revision: 0,
    type: job.registerJobDefinition.type,
    nodeProperties: job.registerJobDefinition.nodeProperties,
  };
  const numNodes =
    job.submitJob.nodeOverrides?.numNodes ?? job.registerJobDefinition.nodeProperties?.numNodes;
  const detail: JobDetail = {
    jobName: job.submitJob.jobName,
    jobId: '(not submitted)',
    jobQueue: job.submitJob.jobQueue,
    status: 'RUNNABLE',
    startedAt: undefined,
    jobDefinition: job.registerJobDefinition.jobDefinitionName,
    ...(numNodes !== undefined ? { nodeProperties: { numNodes, mainNode: 0, nodeRangeProperties: [] } } : {}),
  };
  return { job: detail, jobDefinition };
}

/** What the planned job needs (vCPUs, memory, nodes). */
export function plannedJobNeeds(job: PlannedJob): JobNeeds {
  const { job: detail, jobDefinition } = plannedJobDetail(job);
  return jobNeeds(detail, jobDefinition);
}

/** `job`: the job's queue and its compute environments can run the job (nothing submitted). */
export async function jobCheck(services: DoctorServices, job: PlannedJob): Promise<CheckResult> {
  const queueName = job.submitJob.jobQueue ?? '';
  const [queue] = await services.batch.describeJobQueues([queueName]);
  const ceNames = (queue?.computeEnvironmentOrder ?? []).flatMap((o) =>
    o.computeEnvironment ? [o.computeEnvironment] : [],
  );
  const computeEnvironments =
    ceNames.length > 0 ? await services.batch.describeComputeEnvironments(ceNames) : [];
  const facts = plannedJobDetail(job);
  const causes = diagnoseRunnable({ ...facts, ...(queue ? { queue } : {}), computeEnvironments });
  // The diagnosis ends with this sentence when nothing in the setup stands in the way.
  if (causes.length === 1 && causes[0]?.includes('look able to run the job'))
    return ok(
      'job',
      `queue ${queue?.jobQueueName ?? queueName} can run ${job.file} (${describeNeeds(plannedJobNeeds(job))})`,
    );
  return fail(
    'job',
    `${job.file} on queue ${queueName}: ${causes.join('; ')}`,
    'fix the queue or compute environment named, or change the job (nodes, vcpus, memory, instanceType)',
  );
}

function describeNeeds(n: JobNeeds): string {
  return `${n.numNodes} nodes × ${n.vcpusPerNode} vCPUs, ${n.memoryMiBPerNode} MiB`;
}
