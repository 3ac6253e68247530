import {
  BatchClient,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  type DescribeJobsCommandInput,
  ListJobsCommand,
  type ListJobsCommandInput,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { createBatch } from '../../src/aws/batch.js';
import { createLogs } from '../../src/aws/logs.js';
import { exec } from '../../src/cli/cli.js';
import { LAUNCHER_EXIT } from '../../src/jobs/exit-codes.js';
import { showLogs } from '../../src/jobs/show-logs.js';
import { memoryOutput } from '../../src/ui/output.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { sdkError, sdkMock } from '../_helpers/sdk-mock.js';
import { QUEUE } from './_fixtures.js';
import { describeAnswer, JOB_ID, type JobState, nodes } from './_mock-jobs.js';

const batchMock = sdkMock(BatchClient, 'batch');
const logsMock = sdkMock(CloudWatchLogsClient, 'logs');

const REGION = ['--region', 'eu-west-1'];
const STREAM = 'hello-mpi-abc/default/0123456789abcdef';

function jobIs(state: JobState) {
  batchMock
    .on(DescribeJobsCommand)
    .callsFake((input: DescribeJobsCommandInput) => ({ jobs: describeAnswer(input.jobs ?? [], state) }));
}

const running: JobState = {
  status: 'RUNNING',
  nodes: [{ status: 'RUNNING', logStreamName: STREAM }, { status: 'RUNNING' }, { status: 'STARTING' }],
};

async function run(...argv: string[]) {
  const output = memoryOutput();
  const code = await exec([...argv, ...REGION], { output, env: {} });
  return { code, output };
}

describe('mnbatch status', () => {
  it('takes a node job id (<job id>#<n>) as its multi-node job', async () => {
    jobIs(running);
    const { code, output } = await run('status', `${JOB_ID}#1`);
    expect(code).toBe(0);
    expect(output.stdout).toContain(`job        hello-mpi (${JOB_ID})`);
    expect(batchMock).not.toHaveReceivedCommand(ListJobsCommand);
  });

  it('shows the job and each node', async () => {
    jobIs({
      status: 'FAILED',
      statusReason: 'Essential container in task exited',
      nodes: [
        {
          status: 'FAILED',
          exitCode: 1,
          reason: 'Essential container in task exited',
          logStreamName: STREAM,
        },
        { status: 'FAILED', exitCode: 205 },
      ],
    });
    const { code, output } = await run('status', JOB_ID);
    expect(code).toBe(0);
    expect(output.stdout).toContain(`job        hello-mpi (${JOB_ID})`);
    expect(output.stdout).toContain('status     FAILED — Essential container in task exited');
    expect(output.stdout).toContain(`0*    FAILED     1     Essential container in task exited · ${STREAM}`);
    expect(output.stdout).toContain('1     FAILED     205');
    // the parent first (to learn the node count), then its nodes
    expect(batchMock).toHaveReceivedNthCommandWith(DescribeJobsCommand, 1, { jobs: [JOB_ID] });
    expect(batchMock).toHaveReceivedNthCommandWith(DescribeJobsCommand, 2, {
      jobs: [`${JOB_ID}#0`, `${JOB_ID}#1`],
    });
  });

  it('--json prints the job view', async () => {
    jobIs(running);
    const { output } = await run('status', JOB_ID, '--json');
    const view = JSON.parse(output.stdout.join('\n'));
    expect(view).toMatchObject({ jobId: JOB_ID, status: 'RUNNING', numNodes: 3, mainNode: 0 });
    expect(view.nodes.map((n: { status: string }) => n.status)).toEqual(['RUNNING', 'RUNNING', 'STARTING']);
  });

  it('finds the most recent job of a name with ListJobs in the given queue', async () => {
    batchMock.on(ListJobsCommand).resolves({
      jobSummaryList: [
        { jobId: '99999999-2222-4333-8444-555555555555', jobName: 'hello-mpi', createdAt: 1 },
        { jobId: JOB_ID, jobName: 'hello-mpi', createdAt: 2 },
      ],
    });
    jobIs(running);
    const { code } = await run('status', 'hello-mpi', '--queue', 'mpi-queue');
    expect(code).toBe(0);
    expect(batchMock).toHaveReceivedCommandWith(ListJobsCommand, {
      jobQueue: 'mpi-queue',
      filters: [{ name: 'JOB_NAME', values: ['hello-mpi'] }],
    });
    expect(batchMock).toHaveReceivedNthCommandWith(DescribeJobsCommand, 1, { jobs: [JOB_ID] });
  });

  it('without --queue looks in the queues of mnbatch stacks and says when the name is not there', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({
      jobQueues: [QUEUE, { ...QUEUE, jobQueueName: 'someone-elses', tags: {} }],
    });
    batchMock.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    const { code, output } = await run('status', 'hello-mpi');
    expect(code).toBe(1);
    expect(batchMock).toHaveReceivedCommandTimes(ListJobsCommand, 1);
    expect(output.stderr).toEqual([
      'error: no job named hello-mpi in queue mpi-queue',
      '  if the job ran in another queue, pass --queue QUEUE (without it mnbatch looks in the queues of mnbatch stacks)',
    ]);
  });

  it('says when the job does not exist', async () => {
    batchMock.on(DescribeJobsCommand).resolves({ jobs: [] });
    const { code, output } = await run('status', JOB_ID);
    expect(code).toBe(1);
    expect(output.stderr[0]).toBe(
      `error: job ${JOB_ID} not found (Batch forgets jobs some days after they end)`,
    );
  });
});

describe('mnbatch cancel', () => {
  it('terminates a job that has not ended, with the given reason', async () => {
    jobIs({ status: 'RUNNABLE', nodes: nodes(2, 'RUNNABLE') });
    batchMock.on(TerminateJobCommand).resolves({});
    const { code, output } = await run('cancel', JOB_ID, '--reason', 'wrong input');
    expect(code).toBe(0);
    expect(batchMock).toHaveReceivedCommandWith(TerminateJobCommand, {
      jobId: JOB_ID,
      reason: 'wrong input',
    });
    expect(output.stdout).toEqual([`terminating job hello-mpi (${JOB_ID}), which was RUNNABLE`]);
  });

  it('leaves a finished job alone', async () => {
    jobIs({ status: 'SUCCEEDED', nodes: nodes(2, 'SUCCEEDED', { exitCode: 0 }) });
    const { code, output } = await run('cancel', JOB_ID);
    expect(code).toBe(0);
    expect(batchMock).not.toHaveReceivedCommand(TerminateJobCommand);
    expect(output.stderr).toEqual([`job hello-mpi (${JOB_ID}) already SUCCEEDED: nothing to cancel`]);
  });

  it('names the denied action', async () => {
    jobIs(running);
    batchMock
      .on(TerminateJobCommand)
      .rejects(sdkError('AccessDeniedException', 'not authorized to perform: batch:TerminateJob'));
    const { code, output } = await run('cancel', JOB_ID);
    expect(code).toBe(LAUNCHER_EXIT.awsCredentials);
    expect(output.stderr[0]).toBe(
      'error: not allowed to call batch:TerminateJob: not authorized to perform: batch:TerminateJob',
    );
  });
});

describe('mnbatch list', () => {
  it('lists only jobs tagged by mnbatch, newest first, in every unfinished status', async () => {
    batchMock.on(ListJobsCommand).callsFake((input: ListJobsCommandInput) => ({
      jobSummaryList:
        input.jobStatus === 'RUNNING'
          ? [
              { jobId: JOB_ID, jobName: 'hello-mpi' },
              { jobId: 'aaaaaaaa-2222-4333-8444-555555555555', jobName: 'not-ours' },
            ]
          : [],
    }));
    batchMock.on(DescribeJobsCommand).resolves({
      jobs: [
        ...describeAnswer([JOB_ID], running),
        {
          jobId: 'aaaaaaaa-2222-4333-8444-555555555555',
          jobName: 'not-ours',
          jobQueue: 'q',
          status: 'RUNNING',
          jobDefinition: 'x',
          startedAt: undefined,
        },
      ],
    });
    const { code, output } = await run('list', '--queue', 'mpi-queue', '--json');
    expect(code).toBe(0);
    const jobs = JSON.parse(output.stdout.join('\n'));
    expect(jobs).toEqual([
      {
        jobId: JOB_ID,
        jobName: 'hello-mpi',
        status: 'RUNNING',
        queue: 'mpi-queue',
        numNodes: 3,
        createdAt: Date.UTC(2026, 0, 1, 12),
      },
    ]);
    expect(batchMock.commandCalls(ListJobsCommand).map((c) => c.args[0].input.jobStatus)).toEqual([
      'SUBMITTED',
      'PENDING',
      'RUNNABLE',
      'STARTING',
      'RUNNING',
    ]);
  });

  it('--status picks one status and refuses unknown ones', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [QUEUE] });
    batchMock.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    const ok = await run('list', '--status', 'failed');
    expect(ok.code).toBe(0);
    expect(batchMock).toHaveReceivedCommandWith(ListJobsCommand, {
      jobQueue: 'mpi-queue',
      jobStatus: 'FAILED',
    });
    expect(ok.output.stderr).toEqual(['no mnbatch jobs found']);
    const bad = await run('list', '--status', 'done');
    expect(bad.code).toBe(2);
  });
});

describe('mnbatch logs', () => {
  it('prints the main node log page by page', async () => {
    jobIs(running);
    logsMock
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ message: 'one\n' }, { message: 'two' }], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [{ message: 'three' }], nextForwardToken: 'f/3' })
      .resolves({ events: [], nextForwardToken: 'f/3' });
    const { code, output } = await run('logs', JOB_ID);
    expect(code).toBe(0);
    expect(output.stdout).toEqual(['one', 'two', 'three']);
    expect(logsMock).toHaveReceivedNthCommandWith(GetLogEventsCommand, 1, {
      logGroupName: '/aws/batch/job',
      logStreamName: STREAM,
      startFromHead: true,
    });
    expect(logsMock).toHaveReceivedNthCommandWith(GetLogEventsCommand, 3, { nextToken: 'f/3' });
  });

  it('reads on past an empty page while the token moves on (GetLogEvents may return none before more)', async () => {
    jobIs(running);
    logsMock
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ message: 'one' }], nextForwardToken: 'f/1' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/2' })
      .resolvesOnce({ events: [{ message: 'two' }], nextForwardToken: 'f/3' })
      .resolves({ events: [], nextForwardToken: 'f/3' });
    const { code, output } = await run('logs', JOB_ID);
    expect(code).toBe(0);
    expect(output.stdout).toEqual(['one', 'two']);
    expect(logsMock).toHaveReceivedCommandTimes(GetLogEventsCommand, 4);
  });

  it('--node all interleaves every node by time, prefixed, with --timestamps and --tail', async () => {
    // Given a finished job whose three nodes logged at interleaved times
    const t = Date.UTC(2026, 11, 2, 13, 0, 0);
    jobIs({
      status: 'SUCCEEDED',
      nodes: [0, 1, 2].map((i) => ({ status: 'SUCCEEDED', exitCode: 0, logStreamName: `${STREAM}-${i}` })),
    });
    const byStream: Record<string, { timestamp: number; message: string }[]> = {
      [`${STREAM}-0`]: [
        { timestamp: t, message: 'main starts' },
        { timestamp: t + 3000, message: 'main ends\n' },
      ],
      [`${STREAM}-1`]: [{ timestamp: t + 1000, message: 'rank 1 up' }],
      [`${STREAM}-2`]: [{ timestamp: t + 2000, message: 'rank 2 up' }],
    };
    logsMock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => {
      const events = byStream[input.logStreamName ?? ''] ?? [];
      const fresh = input.nextToken === undefined;
      const window = events.filter((e) => input.startTime === undefined || e.timestamp >= input.startTime);
      const page =
        input.startFromHead === false ? window.slice(-(input.limit ?? 10_000)) : fresh ? window : [];
      return { events: page, nextForwardToken: 'f/end' };
    });
    // When all nodes are asked for, with times
    const all = await run('logs', JOB_ID, '--node', 'all', '--timestamps');
    // Then every line is there once, in time order, with its node and time
    expect(all.code).toBe(0);
    expect(all.output.stdout).toEqual([
      '2026-12-02T13:00:00.000Z [node 0] main starts',
      '2026-12-02T13:00:01.000Z [node 1] rank 1 up',
      '2026-12-02T13:00:02.000Z [node 2] rank 2 up',
      '2026-12-02T13:00:03.000Z [node 0] main ends',
    ]);
    // And --tail keeps the last lines of all nodes together, reading each stream from its end
    logsMock.resetHistory();
    const tail = await run('logs', JOB_ID, '--node', 'all', '--tail', '2');
    expect(tail.output.stdout).toEqual(['[node 2] rank 2 up', '[node 0] main ends']);
    expect(logsMock).toHaveReceivedCommandWith(GetLogEventsCommand, { startFromHead: false, limit: 2 });
    // And --since asks CloudWatch for the window only
    logsMock.resetHistory();
    const since = await run('logs', JOB_ID, '--since', '2026-12-02T13:00:01.500Z');
    expect(since.output.stdout).toEqual(['main ends']);
    expect(logsMock).toHaveReceivedCommandWith(GetLogEventsCommand, { startTime: t + 1500 });
  });

  it("shows the agent's [node i rank r] lines as they are (no [node i] on top with --node all), and --raw strips every prefix", async () => {
    // Given a finished job whose main node logged one rank-tagged line of mpirun and one of its own
    jobIs({
      status: 'SUCCEEDED',
      nodes: [0, 1].map((i) => ({ status: 'SUCCEEDED', exitCode: 0, logStreamName: `${STREAM}-${i}` })),
    });
    const byStream: Record<string, { timestamp: number; message: string }[]> = {
      [`${STREAM}-0`]: [
        { timestamp: 1, message: '[node 1 rank 3] result 42' },
        { timestamp: 3, message: 'agent line' },
      ],
      [`${STREAM}-1`]: [{ timestamp: 2, message: 'child line' }],
    };
    logsMock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => ({
      events: input.nextToken === undefined ? (byStream[input.logStreamName ?? ''] ?? []) : [],
      nextForwardToken: 'f/end',
    }));
    // Then one node's log shows the tags, every node's adds [node i] only where no tag is
    expect((await run('logs', JOB_ID)).output.stdout).toEqual(['[node 1 rank 3] result 42', 'agent line']);
    expect((await run('logs', JOB_ID, '--node', 'all')).output.stdout).toEqual([
      '[node 1 rank 3] result 42',
      '[node 1] child line',
      '[node 0] agent line',
    ]);
    // And --raw shows the programs' text alone
    expect((await run('logs', JOB_ID, '--node', 'all', '--raw')).output.stdout).toEqual([
      'result 42',
      'child line',
      'agent line',
    ]);
    expect((await run('logs', JOB_ID, '--raw')).output.stdout).toEqual(['result 42', 'agent line']);
  });

  it('does not suggest --follow for a job that has ended, and refuses --follow with --tail', async () => {
    jobIs({ status: 'FAILED', nodes: [{ status: 'FAILED' }, { status: 'FAILED' }, { status: 'FAILED' }] });
    const ended = await run('logs', JOB_ID);
    expect(ended.output.stderr).toEqual(['node 0 of hello-mpi has no log (job FAILED)']);
    const both = await run('logs', JOB_ID, '--node', 'all', '--follow', '--tail', '5');
    expect(both.code).toBe(2);
    expect(both.output.stderr.join('\n')).toContain('--follow reads the log from its start');
    const bad = await run('logs', JOB_ID, '--since', 'yesterday');
    expect(bad.code).toBe(2);
  });

  it('says when the node has no log yet', async () => {
    jobIs(running);
    const { code, output } = await run('logs', JOB_ID, '--node', '2');
    expect(code).toBe(0);
    expect(output.stderr).toEqual(['node 2 of hello-mpi has no log yet (job RUNNING); try --follow']);
    expect(logsMock).not.toHaveReceivedCommand(GetLogEventsCommand);
  });

  it('says when the stream is named but does not exist yet', async () => {
    jobIs(running);
    logsMock
      .on(GetLogEventsCommand)
      .rejects(sdkError('ResourceNotFoundException', 'The specified log stream does not exist.'));
    const { code, output } = await run('logs', JOB_ID);
    expect(code).toBe(0);
    expect(output.stderr).toEqual([`log stream ${STREAM} does not exist (yet) in /aws/batch/job`]);
  });

  it('takes a node job id (<job id>#<n>, as the console shows it) as that node of the job', async () => {
    jobIs(running);
    const { code, output } = await run('logs', `${JOB_ID}#2`);
    expect(code).toBe(0);
    expect(output.stderr).toEqual(['node 2 of hello-mpi has no log yet (job RUNNING); try --follow']);
    expect(batchMock).toHaveReceivedCommandWith(DescribeJobsCommand, {
      jobs: expect.arrayContaining([JOB_ID]),
    });
  });

  it('refuses a node job id whose node --node contradicts', async () => {
    jobIs(running);
    const { code, output } = await run('logs', `${JOB_ID}#2`, '--node', '1');
    expect(code).toBe(2);
    expect(output.stderr[0]).toBe(`error: ${JOB_ID}#2 is node 2, but --node says 1`);
  });

  it('refuses a node the job does not have', async () => {
    jobIs(running);
    const { code, output } = await run('logs', JOB_ID, '--node', '7');
    expect(code).toBe(2);
    expect(output.stderr[0]).toBe('error: --node 7: the job has nodes 0 to 2');
  });

  it('--follow waits for a stream that does not exist yet, backs off when throttled, and exits with the job code', async () => {
    // given a job that runs for a few polls and then fails with 3 on the main node
    let polls = 0;
    batchMock.on(DescribeJobsCommand).callsFake((input: DescribeJobsCommandInput) => {
      polls++;
      const state: JobState =
        polls < 6
          ? running
          : {
              status: 'FAILED',
              nodes: [{ status: 'FAILED', exitCode: 3, logStreamName: STREAM }, ...nodes(2, 'FAILED')],
            };
      return { jobs: describeAnswer(input.jobs ?? [], state) };
    });
    // and a stream that appears after two reads, throttles once, then has lines
    const answers: (Error | { events: { message: string }[]; nextForwardToken: string })[] = [
      sdkError('ResourceNotFoundException', 'The specified log stream does not exist.'),
      sdkError('ResourceNotFoundException', 'The specified log stream does not exist.'),
      sdkError('ThrottlingException', 'Rate exceeded'),
      { events: [{ message: 'hello' }], nextForwardToken: 'f/1' },
    ];
    logsMock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next ?? { events: [], nextForwardToken: input.nextToken ?? 'f/1' };
    });
    const output = memoryOutput();
    const code = await showLogs(
      {
        batch: createBatch({ region: 'eu-west-1' }),
        logs: createLogs({ region: 'eu-west-1' }),
        output,
        clock: new FakeClock(),
        signal: new AbortController().signal,
      },
      JOB_ID,
      { follow: true },
    );
    // then the line came through once, nothing else was printed, and the exit code is the job's
    expect(code).toBe(3);
    expect(output.stdout).toEqual(['hello']);
    expect(output.stderr.filter((l) => /exist|throttl/i.test(l))).toEqual([]);
    expect(logsMock).toHaveReceivedCommandWith(GetLogEventsCommand, { nextToken: 'f/1' });
  });

  it('--follow drains the stream past empty pages once the job has ended', async () => {
    // given a job that has already ended
    jobIs({
      status: 'SUCCEEDED',
      nodes: [{ status: 'SUCCEEDED', exitCode: 0, logStreamName: STREAM }, ...nodes(2, 'SUCCEEDED')],
    });
    // and a stream whose last line comes only after several empty pages with moving tokens
    const pages = [
      { events: [], nextForwardToken: 'f/1' },
      { events: [], nextForwardToken: 'f/2' },
      { events: [], nextForwardToken: 'f/3' },
      { events: [{ message: 'last line' }], nextForwardToken: 'f/4' },
    ];
    logsMock
      .on(GetLogEventsCommand)
      .callsFake(
        (input: GetLogEventsCommandInput) =>
          pages.shift() ?? { events: [], nextForwardToken: input.nextToken ?? 'f/0' },
      );
    const output = memoryOutput();
    const code = await showLogs(
      {
        batch: createBatch({ region: 'eu-west-1' }),
        logs: createLogs({ region: 'eu-west-1' }),
        output,
        clock: new FakeClock(),
        signal: new AbortController().signal,
      },
      JOB_ID,
      { follow: true },
    );
    // then the line is printed before the follow ends
    expect(code).toBe(0);
    expect(output.stdout).toContain('last line');
  });
});

describe('mnbatch logs --follow --node all', () => {
  const T0 = Date.UTC(2026, 0, 1, 12);
  const streamOf = (node: number) => `hello-mpi-abc/default/node${node}`;

  it('follows every node interleaved by time, within the read rate, until the job ends with its code', async () => {
    // given a 3-node job that runs for a while (node 2's stream appears later) and then fails with 3
    const clock = new FakeClock(T0);
    let polls = 0;
    batchMock.on(DescribeJobsCommand).callsFake((input: DescribeJobsCommandInput) => {
      polls++;
      const ended = polls >= 8;
      const status = ended ? 'FAILED' : 'RUNNING';
      const state: JobState = {
        status,
        nodes: [
          { status, logStreamName: streamOf(0), ...(ended ? { exitCode: 3 } : {}) },
          { status, logStreamName: streamOf(1) },
          { status, ...(polls >= 5 ? { logStreamName: streamOf(2) } : {}) },
        ],
      };
      return { jobs: describeAnswer(input.jobs ?? [], state) };
    });
    // and each stream has two pages of events whose times interleave across nodes
    const pages: Record<string, { timestamp: number; message: string }[][]> = {
      [streamOf(0)]: [
        [
          { timestamp: T0 + 10, message: 'main starts\n' },
          { timestamp: T0 + 40, message: 'main computes\n' },
        ],
        [{ timestamp: T0 + 90, message: 'main fails' }],
      ],
      [streamOf(1)]: [
        [{ timestamp: T0 + 20, message: 'child 1 up' }],
        [{ timestamp: T0 + 80, message: 'child 1 done' }],
      ],
      [streamOf(2)]: [[{ timestamp: T0 + 30, message: 'child 2 up' }]],
    };
    const readAt: number[] = [];
    logsMock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => {
      readAt.push(clock.now());
      const stream = input.logStreamName ?? '';
      const read = Number((input.nextToken ?? 'f/0').split('/')[1]);
      const page = pages[stream]?.[read];
      // the token moves on only when there was a page; else it comes back as sent (nothing new)
      return page
        ? { events: page, nextForwardToken: `f/${read + 1}` }
        : { events: [], nextForwardToken: input.nextToken ?? 'f/0' };
    });

    // when following every node
    const output = memoryOutput();
    const code = await showLogs(
      {
        batch: createBatch({ region: 'eu-west-1' }),
        logs: createLogs({ region: 'eu-west-1' }),
        output,
        clock,
        signal: new AbortController().signal,
      },
      JOB_ID,
      { node: 'all', follow: true },
    );

    // then every line is printed once, prefixed with its node, in time order within each round
    expect(code).toBe(3);
    expect(output.stdout.filter((l) => l.startsWith('[node '))).toHaveLength(6);
    const firstRound = output.stdout.slice(0, 3);
    expect(firstRound).toEqual(['[node 0] main starts', '[node 1] child 1 up', '[node 0] main computes']);
    expect(output.stdout).toContain('[node 2] child 2 up');
    expect(output.stdout.indexOf('[node 1] child 1 done')).toBeLessThan(
      output.stdout.indexOf('[node 0] main fails'),
    );
    // and every node's stream was read, never faster than the token bucket allows (2 a second, burst 2)
    const streams = logsMock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input.logStreamName);
    expect(new Set(streams)).toEqual(new Set([streamOf(0), streamOf(1), streamOf(2)]));
    // (any run of reads from the i-th to the j-th fits in 2 + 2/s of the time between them)
    for (let i = 0; i < readAt.length; i++) {
      for (let j = i; j < readAt.length; j++) {
        const allowed = 2 + (2 * ((readAt[j] ?? 0) - (readAt[i] ?? 0))) / 1000;
        expect(j - i + 1, `reads ${i}..${j}`).toBeLessThanOrEqual(allowed);
      }
    }
    expect(readAt.length).toBeGreaterThan(6);
  });

  it('prints each line with its time with --timestamps', async () => {
    jobIs({
      status: 'SUCCEEDED',
      nodes: [
        { status: 'SUCCEEDED', exitCode: 0, logStreamName: streamOf(0) },
        { status: 'SUCCEEDED', logStreamName: streamOf(1) },
      ],
    });
    logsMock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) =>
      input.nextToken
        ? { events: [], nextForwardToken: input.nextToken }
        : {
            events: [{ timestamp: T0 + 1500, message: `from ${input.logStreamName}` }],
            nextForwardToken: 'f/1',
          },
    );
    const { code, output } = await run('logs', JOB_ID, '--node', 'all', '--follow', '--timestamps');
    expect(code).toBe(0);
    expect(output.stdout).toEqual([
      `2026-01-01T12:00:01.500Z [node 0] from ${streamOf(0)}`,
      `2026-01-01T12:00:01.500Z [node 1] from ${streamOf(1)}`,
    ]);
  });
});
