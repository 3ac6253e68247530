import { DescribeComputeEnvironmentsCommand, DescribeJobQueuesCommand } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { jobCheck, plannedJobNeeds, stackCheck } from '../../src/doctor/checks-stack.js';
import type { PlannedJob } from '../../src/doctor/input.js';
import { planJobText } from '../../src/plan/index.js';
import {
  demoComputeEnvironment,
  demoQueue,
  doctorMocks,
  healthy,
  jobYaml,
  REGION,
  services,
} from './_mock-sdk.js';

const { batchMock } = doctorMocks();

/** job.yaml for stack demo: `nodes` × `vcpus`, on c5n.18xlarge. */
function job(nodes = 2, vcpus = 72, memory = '180GiB'): PlannedJob {
  const { plan } = planJobText(jobYaml(nodes, vcpus, memory), 'job.yaml', {
    rendezvous: { kind: 'placeholder' },
    version: '0.1.0',
    user: 'alice',
  });
  return { file: 'job.yaml', ...plan };
}

describe('stack', () => {
  it('is ok when the compute environment and queue are VALID and ENABLED', async () => {
    healthy();
    expect(await stackCheck(services(), 'demo', 'infra.yaml')).toMatchObject({ status: 'ok' });
    expect(batchMock.commandCalls(DescribeJobQueuesCommand)[0]?.args[0].input.jobQueues).toEqual([
      'mnbatch-demo',
    ]);
  });

  it('fails naming what is missing, with infra up as the fix', async () => {
    batchMock.on(DescribeComputeEnvironmentsCommand).resolves({ computeEnvironments: [] });
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [] });
    expect(await stackCheck(services(), 'demo', 'infra.yaml')).toEqual({
      check: 'stack',
      status: 'fail',
      detail: `stack demo has no compute environment mnbatch-demo and job queue mnbatch-demo in ${REGION}`,
      fix: 'mnbatch infra up -f infra.yaml',
    });
  });

  it('fails for an INVALID compute environment and a DISABLED queue, with the reason', async () => {
    healthy();
    batchMock.on(DescribeComputeEnvironmentsCommand).resolves({
      computeEnvironments: [
        demoComputeEnvironment({
          status: 'INVALID',
          statusReason: 'CLIENT_ERROR - not authorized to perform: ec2:RunInstances',
        }),
      ],
    });
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [demoQueue({ state: 'DISABLED' })] });
    expect((await stackCheck(services(), 'demo', 'infra.yaml')).detail).toBe(
      'stack demo: compute environment INVALID (CLIENT_ERROR - not authorized to perform: ec2:RunInstances); job queue DISABLED',
    );
  });
});

describe('job', () => {
  it('is ok when the queue’s compute environments can run the job', async () => {
    healthy();
    const result = await jobCheck(services(), job());
    expect(result).toMatchObject({ status: 'ok' });
    expect(result.detail).toBe('queue mnbatch-demo can run job.yaml (2 nodes × 72 vCPUs, 184320 MiB)');
    expect(
      batchMock.commandCalls(DescribeComputeEnvironmentsCommand)[0]?.args[0].input.computeEnvironments,
    ).toEqual(['mnbatch-demo']);
  });

  it('fails with the RUNNABLE diagnosis when the job is larger than the compute environment allows', async () => {
    healthy();
    const result = await jobCheck(services(), job(8));
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(
      'allows at most 288 vCPUs; the job needs at least 576 (8 nodes × 72 vCPUs)',
    );
  });

  it('fails when the job’s queue does not exist', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [] });
    expect((await jobCheck(services(), job())).detail).toBe(
      'job.yaml on queue mnbatch-demo: job queue mnbatch-demo was not found',
    );
  });

  it('counts the job’s vCPUs for the quota check', () => {
    expect(plannedJobNeeds(job(4, 36)).totalVcpus).toBe(144);
  });
});
