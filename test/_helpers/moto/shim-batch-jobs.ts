/**
 * Batch jobs where moto 5.2 (without Docker) differs from AWS Batch:
 * - A job is finished when SubmitJob returns (moto's simple backend marks it SUCCEEDED at once);
 *   on AWS it moves SUBMITTED → PENDING → RUNNABLE → STARTING → RUNNING → SUCCEEDED/FAILED over
 *   minutes. The shim shows each job one state further at every DescribeJobs that names it,
 *   ending in moto's final status, and ListJobs / GetJobQueueSnapshot agree with what it shows.
 * - TerminateJob on a job that has not ended: AWS fails it (FAILED, statusReason = the reason,
 *   unfinished nodes FAILED without an exit code); moto keeps its status. The shim fails it.
 * - Multi-node jobs have no node jobs (`<id>#<index>`) in moto; AWS creates the main node's when
 *   the job starts and the children's once the main node is RUNNING, each with its own container
 *   (exit code, log stream). The shim adds them.
 * - GetJobQueueSnapshot is not implemented (404); the shim answers it: the queue's RUNNABLE jobs,
 *   oldest first (first-in-first-out).
 * - DescribeJobDefinitions leaves out `nodeProperties` of multinode definitions; AWS returns them.
 *   The shim adds what was registered.
 * - moto runs no container (without Docker every job SUCCEEDS). A test can give the containers'
 *   behaviour (`JobBehaviour`, ShimHooks.jobs): the main node's exit code decides the job's end
 *   (non-zero: FAILED, "Essential container in task exited"), and each node's lines are written to
 *   its CloudWatch log stream when the job ends.
 */
import { createHash } from 'node:crypto';
import type { Correction, CorrectionContext, ShimAnswer } from './shim.js';

/** The states AWS moves a job through, in order, before its end. */
const LIFE = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'] as const;
const ENDED = new Set(['SUCCEEDED', 'FAILED']);

interface MotoJob {
  jobId: string;
  jobArn?: string;
  jobName?: string;
  jobQueue?: string;
  status?: string;
  statusReason?: string;
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  jobDefinition?: string;
  container?: Record<string, unknown>;
  nodeProperties?: { numNodes?: number; mainNode?: number };
  [k: string]: unknown;
}

/** What a simulated job's containers do, given the job's name and its main node's command. */
export type JobBehaviour = (job: { readonly jobName: string; readonly command: readonly string[] }) => {
  /** The main node's exit code. */
  readonly exitCode: number;
  /** What node `index` writes to its log. */
  readonly logs?: (index: number) => readonly string[];
  /** Batch's reason for the failure, when not the container's exit (e.g. an attempt past its timeout). */
  readonly statusReason?: string;
};

/** The nodeProperties of a registered definition (the part the shim reads). */
interface RegisteredNodes {
  readonly nodeRangeProperties?: readonly { readonly container?: { readonly command?: string[] } }[];
}

/** What the shim shows of one submitted job. */
interface ShownJob {
  /** Index into LIFE, or LIFE.length once it shows moto's final status. */
  step: number;
  terminated?: string;
  /** How its containers ended, decided when it ends (a JobBehaviour was given). */
  outcome?: ReturnType<JobBehaviour>;
}

const lastSegment = (nameOrArn: string) => nameOrArn.split('/').at(-1) ?? nameOrArn;

/** A stable stand-in for the ECS task id in a node's log stream name. */
const taskId = (nodeJobId: string) => createHash('sha256').update(nodeJobId).digest('hex').slice(0, 32);

function json(answer: ShimAnswer): Record<string, unknown> {
  return answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : {};
}

function jsonAnswer(body: unknown): ShimAnswer {
  return { status: 200, contentType: 'application/json', body: JSON.stringify(body) };
}

/** The Batch job corrections, with their own memory of the jobs submitted through the shim. */
export function batchJobCorrections(behaviour: () => JobBehaviour | undefined = () => undefined): Correction {
  const shown = new Map<string, ShownJob>();
  const registered = new Map<string, RegisteredNodes>();

  /** `job` as AWS would show it now (status, reason, times). */
  const present = (job: MotoJob): MotoJob => {
    const s = shown.get(job.jobId);
    if (!s) return job;
    if (s.terminated !== undefined) {
      return { ...job, status: 'FAILED', statusReason: s.terminated, container: {} };
    }
    if (s.step >= LIFE.length && s.outcome && s.outcome.exitCode !== 0)
      return {
        ...job,
        status: 'FAILED',
        statusReason: s.outcome.statusReason ?? 'Essential container in task exited',
      };
    if (s.step >= LIFE.length) return job;
    const status = LIFE[s.step]!;
    const started = s.step >= LIFE.indexOf('RUNNING');
    const { stoppedAt: _stopped, startedAt, ...rest } = job;
    return { ...rest, status, container: {}, ...(started && startedAt !== undefined ? { startedAt } : {}) };
  };

  /** The node jobs AWS would list for `parent` (none before its main node starts). */
  const nodeJobs = (parent: MotoJob, wanted: ReadonlySet<string>): MotoJob[] => {
    const numNodes = parent.nodeProperties?.numNodes ?? 0;
    const mainNode = parent.nodeProperties?.mainNode ?? 0;
    const status = parent.status ?? 'SUBMITTED';
    const s = shown.get(parent.jobId);
    const terminated = s?.terminated;
    if (s && s.step < LIFE.indexOf('STARTING')) return [];
    const definitionName = lastSegment(parent.jobDefinition ?? '').split(':')[0] ?? '';
    const out: MotoJob[] = [];
    for (let i = 0; i < numNodes; i++) {
      const jobId = `${parent.jobId}#${i}`;
      if (!wanted.has(jobId)) continue;
      // The main node starts first; the children are launched once it is RUNNING.
      if (i !== mainNode && status === 'STARTING') continue;
      const nodeStatus = i !== mainNode && status === 'RUNNING' ? 'STARTING' : status;
      const running = nodeStatus === 'RUNNING' || ENDED.has(nodeStatus);
      out.push({
        jobId,
        jobArn: `${parent.jobArn ?? ''}#${i}`,
        jobName: parent.jobName ?? '',
        jobQueue: parent.jobQueue ?? '',
        status: nodeStatus,
        ...(parent.createdAt !== undefined ? { createdAt: parent.createdAt } : {}),
        jobDefinition: parent.jobDefinition ?? '',
        nodeDetails: { nodeIndex: i, isMainNode: i === mainNode },
        container: {
          ...(ENDED.has(status) && terminated === undefined && (s?.outcome || status === 'SUCCEEDED')
            ? { exitCode: i === mainNode ? (s?.outcome?.exitCode ?? 0) : 0 }
            : {}),
          ...(running && terminated === undefined
            ? { logStreamName: `${definitionName}/default/${taskId(jobId)}` }
            : {}),
        },
      });
    }
    return out;
  };

  /** The job ends as the behaviour says: its outcome is kept and each node's lines are logged. */
  const end = async (job: MotoJob, s: ShownJob, ctx: CorrectionContext): Promise<void> => {
    const given = behaviour();
    if (!given) return;
    const definition = registered.get(job.jobDefinition ?? '');
    const command = definition?.nodeRangeProperties?.[0]?.container?.command ?? [];
    s.outcome = given({ jobName: job.jobName ?? '', command });
    const definitionName = lastSegment(job.jobDefinition ?? '').split(':')[0] ?? '';
    const logs = (operation: string, body: unknown) =>
      ctx.moto('logs', { json: body, target: `Logs_20140328.${operation}` });
    await logs('CreateLogGroup', { logGroupName: '/aws/batch/job' });
    for (let i = 0; i < (job.nodeProperties?.numNodes ?? 0); i++) {
      const lines = s.outcome.logs?.(i) ?? [];
      if (lines.length === 0) continue;
      const logStreamName = `${definitionName}/default/${taskId(`${job.jobId}#${i}`)}`;
      await logs('CreateLogStream', { logGroupName: '/aws/batch/job', logStreamName });
      const at = Date.now();
      await logs('PutLogEvents', {
        logGroupName: '/aws/batch/job',
        logStreamName,
        logEvents: lines.map((message, k) => ({ timestamp: at + k, message })),
      });
    }
  };

  const describeJobs = async (ids: readonly string[], ctx: CorrectionContext): Promise<ShimAnswer> => {
    const parents = [...new Set(ids.map((id) => id.split('#')[0] ?? id))];
    const answer = await ctx.moto('batch', { path: '/v1/describejobs', json: { jobs: parents } });
    if (answer.status !== 200) return answer;
    const wanted = new Set(ids);
    const jobs: MotoJob[] = [];
    for (const job of (json(answer).jobs ?? []) as MotoJob[]) {
      const s = shown.get(job.jobId);
      if (s && wanted.has(job.jobId) && s.step < LIFE.length) {
        s.step++;
        if (s.step === LIFE.length && s.terminated === undefined) await end(job, s, ctx);
      }
      const now = present(job);
      if (wanted.has(job.jobId) || wanted.has(job.jobArn ?? '')) jobs.push(now);
      jobs.push(...nodeJobs(now, wanted));
    }
    return jsonAnswer({ jobs });
  };

  /** ListJobs as moto answers `request` without a status, the jobs as they are shown now. */
  const listJobs = async (
    request: Record<string, unknown>,
    ctx: CorrectionContext,
  ): Promise<{ answer: ShimAnswer; jobs: MotoJob[] }> => {
    const { jobStatus: _status, ...rest } = request;
    const answer = await ctx.moto('batch', { path: '/v1/listjobs', json: rest });
    if (answer.status !== 200) return { answer, jobs: [] };
    return { answer, jobs: ((json(answer).jobSummaryList ?? []) as MotoJob[]).map(present) };
  };

  return async (call, ctx) => {
    if (call.service !== 'batch') return undefined;
    const p = call.params as Record<string, unknown>;
    switch (call.operation) {
      case 'SubmitJob':
        return {
          reply: (answer) => {
            if (answer.status === 200) {
              const { jobId } = json(answer) as { jobId?: string };
              if (jobId) shown.set(jobId, { step: 0 });
            }
            return answer;
          },
        };
      case 'DescribeJobs':
        return { answer: await describeJobs((p.jobs ?? []) as string[], ctx) };
      case 'ListJobs': {
        if (p.arrayJobId || p.multiNodeJobId) return undefined;
        const { answer, jobs } = await listJobs(p, ctx);
        if (answer.status !== 200) return { answer };
        // Batch lists RUNNING jobs when no status is asked for, and ignores the status with filters.
        const status = String(p.jobStatus ?? 'RUNNING');
        const listed = p.filters ? jobs : jobs.filter((j) => j.status === status);
        return { answer: jsonAnswer({ jobSummaryList: listed }) };
      }
      case 'TerminateJob': {
        const s = shown.get(String(p.jobId ?? ''));
        return {
          reply: (answer) => {
            if (answer.status === 200 && s && s.step < LIFE.length && s.terminated === undefined)
              s.terminated = String(p.reason ?? '');
            return answer;
          },
        };
      }
      case 'GetJobQueueSnapshot': {
        const { answer, jobs: all } = await listJobs({ jobQueue: p.jobQueue }, ctx);
        if (answer.status !== 200) return { answer };
        const jobs = all
          .filter((j) => j.status === 'RUNNABLE')
          .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
        return {
          answer: jsonAnswer({
            frontOfQueue: {
              jobs: jobs.map((j) => ({ jobArn: j.jobArn, earliestTimeAtPosition: j.createdAt })),
              lastUpdatedAt: Date.now(),
            },
          }),
        };
      }
      case 'RegisterJobDefinition':
        return {
          reply: (answer) => {
            const arn = (json(answer) as { jobDefinitionArn?: string }).jobDefinitionArn;
            if (answer.status === 200 && arn && p.nodeProperties)
              registered.set(arn, p.nodeProperties as RegisteredNodes);
            return answer;
          },
        };
      case 'DescribeJobDefinitions':
        return {
          reply: (answer) => {
            if (answer.status !== 200) return answer;
            const body = json(answer) as { jobDefinitions?: Record<string, unknown>[] };
            for (const d of body.jobDefinitions ?? []) {
              const nodeProperties = registered.get(String(d.jobDefinitionArn));
              if (nodeProperties && !d.nodeProperties) d.nodeProperties = nodeProperties;
            }
            return jsonAnswer(body);
          },
        };
      default:
        return undefined;
    }
  };
}
