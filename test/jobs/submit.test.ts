import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  type DescribeJobsCommandInput,
  GetJobQueueSnapshotCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
} from '@aws-sdk/client-batch';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { createBatch } from '../../src/aws/batch.js';
import { exec } from '../../src/cli/cli.js';
import { LAUNCHER_EXIT } from '../../src/jobs/exit-codes.js';
import { CONTENT_TAG, withContentTag } from '../../src/jobs/job-definition.js';
import { submitPlan } from '../../src/jobs/submit.js';
import { memoryOutput } from '../../src/ui/output.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { sdkError, sdkMock } from '../_helpers/sdk-mock.js';

import { computeEnvironment, jobYaml, plannedJob, QUEUE, STACK_KEY } from './_fixtures.js';
import { describeAnswer, JOB_ID, type JobState, nodes } from './_mock-jobs.js';

const ecrMock = sdkMock(ECRClient, 'ecr');

const batchMock = sdkMock(BatchClient, 'batch');

const REGION = 'eu-west-1';

function deps() {
  const output = memoryOutput();
  return {
    output,
    deps: {
      batch: createBatch({ region: REGION }),
      output,
      clock: new FakeClock(),
      signal: new AbortController().signal,
    },
  };
}

/** What DescribeJobDefinitions returns for a definition registered with `request` (Batch fills in empty lists). */
function described(plan = plannedJob(), revision = 3) {
  const req = structuredClone(withContentTag(plan.registerJobDefinition));
  for (const r of req.nodeProperties?.nodeRangeProperties ?? [])
    Object.assign(r.container ?? {}, {
      volumes: [],
      ulimits: [],
      mountPoints: [],
      secrets: r.container?.secrets ?? [],
      privileged: false,
    });
  return {
    ...req,
    jobDefinitionName: plan.jobDefinitionName,
    jobDefinitionArn: `arn:aws:batch:${REGION}:123456789012:job-definition/${plan.jobDefinitionName}:${revision}`,
    revision,
    status: 'ACTIVE',
    type: 'multinode',
    containerOrchestrationType: 'ECS' as const,
    parameters: {},
  };
}

/** The job's queue exists, is ENABLED and VALID, and its compute environment allows c5. */
function queueReady(ce = computeEnvironment()) {
  batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [QUEUE] });
  batchMock.on(DescribeComputeEnvironmentsCommand).resolves({ computeEnvironments: [ce] });
}

/** DescribeJobs answers the states in turn (the last one forever); `fail` errors come first. */
function jobGoesThrough(states: JobState[], plan = plannedJob(), fail: Error[] = []) {
  let i = 0;
  batchMock.on(DescribeJobsCommand).callsFake((input: DescribeJobsCommandInput) => {
    const error = fail.shift();
    if (error) throw error;
    const state = states[Math.min(i++, states.length - 1)]!;
    return { jobs: describeAnswer(input.jobs ?? [], state, plan.registerJobDefinition) };
  });
}

/** Submits `plan` (the queue and revisions mocked before); RegisterJobDefinition answers `revision`. */
async function registersAs(plan: ReturnType<typeof plannedJob>, revision: number) {
  batchMock.on(RegisterJobDefinitionCommand).resolves({
    jobDefinitionName: plan.jobDefinitionName,
    jobDefinitionArn: `arn:${revision}`,
    revision,
  });
  batchMock.on(SubmitJobCommand).resolves({ jobId: JOB_ID, jobName: 'hello-mpi' });
  const { deps: d, output } = deps();
  await submitPlan(d, plan);
  return output;
}

describe('submit at the SDK boundary', () => {
  it('reuses an ACTIVE revision with the same content: no RegisterJobDefinition', async () => {
    const plan = plannedJob();
    queueReady();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [described(plan, 3)] });
    batchMock.on(SubmitJobCommand).resolves({ jobId: JOB_ID, jobName: 'hello-mpi', jobArn: 'arn' });
    const { deps: d, output } = deps();
    const code = await submitPlan(d, plan);
    expect(code).toBe(0);
    expect(batchMock).toHaveReceivedCommandWith(DescribeJobDefinitionsCommand, {
      jobDefinitionName: plan.jobDefinitionName,
      status: 'ACTIVE',
    });
    expect(batchMock).not.toHaveReceivedCommand(RegisterJobDefinitionCommand);
    expect(batchMock).toHaveReceivedCommandWith(SubmitJobCommand, {
      jobDefinition: `${plan.jobDefinitionName}:3`,
      tags: { 'mnbatch:job': 'hello-mpi', 'mnbatch:version': '0.1.0', 'mnbatch:user': 'alice' },
    });
    expect(output.stderr).toContain(`job definition ${plan.jobDefinitionName}:3 unchanged: reused`);
    expect(output.stdout).toEqual([
      `submitted hello-mpi (4 nodes): ${JOB_ID}`,
      `https://${REGION}.console.aws.amazon.com/batch/home?region=${REGION}#jobs/mnp-job/${JOB_ID}`,
    ]);
  });

  it('registers a new revision when the ACTIVE one of that name carries another content hash', async () => {
    const plan = plannedJob();
    const edited = described(plan, 1);
    edited.tags = { ...edited.tags, [CONTENT_TAG]: '0123456789abcdef' }; // registered by another mnbatch
    queueReady();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [edited] });
    const output = await registersAs(plan, 2);
    expect(batchMock).toHaveReceivedCommandExactlyOnceWith(RegisterJobDefinitionCommand, {
      ...withContentTag(plan.registerJobDefinition),
    });
    expect(batchMock).toHaveReceivedCommandWith(SubmitJobCommand, {
      jobDefinition: `${plan.jobDefinitionName}:2`,
    });
    // older content (an edit, a rebuilt image) is the everyday case: no talk of "outside mnbatch"
    expect(output.stderr).toContain(
      `registered job definition ${plan.jobDefinitionName}:2 (content changed since revision 1)`,
    );
    expect(output.stderr.join('\n')).not.toMatch(/outside mnbatch|content tag/);
  });

  it('names revisions without the content tag as registered outside mnbatch, apart from older content', async () => {
    const plan = plannedJob();
    const older = described(plan, 1);
    older.tags = { ...older.tags, [CONTENT_TAG]: '0123456789abcdef' };
    const byHand = described(plan, 2);
    byHand.tags = { team: 'hpc' };
    queueReady();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [byHand, older] });
    const output = await registersAs(plan, 3);
    expect(output.stderr).toContain(
      `registered job definition ${plan.jobDefinitionName}:3 (content changed since revision 1)`,
    );
    expect(output.stderr).toContain(
      `  (ACTIVE revision 2 of ${plan.jobDefinitionName} has no mnbatch:content tag — registered outside mnbatch? — so it was not reused)`,
    );
  });

  it('sends no secret: the job definition names the stack key and execution role, SubmitJob carries no token', async () => {
    const plan = plannedJob();
    queueReady();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
    batchMock
      .on(RegisterJobDefinitionCommand)
      .resolves({ jobDefinitionName: plan.jobDefinitionName, jobDefinitionArn: 'a', revision: 1 });
    batchMock.on(SubmitJobCommand).resolves({ jobId: JOB_ID, jobName: 'hello-mpi' });
    await submitPlan(deps().deps, plan);
    const submitted = batchMock.commandCalls(SubmitJobCommand)[0]!.args[0].input;
    expect(submitted.nodeOverrides).toBeUndefined();
    expect(JSON.stringify(submitted)).not.toContain('MNBATCH_TOKEN');
    const registered = batchMock.commandCalls(RegisterJobDefinitionCommand)[0]!.args[0].input;
    for (const range of registered.nodeProperties?.nodeRangeProperties ?? []) {
      expect(range.container).toMatchObject({
        executionRoleArn: STACK_KEY.executionRoleArn,
        secrets: [{ name: 'MNBATCH_RENDEZVOUS_KEY', valueFrom: STACK_KEY.parameterArn }],
      });
    }
  });

  it('--wait: a job that fails on a child node prints every node and returns the main node code', async () => {
    const plan = plannedJob({ nodes: 3 });
    queueReady();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [described(plan)] });
    batchMock.on(SubmitJobCommand).resolves({ jobId: JOB_ID, jobName: 'hello-mpi' });
    jobGoesThrough(
      [
        { status: 'RUNNABLE', nodes: nodes(3, 'RUNNABLE') },
        { status: 'RUNNING', nodes: nodes(3, 'RUNNING') },
        {
          status: 'RUNNING',
          nodes: [
            { status: 'RUNNING' },
            { status: 'RUNNING' },
            { status: 'FAILED', exitCode: 139, reason: 'Essential container in task exited' },
          ],
        },
        {
          status: 'FAILED',
          statusReason: 'Essential container in task exited',
          nodes: [
            { status: 'FAILED', exitCode: 204 },
            { status: 'FAILED', exitCode: 205 },
            { status: 'FAILED', exitCode: 139 },
          ],
        },
      ],
      plan,
    );
    const { deps: d, output } = deps();
    const code = await submitPlan(d, plan, { wait: true });
    expect(code).toBe(204);
    expect(output.stderr).toEqual(
      expect.arrayContaining([
        `job hello-mpi (${JOB_ID}) FAILED: Essential container in task exited`,
        '  node 0 (main): FAILED, exit 204 (a child node was lost mid-run)',
        '  node 1: FAILED, exit 205 (the main node went away)',
        '  node 2: FAILED, exit 139 (segmentation fault (SIGSEGV))',
      ]),
    );
    // one DescribeJobs call per poll covers the parent and its 3 nodes
    for (const call of batchMock.commandCalls(DescribeJobsCommand)) {
      expect(call.args[0].input.jobs).toEqual([JOB_ID, `${JOB_ID}#0`, `${JOB_ID}#1`, `${JOB_ID}#2`]);
    }
  });

  it('--wait: a poll throttled once is retried, and the job result still comes through', async () => {
    const plan = plannedJob({ nodes: 2 });
    queueReady();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [described(plan)] });
    batchMock.on(SubmitJobCommand).resolves({ jobId: JOB_ID, jobName: 'hello-mpi' });
    jobGoesThrough([{ status: 'SUCCEEDED', nodes: nodes(2, 'SUCCEEDED', { exitCode: 0 }) }], plan, [
      sdkError('ThrottlingException', 'Rate exceeded'),
    ]);
    const code = await submitPlan(deps().deps, plan, { wait: true });
    expect(code).toBe(0);
    expect(batchMock).toHaveReceivedCommandTimes(DescribeJobsCommand, 2);
  });

  it('--wait: a job stuck in RUNNABLE gets its diagnosis', async () => {
    const plan = plannedJob({ nodes: 4, vcpus: 4 });
    // the queue can run c5 nodes, but its ceiling is below 4 nodes × 4 vCPUs
    queueReady(computeEnvironment({}, { maxvCpus: 8 }));
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [described(plan)] });
    batchMock.on(SubmitJobCommand).resolves({ jobId: JOB_ID, jobName: 'hello-mpi' });
    const runnable = { status: 'RUNNABLE' as const, nodes: nodes(4, 'RUNNABLE') };
    jobGoesThrough(
      [
        ...Array(12).fill(runnable),
        { status: 'FAILED', statusReason: 'Cancelled', nodes: nodes(4, 'FAILED') },
      ],
      plan,
    );
    batchMock.on(GetJobQueueSnapshotCommand).resolves({
      frontOfQueue: { jobs: [{ jobArn: `arn:aws:batch:${REGION}:123456789012:job/${JOB_ID}` }] },
    });
    const { deps: d, output } = deps();
    const code = await submitPlan(d, plan, { wait: true });
    expect(code).toBe(LAUNCHER_EXIT.failedWithoutExitCode);
    expect(batchMock).toHaveReceivedCommandWith(GetJobQueueSnapshotCommand, { jobQueue: QUEUE.jobQueueArn! });
    expect(batchMock).toHaveReceivedCommandWith(DescribeJobQueuesCommand, {
      jobQueues: [QUEUE.jobQueueArn!],
    });
    expect(batchMock).toHaveReceivedCommandWith(DescribeComputeEnvironmentsCommand, {
      computeEnvironments: ['mpi-ce'],
    });
    expect(output.stderr).toContain(
      '  - compute environment mpi-ce allows at most 8 vCPUs; the job needs at least 16 (4 nodes × 4 vCPUs): raise maxvCpus',
    );
  });
});

describe('mnbatch submit (CLI)', () => {
  function jobDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'mnbatch-submit-'));
    writeFileSync(join(dir, 'job.yaml'), jobYaml());
    return dir;
  }

  it('--dry-run prints exactly what plan prints and calls no AWS API', async () => {
    const cwd = jobDir();
    for (const extra of [[], ['--nodes', '6', '--queue', 'other'], ['--json']]) {
      const planOut = memoryOutput();
      const dryOut = memoryOutput();
      const env = { USER: 'alice' };
      expect(await exec(['plan', 'job.yaml', ...extra], { output: planOut, cwd, env })).toBe(0);
      expect(await exec(['submit', 'job.yaml', '--dry-run', ...extra], { output: dryOut, cwd, env })).toBe(0);
      expect(dryOut.stdout).toEqual(planOut.stdout);
      expect(dryOut.stderr).toEqual(planOut.stderr);
      expect(planOut.stdout.join('\n')).toContain('arn:aws:ssm:<region>:<account>:parameter/mnbatch/');
    }
    expect(batchMock.calls()).toHaveLength(0);
  });

  it('an expired credential gives one clear line and exit code 77', async () => {
    batchMock
      .onAnyCommand()
      .rejects(sdkError('ExpiredTokenException', 'The security token included in the request is expired'));
    const output = memoryOutput();
    const code = await exec(['submit', 'job.yaml', '--profile', 'hpc', '--region', REGION], {
      output,
      cwd: jobDir(),
      env: {},
    });
    expect(code).toBe(LAUNCHER_EXIT.awsCredentials);
    expect(output.stderr[0]).toBe(
      'error: AWS credentials expired or missing for profile hpc: run `aws sso login --profile hpc` (or set AWS_PROFILE / --profile) and try again',
    );
    expect(batchMock).not.toHaveReceivedCommand(SubmitJobCommand);
  });

  it('missing credentials (no profile) say so too', async () => {
    batchMock
      .onAnyCommand()
      .rejects(sdkError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const output = memoryOutput();
    const code = await exec(['submit', 'job.yaml', '--region', REGION], { output, cwd: jobDir(), env: {} });
    expect(code).toBe(LAUNCHER_EXIT.awsCredentials);
    expect(output.stderr[0]).toMatch(
      /^error: AWS credentials expired or missing for the default credential chain/,
    );
  });

  /** jobYaml's image, 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-mpi:1, is in ECR with this digest. */
  const DIGEST = `sha256:${'ab'.repeat(32)}`;
  function imageInEcr() {
    ecrMock
      .on(DescribeImagesCommand, { repositoryName: 'hello-mpi', imageIds: [{ imageTag: '1' }] })
      .resolves({
        imageDetails: [{ registryId: '123456789012', repositoryName: 'hello-mpi', imageDigest: DIGEST }],
      });
  }

  it('throttling that outlasts the SDK retries ends with a clear line and exit code 75', async () => {
    queueReady();
    imageInEcr();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
    batchMock
      .on(RegisterJobDefinitionCommand)
      .resolves({ jobDefinitionName: 'x', jobDefinitionArn: 'a', revision: 1 });
    batchMock.on(SubmitJobCommand).rejects(sdkError('TooManyRequestsException', 'Too Many Requests', 429));
    const output = memoryOutput();
    const code = await exec(['submit', 'job.yaml', '--region', REGION], {
      output,
      cwd: jobDir(),
      env: { USER: 'alice' },
    });
    expect(code).toBe(LAUNCHER_EXIT.awsThrottled);
    expect(output.stderr).toContain(
      'error: AWS kept throttling batch:SubmitJob after retrying; wait a minute and run the command again',
    );
  });

  it('an ECR image: tag that is not there stops before registering, saying so', async () => {
    queueReady();
    ecrMock.on(DescribeImagesCommand).rejects(sdkError('ImageNotFoundException'));
    const output = memoryOutput();
    const code = await exec(['submit', 'job.yaml', '--region', REGION], {
      output,
      cwd: jobDir(),
      env: { USER: 'alice' },
    });
    expect(code).toBe(1);
    expect(output.stderr[0]).toBe(
      'error: image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-mpi:1: ECR repository hello-mpi has no tag 1',
    );
    expect(batchMock).not.toHaveReceivedCommand(RegisterJobDefinitionCommand);
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]?.args[0].input.registryId).toBe('123456789012');
  });

  it("submits with the queue stack's key (no token), the user tag and --json output, the ECR image pinned by digest", async () => {
    queueReady();
    imageInEcr();
    batchMock.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
    batchMock
      .on(RegisterJobDefinitionCommand)
      .resolves({ jobDefinitionName: 'hello-mpi-x', jobDefinitionArn: 'a', revision: 1 });
    batchMock.on(SubmitJobCommand).resolves({ jobId: JOB_ID, jobName: 'hello-mpi' });
    const output = memoryOutput();
    const code = await exec(['submit', 'job.yaml', '--region', REGION, '--json'], {
      output,
      cwd: jobDir(),
      env: { USER: 'alice' },
    });
    expect(code).toBe(0);
    expect(JSON.parse(output.stdout.join('\n'))).toEqual({
      jobId: JOB_ID,
      jobName: 'hello-mpi',
      jobDefinition: 'hello-mpi-x:1',
      jobDefinitionReused: false,
      consoleUrl: `https://${REGION}.console.aws.amazon.com/batch/home?region=${REGION}#jobs/mnp-job/${JOB_ID}`,
    });
    const input = batchMock.commandCalls(SubmitJobCommand)[0]!.args[0].input;
    expect(input.tags?.['mnbatch:user']).toBe('alice');
    expect(input.nodeOverrides).toBeUndefined();
    const registered = batchMock.commandCalls(RegisterJobDefinitionCommand)[0]!.args[0].input;
    expect(JSON.stringify(registered)).not.toContain('<account>');
    expect(JSON.stringify(registered)).toContain(STACK_KEY.parameterArn);
    expect(registered.nodeProperties?.nodeRangeProperties?.map((r) => r.container?.image)).toEqual([
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello-mpi@${DIGEST}`,
    ]);
  });
});

describe('submit --dry-run in a real process', () => {
  it('never loads the AWS SDK', () => {
    // given a loader that fails every @aws-sdk import (test/_fixtures/spec/block-imports.mjs)
    const root = join(import.meta.dirname, '../..');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        join(root, 'test/_fixtures/spec/block-imports.mjs'),
        '--import',
        'tsx',
        'src/cli/main.ts',
        'submit',
        'examples/hello-mpi/job.yaml',
        '--dry-run',
        '--json',
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    // then the plan is printed and nothing was blocked
    expect(r.stderr).not.toContain('BLOCKED_IMPORT');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).submitJob.jobName).toBe('hello-mpi');
  });
});
