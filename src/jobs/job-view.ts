/**
 * What the launcher knows about a multi-node job after one DescribeJobs call: the parent job and
 * its node jobs (`<id>#<index>`), reduced to the facts the commands print. Pure.
 */
import type { JobDetail } from '@aws-sdk/client-batch';
import { LAUNCHER_EXIT } from './exit-codes.js';

export type JobStatus =
  | 'SUBMITTED'
  | 'PENDING'
  | 'RUNNABLE'
  | 'STARTING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED';

/** The order statuses move in (for sorting counts). */
export const JOB_STATUSES: readonly JobStatus[] = [
  'SUBMITTED',
  'PENDING',
  'RUNNABLE',
  'STARTING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
];

/** One node job of a multi-node job. */
export interface NodeView {
  readonly index: number;
  readonly isMain: boolean;
  readonly status: JobStatus;
  readonly exitCode?: number;
  /** The container's reason (e.g. "Essential container in task exited") or the node's statusReason. */
  readonly reason?: string;
  readonly logStreamName?: string;
  /** CloudWatch log group from the node's logConfiguration (awslogs-group), when set. */
  readonly logGroupName?: string;
}

/** A multi-node job with its nodes. */
export interface JobView {
  readonly jobId: string;
  readonly jobName: string;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  readonly status: JobStatus;
  readonly statusReason?: string;
  readonly createdAt?: number;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  readonly numNodes: number;
  readonly mainNode: number;
  readonly nodes: readonly NodeView[];
  readonly tags: Readonly<Record<string, string>>;
}

/** The log group Batch uses when a job definition does not name one. */
export const DEFAULT_LOG_GROUP = '/aws/batch/job';

/** Ids of the parent and its node jobs: what one poll describes. */
export function jobAndNodeIds(jobId: string, numNodes: number): string[] {
  return [jobId, ...Array.from({ length: numNodes }, (_, i) => `${jobId}#${i}`)];
}

/** The view of `parent` given whatever node jobs DescribeJobs returned (others are not created yet). */
export function jobView(parent: JobDetail, nodeJobs: readonly JobDetail[]): JobView {
  const status = (parent.status ?? 'SUBMITTED') as JobStatus;
  const numNodes = parent.nodeProperties?.numNodes ?? 1;
  const mainNode = parent.nodeProperties?.mainNode ?? 0;
  const byIndex = new Map<number, JobDetail>();
  for (const j of nodeJobs) {
    const index = j.nodeDetails?.nodeIndex ?? Number(j.jobId?.split('#')[1]);
    if (Number.isInteger(index)) byIndex.set(index, j);
  }
  const nodes: NodeView[] = [];
  for (let index = 0; index < numNodes; index++) {
    const j = byIndex.get(index);
    // Until Batch creates the node jobs, every node is where the parent is.
    const nodeStatus = (j?.status ?? status) as JobStatus;
    const container = j?.container;
    const reason = container?.reason ?? j?.statusReason;
    const group = container?.logConfiguration?.options?.['awslogs-group'];
    nodes.push({
      index,
      isMain: index === mainNode,
      status: nodeStatus,
      ...(container?.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
      ...(reason ? { reason } : {}),
      ...(container?.logStreamName ? { logStreamName: container.logStreamName } : {}),
      ...(group ? { logGroupName: group } : {}),
    });
  }
  return {
    jobId: parent.jobId ?? '',
    jobName: parent.jobName ?? '',
    jobQueue: parent.jobQueue ?? '',
    jobDefinition: parent.jobDefinition ?? '',
    status,
    ...(parent.statusReason ? { statusReason: parent.statusReason } : {}),
    ...(parent.createdAt !== undefined ? { createdAt: parent.createdAt } : {}),
    ...(parent.startedAt !== undefined ? { startedAt: parent.startedAt } : {}),
    ...(parent.stoppedAt !== undefined ? { stoppedAt: parent.stoppedAt } : {}),
    numNodes,
    mainNode,
    nodes,
    tags: parent.tags ?? {},
  };
}

/** SUCCEEDED and FAILED are final. */
export function isTerminal(status: JobStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED';
}

/** "RUNNING 3 · STARTING 1": how many nodes are in each status, most advanced first. */
export function nodeCounts(view: JobView): string {
  const counts = new Map<JobStatus, number>();
  for (const n of view.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  return [...JOB_STATUSES]
    .reverse()
    .filter((s) => counts.has(s))
    .map((s) => `${s} ${counts.get(s)}`)
    .join(' · ');
}

/** The main node's view. */
export function mainNodeView(view: JobView): NodeView | undefined {
  return view.nodes.find((n) => n.isMain);
}

/**
 * What the launcher exits with for a finished job: the main node's exit code, or
 * LAUNCHER_EXIT.failedWithoutExitCode when the job failed without one (or with 0).
 */
export function jobExitCode(view: JobView): number {
  const code = mainNodeView(view)?.exitCode;
  if (view.status === 'SUCCEEDED') return code ?? 0;
  return code !== undefined && code !== 0 ? code : LAUNCHER_EXIT.failedWithoutExitCode;
}
