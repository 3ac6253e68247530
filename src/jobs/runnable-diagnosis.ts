/**
 * Why a multi-node job probably sits in RUNNABLE: a pure judgement of the job, its queue and the
 * queue's compute environments (plus instance type facts). Each finding is one line a user can
 * act on; when nothing is wrong with the setup, the line says what usually is.
 */
import type {
  ComputeEnvironmentDetail,
  FrontOfQueueDetail,
  JobDefinition,
  JobDetail,
  JobQueueDetail,
  NodeRangeProperty,
} from '@aws-sdk/client-batch';
import { isState } from '../aws/states.js';
import {
  allowsInstanceType,
  expandInstanceType,
  INSTANCE_TYPES,
  type InstanceTypeFacts,
} from './instance-types.js';

/** Everything the diagnosis looks at. */
export interface RunnableFacts {
  readonly job: JobDetail;
  readonly jobDefinition?: JobDefinition;
  /** Undefined when the queue could not be found. */
  readonly queue?: JobQueueDetail;
  readonly computeEnvironments: readonly ComputeEnvironmentDetail[];
  /** GetJobQueueSnapshot's first 100 RUNNABLE jobs of the queue; undefined when not known. */
  readonly frontOfQueue?: FrontOfQueueDetail;
  readonly instanceTypes?: ReadonlyMap<string, InstanceTypeFacts>;
}

/** GetJobQueueSnapshot lists at most this many jobs. */
export const SNAPSHOT_MAX_JOBS = 100;

/**
 * The job's place among the queue's RUNNABLE jobs (1: at the head), or undefined when it is
 * not among those listed (further back, or the snapshot is older than the job's RUNNABLE).
 */
export function queuePosition(job: JobDetail, front: FrontOfQueueDetail): number | undefined {
  const i = (front.jobs ?? []).findIndex(
    (j) => (job.jobArn !== undefined && j.jobArn === job.jobArn) || j.jobArn?.endsWith(`/${job.jobId}`),
  );
  return i < 0 ? undefined : i + 1;
}

/** What one node of the job asks for (the largest over node ranges) and the job in total. */
export interface JobNeeds {
  readonly numNodes: number;
  readonly vcpusPerNode: number;
  readonly memoryMiBPerNode: number;
  readonly gpusPerNode: number;
  readonly totalVcpus: number;
  /** Instance types the job's node ranges ask for (empty: any). */
  readonly instanceTypes: readonly string[];
}

/** Share of installed memory ECS is assumed to register for jobs (AWS recommends leaving ~5%). */
export const USABLE_MEMORY_SHARE = 0.95;

function resource(range: NodeRangeProperty, type: 'VCPU' | 'MEMORY' | 'GPU'): number {
  const req = range.container?.resourceRequirements?.find((r) => r.type === type);
  if (req?.value !== undefined) return Number(req.value);
  if (type === 'VCPU') return range.container?.vcpus ?? 0;
  if (type === 'MEMORY') return range.container?.memory ?? 0;
  return 0;
}

/** Nodes a range "a:b" / "a:" / ":b" / "a" covers in a job of `numNodes` nodes. */
export function rangeSize(targetNodes: string, numNodes: number): number {
  const [from, to] = targetNodes.includes(':') ? targetNodes.split(':') : [targetNodes, targetNodes];
  const a = from ? Number(from) : 0;
  const b = to ? Math.min(Number(to), numNodes - 1) : numNodes - 1;
  return Math.max(0, b - a + 1);
}

/** The job's needs, from the job's own node properties or else its job definition's. */
export function jobNeeds(job: JobDetail, jobDefinition?: JobDefinition): JobNeeds {
  const props = job.nodeProperties?.nodeRangeProperties?.length
    ? job.nodeProperties
    : jobDefinition?.nodeProperties;
  const numNodes = job.nodeProperties?.numNodes ?? props?.numNodes ?? 1;
  const ranges = props?.nodeRangeProperties ?? [];
  let vcpus = 0;
  let memory = 0;
  let gpus = 0;
  let total = 0;
  const types = new Set<string>();
  for (const r of ranges) {
    const v = resource(r, 'VCPU');
    vcpus = Math.max(vcpus, v);
    memory = Math.max(memory, resource(r, 'MEMORY'));
    gpus = Math.max(gpus, resource(r, 'GPU'));
    total += v * rangeSize(r.targetNodes ?? '0:', numNodes);
    for (const t of r.instanceTypes ?? []) types.add(t);
    if (r.container?.instanceType) types.add(r.container.instanceType);
  }
  return {
    numNodes,
    vcpusPerNode: vcpus,
    memoryMiBPerNode: memory,
    gpusPerNode: gpus,
    totalVcpus: total,
    instanceTypes: [...types],
  };
}

/** Problems of one compute environment for this job; empty when it looks able to run it. */
function environmentProblems(
  ce: ComputeEnvironmentDetail,
  needs: JobNeeds,
  table: ReadonlyMap<string, InstanceTypeFacts>,
): string[] {
  const name = ce.computeEnvironmentName ?? '?';
  const problems: string[] = [];
  if (isState(ce.state, 'DISABLED'))
    problems.push(`compute environment ${name} is DISABLED: enable it or use another queue`);
  if (isState(ce.status, 'INVALID'))
    problems.push(`compute environment ${name} is INVALID: ${ce.statusReason ?? 'no reason given'}`);
  const res = ce.computeResources;
  if (isState(ce.type, 'UNMANAGED') || !res) return problems;
  if (!isState(res.type, 'EC2')) {
    problems.push(
      `compute environment ${name} is ${res.type}: multi-node parallel jobs run only on On-Demand EC2 (no Spot, no Fargate)`,
    );
  }
  const max = res.maxvCpus ?? 0;
  if (max < needs.totalVcpus) {
    problems.push(
      `compute environment ${name} allows at most ${max} vCPUs; the job needs at least ${needs.totalVcpus} (${needs.numNodes} nodes × ${needs.vcpusPerNode} vCPUs): raise maxvCpus`,
    );
  } else if ((res.desiredvCpus ?? 0) + needs.totalVcpus > max) {
    problems.push(
      `compute environment ${name} already uses ${res.desiredvCpus} of ${max} vCPUs: the job waits for other jobs to free ${needs.totalVcpus} vCPUs`,
    );
  }
  const entries = res.instanceTypes ?? [];
  if (entries.length === 0) return problems;
  const refused = needs.instanceTypes.filter((t) => !allowsInstanceType(entries, t));
  if (refused.length > 0) {
    problems.push(
      `instance type ${refused.join(', ')} (asked for by the job) is not allowed by compute environment ${name} (allows ${entries.join(', ')})`,
    );
    return problems;
  }
  const expanded = entries.map((e) => expandInstanceType(e, table));
  if (expanded.some((e) => e === undefined)) return problems; // "optimal" etc.: sizes not judged
  const allowed = new Set(expanded.flat() as string[]);
  const wanted = needs.instanceTypes.filter((t) => table.has(t));
  const candidates = (wanted.length > 0 ? wanted : [...allowed]).map((t) => ({ t, f: table.get(t)! }));
  if (candidates.length === 0) return problems;
  const largest = (key: keyof InstanceTypeFacts) =>
    candidates.reduce((a, b) => (b.f[key] > a.f[key] ? b : a));
  if (!candidates.some((c) => c.f.vcpus >= needs.vcpusPerNode)) {
    const l = largest('vcpus');
    problems.push(
      `each node asks for ${needs.vcpusPerNode} vCPUs, more than any instance type of ${name} offers (largest: ${l.t} with ${l.f.vcpus})`,
    );
  }
  if (!candidates.some((c) => c.f.memoryMiB >= needs.memoryMiBPerNode)) {
    const l = largest('memoryMiB');
    problems.push(
      `each node asks for ${needs.memoryMiBPerNode} MiB of memory, more than any instance type of ${name} has (largest: ${l.t} with ${l.f.memoryMiB} MiB)`,
    );
  } else if (!candidates.some((c) => c.f.memoryMiB * USABLE_MEMORY_SHARE >= needs.memoryMiBPerNode)) {
    const l = largest('memoryMiB');
    problems.push(
      `each node asks for ${needs.memoryMiBPerNode} MiB of memory, about all that ${l.t} has (${l.f.memoryMiB} MiB installed): ECS keeps some for the system, so ask for ~5% less`,
    );
  }
  if (needs.gpusPerNode > 0 && !candidates.some((c) => c.f.gpus >= needs.gpusPerNode)) {
    problems.push(`each node asks for ${needs.gpusPerNode} GPUs, more than any instance type of ${name} has`);
  }
  return problems;
}

/** What the compute environments' desired and maximum vCPUs say about a job nothing else holds back. */
function scaling(usable: readonly ComputeEnvironmentDetail[], needs: JobNeeds, atHead: boolean): string {
  const ce = usable.find((c) => c.computeResources);
  const res = ce?.computeResources;
  const waiting = `it is probably waiting for EC2 capacity of the instance type in the placement group's zone${atHead ? '' : ', or for jobs ahead of it'}`;
  if (!ce || !res) return waiting;
  const name = ce.computeEnvironmentName ?? '?';
  const desired = res.desiredvCpus ?? 0;
  const wants = `compute environment ${name} wants ${desired} of at most ${res.maxvCpus ?? 0} vCPUs`;
  if (desired >= needs.totalVcpus) {
    return `${wants}, enough for the job's ${needs.totalVcpus}: Batch is asking EC2 for instances, so ${waiting}`;
  }
  return `${wants}, less than the job's ${needs.totalVcpus}: Batch has not scaled up for it yet (it usually does within minutes); ${waiting}`;
}

/** The likely causes, most important first (never empty). */
export function diagnoseRunnable(facts: RunnableFacts): string[] {
  const table = facts.instanceTypes ?? INSTANCE_TYPES;
  const { queue } = facts;
  if (!queue) return [`job queue ${facts.job.jobQueue ?? '?'} was not found`];
  const qname = queue.jobQueueName ?? '?';
  const causes: string[] = [];
  if (isState(queue.state, 'DISABLED'))
    causes.push(`job queue ${qname} is DISABLED: jobs wait until it is enabled`);
  if (isState(queue.status, 'INVALID'))
    causes.push(`job queue ${qname} is INVALID: ${queue.statusReason ?? 'no reason given'}`);
  if (facts.computeEnvironments.length === 0) {
    causes.push(`job queue ${qname} has no compute environment`);
    return causes;
  }
  const needs = jobNeeds(facts.job, facts.jobDefinition);
  const perEnvironment = facts.computeEnvironments.map((ce) => environmentProblems(ce, needs, table));
  for (const p of perEnvironment) causes.push(...p);
  const usable = facts.computeEnvironments.filter((_, i) => perEnvironment[i]!.length === 0);
  if (causes.length === 0 && !usable.some((ce) => ce.computeResources?.placementGroup)) {
    causes.push(
      `no compute environment of queue ${qname} has a cluster placement group: MNP nodes need one (see \`mnbatch infra up\`)`,
    );
  }
  const position = facts.frontOfQueue ? queuePosition(facts.job, facts.frontOfQueue) : undefined;
  const listed = facts.frontOfQueue?.jobs?.length ?? 0;
  if (position !== undefined && position > 1) {
    const ahead = position - 1;
    causes.push(
      `${ahead} RUNNABLE job${ahead > 1 ? 's are' : ' is'} ahead of it in queue ${qname}: Batch starts them first`,
    );
  } else if (position === undefined && listed >= SNAPSHOT_MAX_JOBS) {
    causes.push(`more than ${SNAPSHOT_MAX_JOBS} RUNNABLE jobs are ahead of it in queue ${qname}`);
  }
  if (causes.length === 0) {
    const where = position === 1 ? `; it is at the head of queue ${qname}` : '';
    causes.push(
      `queue ${qname} and its compute environments look able to run the job${where}: ${scaling(usable, needs, position === 1)}`,
    );
  }
  return causes;
}
