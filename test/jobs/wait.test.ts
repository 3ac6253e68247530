import { describe, expect, it } from 'vitest';
import { LAUNCHER_EXIT } from '../../src/jobs/exit-codes.js';
import { submitPlan } from '../../src/jobs/submit.js';
import { waitForJob } from '../../src/jobs/wait.js';
import { memoryOutput } from '../../src/ui/output.js';
import { FakeBatch, happyTimeline, type TimelineEvent } from '../_helpers/fake-batch/fake-batch.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { computeEnvironment, plannedJob, QUEUE } from './_fixtures.js';

function setup(
  timeline?: TimelineEvent[],
  options: { tty?: boolean; ce?: Parameters<typeof computeEnvironment> } = {},
) {
  const clock = new FakeClock();
  const batch = new FakeBatch({
    clock,
    queues: [QUEUE],
    computeEnvironments: [computeEnvironment(...(options.ce ?? []))],
    ...(timeline ? { timelines: { 'hello-mpi': timeline } } : {}),
  });
  const output = { ...memoryOutput(), isTty: options.tty ?? false };
  const mem = output;
  const abort = new AbortController();
  const deps = { batch, logs: batch.logs, output, clock, signal: abort.signal };
  return { clock, batch, output: mem, abort, deps };
}

describe('submit --wait against the fake Batch', () => {
  it('prints a plain line per change and exits 0 when the job succeeds', async () => {
    // given a 4-node job that runs and succeeds
    const { deps, output } = setup();
    // when submitted with --wait
    const code = await submitPlan(deps, plannedJob(), { wait: true });
    // then every state change a poll saw is printed once, and the summary names each node
    expect(code).toBe(0);
    const lines = output.stderr.filter((l) => l.startsWith('hello-mpi '));
    expect(lines).toEqual([
      'hello-mpi SUBMITTED · nodes SUBMITTED 4',
      'hello-mpi PENDING · nodes PENDING 4',
      'hello-mpi RUNNABLE · nodes RUNNABLE 4',
      'hello-mpi STARTING · nodes STARTING 1 · RUNNABLE 3',
      'hello-mpi RUNNING · nodes RUNNING 1 · STARTING 3',
      'hello-mpi RUNNING · nodes RUNNING 4',
      'hello-mpi RUNNING · nodes SUCCEEDED 3 · RUNNING 1',
      'hello-mpi SUCCEEDED (Essential container in task exited) · nodes SUCCEEDED 4',
    ]);
    expect(output.stderr).toContain(
      '  node 0 (main): SUCCEEDED, exit 0 (success) — Essential container in task exited',
    );
  });

  it('describes the job and all its nodes with one DescribeJobs call per poll', async () => {
    const { deps, batch } = setup();
    await submitPlan(deps, plannedJob(), { wait: true });
    const describes = batch.calls.filter((c) => c.op === 'DescribeJobs');
    expect(describes.length).toBeGreaterThan(3);
    for (const c of describes) {
      const jobs = (c.input as { jobs: string[] }).jobs;
      expect(jobs).toHaveLength(5);
      expect(jobs.slice(1).every((id, i) => id === `${jobs[0]}#${i}`)).toBe(true);
    }
  });

  it('polls with a backoff from 2 s up to 15 s while nothing changes', async () => {
    const { deps, batch } = setup(happyTimeline(4, { runFor: 600 }));
    await submitPlan(deps, plannedJob(), { wait: true });
    const times = batch.calls.filter((c) => c.op === 'DescribeJobs').map((c) => c.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBe(2000);
    expect(Math.max(...gaps)).toBe(15_000);
  });

  it('returns the main node exit code and prints every node when a child node fails', async () => {
    // given node 2 dies with 137 and the agent on the main node then exits with 204 (node lost)
    const timeline: TimelineEvent[] = [
      ...happyTimeline(4).filter((e) => !('exit' in e)),
      { at: 80, node: 2, exit: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
      { at: 85, node: 0, exit: 204 },
    ];
    const { deps, output } = setup(timeline);
    const code = await submitPlan(deps, plannedJob(), { wait: true });
    expect(code).toBe(204);
    expect(output.stderr).toContain(
      '  node 2: FAILED, exit 137 (killed (SIGKILL, often out of memory)) — OutOfMemoryError: Container killed due to memory usage',
    );
    expect(output.stderr).toContain(
      '  node 0 (main): FAILED, exit 204 (a child node was lost mid-run) — Essential container in task exited',
    );
    expect(output.stderr).toContain('  node 1: FAILED, no exit code — Stopped: the main node exited');
  });

  it('exits with the launcher code when the job failed without an exit code', async () => {
    const timeline: TimelineEvent[] = [
      { at: 1, job: 'PENDING' },
      { at: 3, job: 'RUNNABLE' },
      { at: 40, job: 'FAILED', reason: 'Host EC2 (instance i-0abc) terminated.' },
    ];
    const { deps, output } = setup(timeline);
    const code = await submitPlan(deps, plannedJob(), { wait: true });
    expect(code).toBe(LAUNCHER_EXIT.failedWithoutExitCode);
    expect(output.stderr).toContain(
      'job hello-mpi (00000000-0000-4000-8000-000000000001) FAILED: Host EC2 (instance i-0abc) terminated.',
    );
    expect(output.stderr).toContain(
      `the job failed without an exit code; mnbatch exits with ${LAUNCHER_EXIT.failedWithoutExitCode}`,
    );
  });

  it('says once why a job stays RUNNABLE', async () => {
    // given a compute environment capped at 8 vCPUs and a job that needs 4 × 4
    const timeline: TimelineEvent[] = [
      { at: 1, job: 'PENDING' },
      { at: 3, job: 'RUNNABLE' },
      { at: 400, job: 'FAILED', reason: 'Terminated by user' },
    ];
    const { deps, output } = setup(timeline, { ce: [{}, { maxvCpus: 8 }] });
    await submitPlan(deps, plannedJob(), { wait: true });
    const diagnosis = output.stderr.filter((l) => l.includes('likely cause'));
    expect(diagnosis).toHaveLength(1);
    const seconds = Number(
      /^hello-mpi has been RUNNABLE for (\d+)s; likely cause:$/.exec(diagnosis[0] ?? '')?.[1],
    );
    expect(seconds).toBeGreaterThanOrEqual(60);
    expect(seconds).toBeLessThan(60 + 15);
    expect(output.stderr).toContain(
      '  - compute environment mpi-ce allows at most 8 vCPUs; the job needs at least 16 (4 nodes × 4 vCPUs): raise maxvCpus',
    );
  });

  it("judges the compute environment's instance types by EC2's facts when it can ask", async () => {
    const timeline: TimelineEvent[] = [
      { at: 1, job: 'PENDING' },
      { at: 3, job: 'RUNNABLE' },
      { at: 400, job: 'FAILED', reason: 'Terminated by user' },
    ];
    // given a compute environment of family c5, which EC2 says comes only as c5.large (2 vCPUs)
    const { deps, output } = setup(timeline);
    const asked: string[][] = [];
    const instanceFacts = async (entries: readonly string[]) => {
      asked.push([...entries]);
      return new Map([['c5.large', { vcpus: 2, memoryMiB: 4096, gpus: 0 }]]);
    };
    await submitPlan({ ...deps, instanceFacts }, plannedJob(), { wait: true });
    expect(asked).toEqual([['c5', 'c5.xlarge']]);
    expect(output.stderr).toContain(
      '  - each node asks for 4 vCPUs, more than any instance type of mpi-ce offers (largest: c5.large with 2)',
    );
  });

  it('puts the queue snapshot into the diagnosis, and does without it when it is denied', async () => {
    const timeline: TimelineEvent[] = [
      { at: 1, job: 'PENDING' },
      { at: 3, job: 'RUNNABLE' },
      { at: 400, job: 'FAILED', reason: 'Terminated by user' },
    ];
    // given a setup that looks right and the job alone in the queue
    const alone = setup(timeline);
    await submitPlan(alone.deps, plannedJob(), { wait: true });
    expect(alone.batch.calls.filter((c) => c.op === 'GetJobQueueSnapshot')).toHaveLength(1);
    expect(alone.output.stderr.some((l) => l.includes('it is at the head of queue mpi-queue'))).toBe(true);
    // given a policy without batch:GetJobQueueSnapshot
    const denied = setup(timeline);
    denied.batch.failNext('GetJobQueueSnapshot', 'AccessDeniedException');
    expect(await submitPlan(denied.deps, plannedJob(), { wait: true })).toBe(
      LAUNCHER_EXIT.failedWithoutExitCode,
    );
    const causes = denied.output.stderr.filter((l) => l.startsWith('  - '));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(
      /look able to run the job: compute environment mpi-ce wants 0 of at most 256 vCPUs/,
    );
  });

  it('keeps polling when a poll is throttled', async () => {
    const { deps, batch } = setup();
    batch.failNext('DescribeJobs', 'ThrottlingException', 'Rate exceeded');
    const code = await submitPlan(deps, plannedJob(), { wait: true });
    expect(code).toBe(0);
  });

  it('detaches on Ctrl-C, says how to reattach and exits 130 without terminating the job', async () => {
    const { deps, batch, clock, abort, output } = setup(happyTimeline(4, { runFor: 3600 }));
    clock.after(120_000, () => abort.abort());
    const code = await submitPlan(deps, plannedJob(), { wait: true });
    expect(code).toBe(130);
    expect(batch.calls.some((c) => c.op === 'TerminateJob')).toBe(false);
    expect(output.stderr).toContain('  mnbatch status 00000000-0000-4000-8000-000000000001 --wait');
    expect(output.stderr).toContain('  mnbatch logs 00000000-0000-4000-8000-000000000001 --follow');
  });

  it('terminates the job on Ctrl-C with --cancel-on-interrupt', async () => {
    const { deps, batch, clock, abort } = setup(happyTimeline(4, { runFor: 3600 }));
    clock.after(120_000, () => abort.abort());
    const code = await submitPlan(deps, plannedJob(), { wait: true, cancelOnInterrupt: true });
    expect(code).toBe(130);
    const terminate = batch.calls.find((c) => c.op === 'TerminateJob');
    expect(terminate?.input).toEqual({
      jobId: '00000000-0000-4000-8000-000000000001',
      reason: 'Cancelled by mnbatch (interrupted with --cancel-on-interrupt)',
    });
    const [job] = await batch.describeJobs(['00000000-0000-4000-8000-000000000001']);
    expect(job?.status).toBe('FAILED');
  });

  it('redraws one status line on a terminal', async () => {
    const { deps, output } = setup(undefined, { tty: true });
    await submitPlan(deps, plannedJob(), { wait: true });
    const redraw = '\x1b[1A\x1b[2K'; // cursor up one line, clear it
    const redraws = output.stdout.filter((l) => l.startsWith(`${redraw}hello-mpi `));
    expect(redraws.length).toBeGreaterThan(5);
    // the time in state ticks every second between polls
    expect(redraws.some((l) => l.includes('hello-mpi RUNNING for 1m05s · nodes RUNNING 4'))).toBe(true);
    expect(output.stdout.at(-1)?.startsWith(redraw)).toBe(true);
    expect(output.stdout.at(-1)?.slice(redraw.length)).toMatch(
      /^hello-mpi SUCCEEDED for \ds · nodes SUCCEEDED 4$/,
    );
  });

  it('streams the main node log with --follow and still exits with the job code', async () => {
    const timeline: TimelineEvent[] = [
      ...happyTimeline(2, { exitCodes: [3, 0] }),
      { at: 31, node: 0, log: ['rank 0 on ip-10-0-0-1', 'rank 1 on ip-10-0-0-2'] },
      { at: 60, node: 0, log: ['allreduce ok', 'a', 'b', 'c', 'd'] },
      { at: 60, node: 1, log: ['child log is not followed'] },
    ];
    const { deps, output, batch } = setup(timeline);
    const code = await submitPlan(deps, plannedJob({ nodes: 2 }), { follow: true });
    expect(code).toBe(3);
    expect(output.stdout.filter((l) => !l.startsWith('submitted') && !l.startsWith('https://'))).toEqual([
      'rank 0 on ip-10-0-0-1',
      'rank 1 on ip-10-0-0-2',
      'allreduce ok',
      'a',
      'b',
      'c',
      'd',
    ]);
    // the token bucket (2 a second, bursts of 2) keeps any second under 5 reads: CloudWatch allows 10
    const reads = batch.calls.filter((c) => c.op === 'GetLogEvents').map((c) => c.at);
    expect(reads.length).toBeGreaterThan(3);
    for (const t of reads) expect(reads.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(4);
  });

  it('waits quietly while the log stream does not exist yet', async () => {
    // given a main node that runs from 30 s but writes its first line only at 90 s
    const timeline: TimelineEvent[] = [...happyTimeline(2), { at: 90, node: 0, log: ['late hello'] }];
    const { deps, batch, output } = setup(timeline);
    const { jobId } = await submitAndForget(deps);
    // when following its log
    const code = await waitForJob(deps, jobId, { follow: true, showProgress: false });
    // then reads before 90 s found no stream, nothing was said about it, and the line came through
    const reads = batch.calls.filter((c) => c.op === 'GetLogEvents');
    expect(reads.filter((c) => c.at < batch.submittedAt(jobId) + 90_000).length).toBeGreaterThan(5);
    expect(code).toBe(0);
    expect(output.stdout).toEqual(['late hello']);
    expect(output.stderr.filter((l) => /exist|error/i.test(l))).toEqual([]);
  });
});

async function submitAndForget(deps: ReturnType<typeof setup>['deps']) {
  const plan = plannedJob({ nodes: 2 });
  await deps.batch.registerJobDefinition(plan.registerJobDefinition);
  return deps.batch.submitJob({ ...plan.submitJob, jobDefinition: `${plan.jobDefinitionName}:1` });
}
