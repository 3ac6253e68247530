/**
 * An in-memory AWS Batch (and the CloudWatch Logs streams of its jobs) behind the same
 * BatchApi / LogsApi interfaces the launcher uses. Jobs move through their states along a
 * scripted timeline on a FakeClock. What it mimics and what it does not: fake-batch.md.
 */
import type {
  ComputeEnvironmentDetail,
  FrontOfQueueDetail,
  JobDefinition,
  JobDetail,
  JobQueueDetail,
  JobSummary,
  ListJobsCommandInput,
  RegisterJobDefinitionCommandInput,
  SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { type BatchApi, DESCRIBE_JOBS_MAX, type RegisteredJobDefinition } from '../../../src/aws/batch.js';
import { awsError } from '../../../src/aws/errors.js';
import type { LogPage, LogsApi } from '../../../src/aws/logs.js';
import type { JobStatus } from '../../../src/jobs/job-view.js';
import { assertValidRequest, assertValidResponse } from '../aws-model.js';
import type { FakeClock } from '../fake-clock.js';

/** One step of a job's life, `at` seconds after SubmitJob. */
export type TimelineEvent =
  | { readonly at: number; readonly job: 'PENDING' | 'RUNNABLE' }
  /** The whole job fails without any exit code (e.g. host terminated, timeout before start). */
  | { readonly at: number; readonly job: 'FAILED'; readonly reason: string }
  | { readonly at: number; readonly node: number; readonly status: 'STARTING' | 'RUNNING' }
  | { readonly at: number; readonly node: number; readonly exit: number; readonly reason?: string }
  | { readonly at: number; readonly node: number; readonly log: readonly string[] };

/** A job that starts, runs `runFor` seconds and exits with `exitCodes[i]` on node i (main last). */
export function happyTimeline(
  numNodes: number,
  options: { exitCodes?: readonly number[]; runFor?: number } = {},
): TimelineEvent[] {
  const runFor = options.runFor ?? 60;
  const events: TimelineEvent[] = [
    { at: 1, job: 'PENDING' },
    { at: 3, job: 'RUNNABLE' },
    { at: 20, node: 0, status: 'STARTING' },
    { at: 30, node: 0, status: 'RUNNING' },
  ];
  for (let i = 1; i < numNodes; i++) {
    events.push({ at: 35, node: i, status: 'STARTING' }, { at: 45, node: i, status: 'RUNNING' });
  }
  for (let i = numNodes - 1; i >= 0; i--) {
    const code = options.exitCodes?.[i] ?? 0;
    events.push({ at: 45 + runFor + (i === 0 ? 5 : 0), node: i, exit: code });
  }
  return events;
}

interface FakeNode {
  status: JobStatus;
  exitCode?: number;
  reason?: string;
  logStreamName?: string;
}

interface FakeJob {
  readonly detail: JobDetail;
  readonly submittedAt: number;
  readonly timeline: readonly TimelineEvent[];
  applied: number;
  created: boolean;
  readonly nodes: FakeNode[];
  readonly mainNode: number;
  readonly logGroup: string;
}

export interface FakeBatchOptions {
  readonly clock: FakeClock;
  readonly region?: string;
  readonly queues?: readonly JobQueueDetail[];
  readonly computeEnvironments?: readonly ComputeEnvironmentDetail[];
  /** Timeline of every submitted job, by job name (default: happyTimeline with exit 0). */
  readonly timelines?: Readonly<Record<string, readonly TimelineEvent[]>>;
}

type Op =
  | 'RegisterJobDefinition'
  | 'DescribeJobDefinitions'
  | 'SubmitJob'
  | 'DescribeJobs'
  | 'ListJobs'
  | 'TerminateJob'
  | 'DescribeJobQueues'
  | 'DescribeComputeEnvironments'
  | 'GetJobQueueSnapshot'
  | 'GetLogEvents';

const TERMINAL = new Set<JobStatus>(['SUCCEEDED', 'FAILED']);

/**
 * Each answer of the fake as the service sends it on the wire, for the model check: the fake's
 * methods return what the adapter returns (a list, a page), the check needs the response.
 */
const WIRE: Readonly<Record<string, (result: never) => [Op, object]>> = {
  registerJobDefinition: (r: object) => ['RegisterJobDefinition', r],
  describeJobDefinitions: (r: unknown[]) => ['DescribeJobDefinitions', { jobDefinitions: r }],
  submitJob: (r: object) => ['SubmitJob', r],
  describeJobs: (r: unknown[]) => ['DescribeJobs', { jobs: r }],
  listJobs: (r: unknown[]) => ['ListJobs', { jobSummaryList: r }],
  describeJobQueues: (r: unknown[]) => ['DescribeJobQueues', { jobQueues: r }],
  describeComputeEnvironments: (r: unknown[]) => ['DescribeComputeEnvironments', { computeEnvironments: r }],
  getJobQueueSnapshot: (r: object) => ['GetJobQueueSnapshot', { frontOfQueue: r }],
};

export class FakeBatch implements BatchApi {
  /** Every request, in order, as the SDK would have sent it. */
  readonly calls: { op: Op; input: unknown; at: number }[] = [];
  private readonly definitions = new Map<string, JobDefinition[]>();
  private readonly jobs = new Map<string, FakeJob>();
  private readonly failures: { op: Op; name: string; message: string }[] = [];
  private readonly logStreams = new Map<string, { timestamp: number; message: string }[]>();
  private nextId = 1;

  constructor(private readonly options: FakeBatchOptions) {
    // Every answer is held to the service model, as every request is (record).
    // biome-ignore lint/correctness/noConstructorReturn: the fake is its own checked proxy
    return new Proxy(this, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        const wire = typeof prop === 'string' ? WIRE[prop] : undefined;
        if (typeof value !== 'function' || !wire) return value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<never>).apply(receiver, args);
          const [op, response] = wire(result);
          assertValidResponse('batch', op, response);
          return result;
        };
      },
    });
  }

  /** The next call of `op` fails with the SDK error `name` (e.g. ThrottlingException). */
  failNext(op: Op, name: string, message = `${name} (fake)`): void {
    this.failures.push({ op, name, message });
  }

  /** The CloudWatch Logs side of the fake. */
  readonly logs: LogsApi = {
    getLogEvents: async (input) => {
      this.record('GetLogEvents', 'logs', { ...input, startFromHead: true });
      const events = this.logStreams.get(`${input.logGroupName}|${input.logStreamName}`);
      if (!events) {
        throw awsError(
          Object.assign(new Error('The specified log stream does not exist.'), {
            name: 'ResourceNotFoundException',
          }),
          {
            service: 'logs',
            operation: 'GetLogEvents',
          },
        );
      }
      const from = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
      const page = events.slice(from, from + 3); // small pages, so paging is exercised
      const result: LogPage = { events: page, nextForwardToken: `f/${from + page.length}` };
      assertValidResponse('logs', 'GetLogEvents', result);
      return result;
    },
  };

  /** When job `jobId` was submitted (fake clock time). */
  submittedAt(jobId: string): number {
    return this.jobs.get(jobId)?.submittedAt ?? Number.NaN;
  }

  // ---- BatchApi ----

  async region(): Promise<string> {
    return this.options.region ?? 'eu-west-1';
  }

  async registerJobDefinition(input: RegisterJobDefinitionCommandInput): Promise<RegisteredJobDefinition> {
    this.record('RegisterJobDefinition', 'batch', input);
    const name = input.jobDefinitionName!;
    const revisions = this.definitions.get(name) ?? [];
    const revision = revisions.length + 1;
    const jobDefinitionArn = `arn:aws:batch:eu-west-1:123456789012:job-definition/${name}:${revision}`;
    revisions.push(echoDefinition(input, jobDefinitionArn, revision));
    this.definitions.set(name, revisions);
    return { jobDefinitionName: name, jobDefinitionArn, revision };
  }

  async describeJobDefinitions(input: { jobDefinitionName: string; status: 'ACTIVE' | 'INACTIVE' }) {
    this.record('DescribeJobDefinitions', 'batch', input);
    return (this.definitions.get(input.jobDefinitionName) ?? []).filter((d) => d.status === input.status);
  }

  async submitJob(input: SubmitJobCommandInput) {
    this.record('SubmitJob', 'batch', input);
    const [name, rev] = (input.jobDefinition ?? '').split(':');
    const revisions = this.definitions.get(name ?? '') ?? [];
    const def = rev ? revisions.find((d) => d.revision === Number(rev)) : revisions.at(-1);
    if (!def?.nodeProperties) {
      throw awsError(Object.assign(new Error('Job definition not found'), { name: 'ClientException' }), {
        service: 'batch',
        operation: 'SubmitJob',
      });
    }
    const jobId = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
    const numNodes = input.nodeOverrides?.numNodes ?? def.nodeProperties.numNodes ?? 1;
    const mainNode = def.nodeProperties.mainNode ?? 0;
    const queue = this.options.queues?.find(
      (q) => q.jobQueueName === input.jobQueue || q.jobQueueArn === input.jobQueue,
    );
    const container = def.nodeProperties.nodeRangeProperties?.[0]?.container;
    const detail: JobDetail = {
      jobArn: `arn:aws:batch:eu-west-1:123456789012:job/${jobId}`,
      jobId,
      jobName: input.jobName,
      jobQueue: queue?.jobQueueArn ?? input.jobQueue,
      status: 'SUBMITTED',
      createdAt: this.options.clock.now(),
      startedAt: undefined,
      jobDefinition: def.jobDefinitionArn,
      nodeProperties: { ...def.nodeProperties, numNodes },
      tags: { ...(def.propagateTags ? def.tags : {}), ...input.tags },
    };
    this.jobs.set(jobId, {
      detail,
      submittedAt: this.options.clock.now(),
      timeline: [...(this.options.timelines?.[input.jobName ?? ''] ?? happyTimeline(numNodes))].sort(
        (a, b) => a.at - b.at,
      ),
      applied: 0,
      created: false,
      nodes: Array.from({ length: numNodes }, () => ({ status: 'SUBMITTED' as JobStatus })),
      mainNode,
      logGroup: container?.logConfiguration?.options?.['awslogs-group'] ?? '/aws/batch/job',
    });
    return { jobId, jobName: input.jobName ?? '', jobArn: detail.jobArn! };
  }

  async describeJobs(jobIds: readonly string[]): Promise<JobDetail[]> {
    for (let i = 0; i < jobIds.length; i += DESCRIBE_JOBS_MAX) {
      this.record('DescribeJobs', 'batch', { jobs: jobIds.slice(i, i + DESCRIBE_JOBS_MAX) });
    }
    const out: JobDetail[] = [];
    for (const id of jobIds) {
      const [parentId, index] = id.split('#');
      const job = this.jobs.get(parentId ?? '');
      if (!job) continue;
      this.advance(job);
      if (index === undefined) out.push(this.parentDetail(job));
      else if (job.created && Number(index) < job.nodes.length) out.push(this.nodeDetail(job, Number(index)));
    }
    return out;
  }

  async listJobs(input: ListJobsCommandInput): Promise<JobSummary[]> {
    this.record('ListJobs', 'batch', input);
    const name = input.filters?.find((f) => f.name === 'JOB_NAME')?.values?.[0];
    const status = input.filters ? undefined : (input.jobStatus ?? 'RUNNING');
    return [...this.jobs.values()]
      .map((j) => {
        this.advance(j);
        return this.parentDetail(j);
      })
      .filter(
        (d) =>
          this.inQueue(d, input.jobQueue) &&
          (!name || d.jobName === name) &&
          (!status || d.status === status),
      )
      .map((d) => ({
        jobId: d.jobId,
        jobName: d.jobName,
        status: d.status,
        createdAt: d.createdAt,
        jobArn: d.jobArn,
      }));
  }

  async terminateJob(input: { jobId: string; reason: string }): Promise<void> {
    this.record('TerminateJob', 'batch', input);
    const job = this.jobs.get(input.jobId);
    if (!job) return;
    this.advance(job);
    if (TERMINAL.has(job.detail.status as JobStatus)) return;
    job.detail.status = 'FAILED';
    job.detail.statusReason = input.reason;
    job.detail.stoppedAt = this.options.clock.now();
    for (const n of job.nodes) {
      if (TERMINAL.has(n.status)) continue;
      n.status = 'FAILED';
      n.reason = input.reason;
    }
  }

  async describeJobQueues(names: readonly string[] = []): Promise<JobQueueDetail[]> {
    this.record('DescribeJobQueues', 'batch', names.length > 0 ? { jobQueues: [...names] } : {});
    const queues = this.options.queues ?? [];
    return names.length === 0
      ? [...queues]
      : queues.filter((q) => names.includes(q.jobQueueName!) || names.includes(q.jobQueueArn!));
  }

  async describeComputeEnvironments(names: readonly string[]): Promise<ComputeEnvironmentDetail[]> {
    this.record('DescribeComputeEnvironments', 'batch', { computeEnvironments: [...names] });
    return (this.options.computeEnvironments ?? []).filter(
      (c) => names.includes(c.computeEnvironmentName!) || names.includes(c.computeEnvironmentArn!),
    );
  }

  async getJobQueueSnapshot(jobQueue: string): Promise<FrontOfQueueDetail> {
    this.record('GetJobQueueSnapshot', 'batch', { jobQueue });
    const runnable = [...this.jobs.values()]
      .filter((j) => j.detail.status === 'RUNNABLE' && this.inQueue(j.detail, jobQueue))
      .sort((a, b) => a.submittedAt - b.submittedAt);
    return {
      jobs: runnable.map((j) => ({ jobArn: j.detail.jobArn!, earliestTimeAtPosition: j.submittedAt })),
      lastUpdatedAt: this.options.clock.now(),
    };
  }

  // ---- the state machine ----

  private record(op: Op, service: 'batch' | 'logs', input: unknown): void {
    assertValidRequest(service, op, input);
    this.calls.push({ op, input, at: this.options.clock.now() });
    const i = this.failures.findIndex((f) => f.op === op);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw awsError(Object.assign(new Error(f!.message), { name: f!.name }), { service, operation: op });
    }
  }

  private inQueue(d: JobDetail, queue: string | undefined): boolean {
    if (!queue) return true;
    const q = this.options.queues?.find((x) => x.jobQueueName === queue || x.jobQueueArn === queue);
    return d.jobQueue === queue || d.jobQueue === q?.jobQueueArn;
  }

  /** Applies the timeline up to now. */
  private advance(job: FakeJob): void {
    const elapsed = (this.options.clock.now() - job.submittedAt) / 1000;
    while (job.applied < job.timeline.length && job.timeline[job.applied]!.at <= elapsed) {
      const event = job.timeline[job.applied++]!;
      if (TERMINAL.has(job.detail.status as JobStatus)) continue; // ended (or terminated): nothing more happens
      this.apply(job, event);
    }
  }

  private apply(job: FakeJob, event: TimelineEvent): void {
    const d = job.detail;
    const now = this.options.clock.now();
    if ('job' in event) {
      d.status = event.job;
      if (event.job === 'RUNNABLE') job.created = true;
      for (const n of job.nodes) if (!TERMINAL.has(n.status)) n.status = event.job;
      if (event.job === 'FAILED') {
        d.statusReason = event.reason;
        d.stoppedAt = now;
        for (const n of job.nodes) n.reason ??= event.reason;
      }
      return;
    }
    const node = job.nodes[event.node]!;
    const isMain = event.node === job.mainNode;
    if ('log' in event) {
      if (!node.logStreamName) return;
      // CloudWatch creates the stream with its first event, some time after Batch names it.
      const key = `${job.logGroup}|${node.logStreamName}`;
      const stream = this.logStreams.get(key) ?? [];
      stream.push(...event.log.map((message) => ({ timestamp: now, message })));
      this.logStreams.set(key, stream);
      return;
    }
    if ('status' in event) {
      node.status = event.status;
      if (event.status === 'RUNNING') {
        node.logStreamName = `${d.jobDefinition?.split('/').at(-1)?.split(':')[0]}/default/${d.jobId?.slice(-6)}n${event.node}`;
      }
      if (isMain) {
        d.status = event.status;
        if (event.status === 'RUNNING') d.startedAt = now;
      }
      return;
    }
    node.status = event.exit === 0 ? 'SUCCEEDED' : 'FAILED';
    node.exitCode = event.exit;
    node.reason = event.reason ?? 'Essential container in task exited';
    if (isMain) {
      // The job ends with its main node; Batch stops the nodes still running.
      d.status = node.status;
      d.statusReason = 'Essential container in task exited';
      d.stoppedAt = now;
      for (const other of job.nodes) {
        if (TERMINAL.has(other.status)) continue;
        other.status = 'FAILED';
        other.reason = 'Stopped: the main node exited';
      }
    }
  }

  private parentDetail(job: FakeJob): JobDetail {
    return structuredClone(job.detail);
  }

  private nodeDetail(job: FakeJob, index: number): JobDetail {
    const n = job.nodes[index]!;
    const range = job.detail.nodeProperties?.nodeRangeProperties?.[0]?.container;
    return {
      jobId: `${job.detail.jobId}#${index}`,
      jobName: job.detail.jobName,
      jobQueue: job.detail.jobQueue,
      jobDefinition: job.detail.jobDefinition,
      status: n.status,
      startedAt: undefined,
      nodeDetails: { nodeIndex: index, isMainNode: index === job.mainNode },
      container: {
        ...(range?.logConfiguration ? { logConfiguration: range.logConfiguration } : {}),
        ...(n.exitCode !== undefined ? { exitCode: n.exitCode } : {}),
        ...(n.reason ? { reason: n.reason } : {}),
        ...(n.logStreamName ? { logStreamName: n.logStreamName } : {}),
      },
    };
  }
}

/** A registered definition as DescribeJobDefinitions returns it: the request plus Batch's own fields and empty lists. */
function echoDefinition(
  input: RegisterJobDefinitionCommandInput,
  arn: string,
  revision: number,
): JobDefinition {
  const copy = structuredClone(input) as JobDefinition;
  for (const r of copy.nodeProperties?.nodeRangeProperties ?? []) {
    if (!r.container) continue;
    r.container.volumes ??= [];
    r.container.mountPoints ??= [];
    r.container.ulimits ??= [];
    r.container.secrets ??= [];
    r.container.environment ??= [];
  }
  return {
    ...copy,
    jobDefinitionName: input.jobDefinitionName,
    jobDefinitionArn: arn,
    revision,
    status: 'ACTIVE',
    type: input.type,
    containerOrchestrationType: 'ECS',
    parameters: copy.parameters ?? {},
  };
}
