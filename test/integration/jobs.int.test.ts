/**
 * `mnbatch submit / status / list / logs / cancel` end to end with the built CLI against moto
 * (behind the shim that corrects it where it differs from AWS: jobs move through their states,
 * node jobs exist, see shim-batch-jobs.ts), on a stack made by `mnbatch infra up`.
 */

import { join } from 'node:path';
import {
  BatchClient,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  RegisterJobDefinitionCommand,
  type RegisterJobDefinitionCommandInput,
  TagResourceCommand,
  UpdateJobQueueCommand,
} from '@aws-sdk/client-batch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';
import { pushHelloImage, SMALL_STACK, smallStackJob, writeSmallStack } from './_small-stack.js';

const account = useTestAccount();
const STACK = SMALL_STACK;
const QUEUE = `mnbatch-${STACK}`;

/** Runs the CLI; returns what it printed and the calls (service:Operation) it made. */
async function run(args: string[], env: Record<string, string> = {}) {
  const before = account.shim.calls.length;
  const r = await account.cli(args, { env: { USER: 'alice', ...env } });
  const calls = account.shim.calls.slice(before);
  return {
    ...r,
    text: r.stdout + r.stderr,
    calls: calls.map((c) => `${c.service}:${c.operation}`),
    mutating: calls.filter((c) => c.mutating).map((c) => `${c.service}:${c.operation}`),
  };
}

/** The job id `submit --json` printed. */
function jobIdOf(stdout: string): string {
  return (JSON.parse(stdout) as { jobId: string }).jobId;
}

describe('jobs on a stack made by infra up', () => {
  let batch: BatchClient;
  let digest = '';

  beforeAll(async () => {
    await writeSmallStack(account);
    account.write('job.yaml', smallStackJob());
    const up = await run(['infra', 'up', '-f', 'stack.yaml', '--yes']);
    expect(up.code, up.text).toBe(0);
    batch = new BatchClient(account.sdk);
    digest = await pushHelloImage(new ECRClient(account.sdk));
  }, 300_000);

  it('submit --wait follows the job through its states and exits with its code', async () => {
    const r = await run(['submit', 'job.yaml', '--wait']);
    expect(r.code, r.text).toBe(0);
    expect(r.stderr).toMatch(/registered job definition mnbatch-hello-mpi-[0-9a-f]+:1/);
    for (const state of ['PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED'])
      expect(r.stderr).toMatch(new RegExp(`^hello-mpi ${state}`, 'm'));
    expect(r.stderr).toMatch(/node 0 \(main\): SUCCEEDED, exit 0/);
    expect(r.mutating).toEqual(['batch:RegisterJobDefinition', 'batch:SubmitJob']);
    // the image: tag was resolved in ECR and the definition pinned to its digest
    expect(r.calls).toContain('ecr:DescribeImages');
    const registered = account.shim.calls.filter((c) => c.operation === 'RegisterJobDefinition').at(-1);
    expect(JSON.stringify(registered?.params)).toContain(
      `"image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-mpi@${digest}"`,
    );
    // the queue was checked before anything was written
    expect(r.calls.indexOf('batch:DescribeJobQueues')).toBeLessThan(
      r.calls.indexOf('batch:RegisterJobDefinition'),
    );
    expect(r.calls.indexOf('batch:DescribeComputeEnvironments')).toBeLessThan(
      r.calls.indexOf('batch:RegisterJobDefinition'),
    );
  }, 120_000);

  it('a second submit of the unchanged job registers no revision', async () => {
    const r = await run(['submit', 'job.yaml', '--json']);
    expect(r.code, r.text).toBe(0);
    expect(r.calls).not.toContain('batch:RegisterJobDefinition');
    expect(r.mutating).toEqual(['batch:SubmitJob']);
    expect(JSON.parse(r.stdout)).toMatchObject({ jobDefinitionReused: true });
    const name = (JSON.parse(r.stdout) as { jobDefinition: string }).jobDefinition.split(':')[0];
    const defs = await batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE' }),
    );
    expect(defs.jobDefinitions?.map((d) => d.revision)).toEqual([1]);
    expect(defs.jobDefinitions?.[0]?.tags?.['mnbatch:content']).toMatch(/^[0-9a-f]{16}$/);
    expect(defs.jobDefinitions?.[0]?.nodeProperties?.numNodes).toBe(2);
    // the per-submission token is in no job definition
    expect(JSON.stringify(defs.jobDefinitions)).not.toContain('MNBATCH_TOKEN');
  }, 60_000);

  it('a second submit of an unchanged EFS job registers no revision either', async () => {
    account.write('efs-job.yaml', smallStackJob({ name: 'efs-job', efs: true }));
    const first = await run(['submit', 'efs-job.yaml', '--json']);
    expect(first.code, first.text).toBe(0);
    expect(first.calls).toContain('batch:RegisterJobDefinition');
    const again = await run(['submit', 'efs-job.yaml', '--json']);
    expect(again.code, again.text).toBe(0);
    expect(again.mutating).toEqual(['batch:SubmitJob']);
    const name = (JSON.parse(again.stdout) as { jobDefinition: string }).jobDefinition.split(':')[0];
    const defs = await batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE' }),
    );
    expect(defs.jobDefinitions?.map((d) => d.revision)).toEqual([1]);
    const volumes = defs.jobDefinitions?.[0]?.nodeProperties?.nodeRangeProperties?.[0]?.container?.volumes;
    expect(volumes?.[0]?.efsVolumeConfiguration?.fileSystemId).toBe('fs-0123456789abcdef0');
  }, 60_000);

  it("efa: auto: plan says submit resolves it; submit asks EC2 and maps as many devices as the type and the queue's EFA tag allow; then plan reads the cache", async () => {
    account.write(
      'efa-job.yaml',
      `${smallStackJob({ name: 'efa-job', instanceType: 'c6i.32xlarge' })}efa: auto\n`,
    );
    // a cache of its own: earlier tests' stuck-job diagnoses may have cached the c6i family
    const cache = { XDG_CACHE_HOME: join(account.dir, 'efa-cache') };
    const devicesOf = (request: unknown) =>
      (request as RegisterJobDefinitionCommandInput).nodeProperties?.nodeRangeProperties?.[0]?.container
        ?.linuxParameters?.devices ?? [];

    // Given no instance-type cache yet: plan calls no AWS API and says what it leaves to submit
    const before = await run(['plan', 'efa-job.yaml', '--json'], cache);
    expect(before.code, before.text).toBe(0);
    expect(before.calls).toEqual([]);
    expect(before.stderr).toContain('efa: auto: the EFA devices of c6i.32xlarge are resolved at submit time');
    expect(devicesOf(JSON.parse(before.stdout).registerJobDefinition)).toEqual([]);

    // When submitted to the small stack (efa: false: its queue's mnbatch:efa-interfaces is 0),
    // EC2 is asked, and no device is mapped: the instances have no EFA interface to give
    const noEfa = await run(['submit', 'efa-job.yaml', '--json'], cache);
    expect(noEfa.code, noEfa.text).toBe(0);
    expect(noEfa.calls).toContain('ec2:DescribeInstanceTypes');
    const lastRegistered = () =>
      account.shim.calls.filter((c) => c.operation === 'RegisterJobDefinition').at(-1);
    expect(devicesOf(lastRegistered()?.params)).toEqual([]);

    // When the queue says what a stack with efa: true on one-card types says (infra up tags it 1),
    // the definition maps the type's EFA device
    const [queue] =
      (await batch.send(new DescribeJobQueuesCommand({ jobQueues: [`mnbatch-${SMALL_STACK}`] }))).jobQueues ??
      [];
    expect(queue?.tags?.['mnbatch:efa-interfaces']).toBe('0');
    await batch.send(
      new TagResourceCommand({
        resourceArn: queue?.jobQueueArn ?? '',
        tags: { 'mnbatch:efa-interfaces': '1' },
      }),
    );
    const submitted = await run(['submit', 'efa-job.yaml', '--json'], cache);
    expect(submitted.code, submitted.text).toBe(0);
    expect(devicesOf(lastRegistered()?.params).map((d) => d.hostPath)).toEqual(['/dev/infiniband/uverbs0']);
    await batch.send(
      new TagResourceCommand({
        resourceArn: queue?.jobQueueArn ?? '',
        tags: { 'mnbatch:efa-interfaces': '0' },
      }),
    );

    // Then plan finds the type in the cache submit filled, and names the definition as submit did
    const after = await run(['plan', 'efa-job.yaml', '--json'], cache);
    expect(after.code, after.text).toBe(0);
    expect(after.calls).toEqual([]);
    expect(after.stderr).not.toContain('resolved at submit time');
    const planned = JSON.parse(after.stdout).registerJobDefinition as RegisterJobDefinitionCommandInput;
    expect(devicesOf(planned)).toHaveLength(1);
    expect((JSON.parse(submitted.stdout) as { jobDefinition: string }).jobDefinition).toContain(
      planned.jobDefinitionName,
    );

    // And a count the type cannot take is refused before anything is written
    account.write(
      'efa-two.yaml',
      `${smallStackJob({ name: 'efa-two', instanceType: 'c6i.32xlarge' })}efa: 2\n`,
    );
    const two = await run(['submit', 'efa-two.yaml'], cache);
    expect(two.code).toBe(65);
    expect(two.text).toContain('efa: c6i.32xlarge has 1 EFA device');
    expect(two.mutating).toEqual([]);
  }, 120_000);

  it('a revision of the same name without the content tag is not reused, and the user is told', async () => {
    account.write('by-hand.yaml', smallStackJob({ name: 'by-hand' }));
    const plan = await run(['plan', 'by-hand.yaml', '--json']);
    expect(plan.code, plan.text).toBe(0);
    const request = (JSON.parse(plan.stdout) as { registerJobDefinition: RegisterJobDefinitionCommandInput })
      .registerJobDefinition;
    // someone registers the very same content under that name, without mnbatch's tag
    await batch.send(new RegisterJobDefinitionCommand({ ...request, tags: { team: 'hpc' } }));
    const r = await run(['submit', 'by-hand.yaml']);
    expect(r.code, r.text).toBe(0);
    expect(r.stderr).toContain(`registered job definition ${request.jobDefinitionName}:2`);
    expect(r.stderr).toContain(
      `(ACTIVE revision 1 of ${request.jobDefinitionName} has no mnbatch:content tag — registered outside mnbatch?`,
    );
    expect(r.mutating).toEqual(['batch:RegisterJobDefinition', 'batch:SubmitJob']);
    const again = await run(['submit', 'by-hand.yaml']);
    expect(again.stderr).toContain(`job definition ${request.jobDefinitionName}:2 unchanged: reused`);
    expect(again.mutating).toEqual(['batch:SubmitJob']);
  }, 60_000);

  it('status, list and logs of a finished job', async () => {
    const submitted = await run(['submit', 'job.yaml', '--json', '--wait']);
    expect(submitted.code, submitted.text).toBe(0);
    const jobId = jobIdOf(submitted.stdout.slice(0, submitted.stdout.lastIndexOf('}') + 1));

    const status = await run(['status', jobId]);
    expect(status.code, status.text).toBe(0);
    expect(status.stdout).toMatch(/^status\s+SUCCEEDED$/m);
    expect(status.stdout).toMatch(/^nodes\s+2 \(main 0\): SUCCEEDED 2$/m);
    expect(status.mutating).toEqual([]);

    const list = await run(['list', '--status', 'SUCCEEDED']);
    expect(list.code, list.text).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${jobId}\\s+hello-mpi\\s+SUCCEEDED\\s+2\\s+.*${QUEUE}$`, 'm'));
    expect(list.mutating).toEqual([]);

    // the main node's container wrote two lines to its stream
    const node = await batch.send(new DescribeJobsCommand({ jobs: [`${jobId}#0`] }));
    const stream = node.jobs?.[0]?.container?.logStreamName ?? '';
    expect(stream).toMatch(/^mnbatch-hello-mpi-[0-9a-f]+\/default\/[0-9a-f]{32}$/);
    const logs = new CloudWatchLogsClient(account.sdk);
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/batch/job' })).catch(() => undefined);
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/batch/job', logStreamName: stream }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/aws/batch/job',
        logStreamName: stream,
        logEvents: [
          { timestamp: Date.now(), message: 'rank 0 of 2 on ip-10-0-1-5' },
          { timestamp: Date.now() + 1, message: 'allreduce ok' },
        ],
      }),
    );
    const shown = await run(['logs', jobId]);
    expect(shown.code, shown.text).toBe(0);
    expect(shown.stdout.split('\n').filter(Boolean)).toEqual(['rank 0 of 2 on ip-10-0-1-5', 'allreduce ok']);
    expect(shown.calls).toContain('logs:GetLogEvents');
    expect(shown.mutating).toEqual([]);
    logs.destroy();
  }, 120_000);

  it('list shows a job that has not ended; cancel terminates it', async () => {
    const submitted = await run(['submit', 'job.yaml', '--json']);
    expect(submitted.code, submitted.text).toBe(0);
    const jobId = jobIdOf(submitted.stdout);

    const list = await run(['list']);
    expect(list.code, list.text).toBe(0);
    expect(list.stdout).toContain(jobId);

    const cancel = await run(['cancel', jobId]);
    expect(cancel.code, cancel.text).toBe(0);
    expect(cancel.stdout).toMatch(
      new RegExp(`^terminating job hello-mpi \\(${jobId}\\), which was [A-Z]+$`, 'm'),
    );
    expect(cancel.mutating).toEqual(['batch:TerminateJob']);

    const status = await run(['status', jobId]);
    expect(status.stdout).toMatch(/^status\s+FAILED/m);
    expect(status.text).toContain('Cancelled with mnbatch cancel');

    const again = await run(['cancel', jobId]);
    expect(again.code, again.text).toBe(0);
    expect(again.stderr).toContain('already FAILED: nothing to cancel');
    expect(again.mutating).toEqual([]);
  }, 60_000);

  it('submit to a queue that does not exist writes nothing', async () => {
    const r = await run(['submit', 'job.yaml', '--queue', 'no-such-queue']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('job queue no-such-queue does not exist in us-east-1');
    expect(r.mutating).toEqual([]);
    expect(r.calls).not.toContain('batch:DescribeJobDefinitions');
  }, 60_000);

  it('submit of an instance type the compute environment does not allow writes nothing', async () => {
    account.write('c5n.yaml', smallStackJob({ instanceType: 'c5n.18xlarge' }));
    const r = await run(['submit', 'c5n.yaml']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `job queue ${QUEUE} in us-east-1 cannot run the job: compute environment ${QUEUE} does not allow instance type c5n.18xlarge (allows c6i)`,
    );
    expect(r.mutating).toEqual([]);
  }, 60_000);

  it('submit to a DISABLED queue writes nothing', async () => {
    await batch.send(new UpdateJobQueueCommand({ jobQueue: QUEUE, state: 'DISABLED' }));
    try {
      const r = await run(['submit', 'job.yaml']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`job queue ${QUEUE} in us-east-1 cannot run the job: the queue is DISABLED`);
      expect(r.mutating).toEqual([]);
    } finally {
      await batch.send(new UpdateJobQueueCommand({ jobQueue: QUEUE, state: 'ENABLED' }));
    }
  }, 60_000);
});
