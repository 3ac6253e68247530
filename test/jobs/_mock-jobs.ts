/** Builders of DescribeJobs answers for tests at the SDK boundary. */
import type { JobDetail } from '@aws-sdk/client-batch';

export const JOB_ID = '11111111-2222-4333-8444-555555555555';

/** One node as a poll sees it. */
export interface NodeState {
  readonly status: JobDetail['status'];
  readonly exitCode?: number;
  readonly reason?: string;
  readonly logStreamName?: string;
}

/** The job at one moment: the parent's status (and reason) and its nodes. */
export interface JobState {
  readonly status: JobDetail['status'];
  readonly statusReason?: string;
  readonly nodes: readonly NodeState[];
}

/** The DescribeJobs answer for `ids` when the job is in `state`. */
export function describeAnswer(
  ids: readonly string[],
  state: JobState,
  plan?: { nodeProperties?: unknown },
): JobDetail[] {
  const out: JobDetail[] = [];
  for (const id of ids) {
    const [parent, index] = id.split('#');
    if (parent !== JOB_ID) continue;
    if (index === undefined) {
      out.push({
        jobId: JOB_ID,
        jobName: 'hello-mpi',
        jobQueue: 'arn:aws:batch:eu-west-1:123456789012:job-queue/mpi-queue',
        status: state.status,
        ...(state.statusReason ? { statusReason: state.statusReason } : {}),
        startedAt: undefined,
        createdAt: Date.UTC(2026, 0, 1, 12),
        jobDefinition: 'arn:aws:batch:eu-west-1:123456789012:job-definition/hello-mpi-abc:1',
        nodeProperties: {
          numNodes: state.nodes.length,
          mainNode: 0,
          nodeRangeProperties:
            (plan?.nodeProperties as { nodeRangeProperties?: never[] })?.nodeRangeProperties ?? [],
        },
        tags: { 'mnbatch:job': 'hello-mpi' },
      });
      continue;
    }
    const node = state.nodes[Number(index)];
    if (!node) continue;
    out.push({
      jobId: id,
      jobName: 'hello-mpi',
      jobQueue: 'mpi-queue',
      status: node.status,
      startedAt: undefined,
      jobDefinition: 'hello-mpi-abc:1',
      nodeDetails: { nodeIndex: Number(index), isMainNode: index === '0' },
      container: {
        ...(node.exitCode !== undefined ? { exitCode: node.exitCode } : {}),
        ...(node.reason ? { reason: node.reason } : {}),
        ...(node.logStreamName ? { logStreamName: node.logStreamName } : {}),
      },
    });
  }
  return out;
}

/** `n` nodes all in `status`. */
export function nodes(n: number, status: JobDetail['status'], extra: Partial<NodeState> = {}): NodeState[] {
  return Array.from({ length: n }, () => ({ status, ...extra }));
}
