import type { ComputeEnvironmentDetail, JobDetail } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { diagnoseRunnable, jobNeeds, rangeSize } from '../../src/jobs/runnable-diagnosis.js';
import { computeEnvironment, plannedJob, QUEUE } from './_fixtures.js';

/** The parent job as DescribeJobs shows it for a plan (node properties from the job definition). */
function runnableJob(options: Parameters<typeof plannedJob>[0] = {}): JobDetail {
  const plan = plannedJob(options);
  return {
    jobId: '00000000-0000-4000-8000-000000000001',
    jobName: 'hello-mpi',
    jobQueue: QUEUE.jobQueueArn,
    status: 'RUNNABLE',
    startedAt: undefined,
    jobDefinition: `${plan.jobDefinitionName}:1`,
    nodeProperties: plan.registerJobDefinition.nodeProperties,
  };
}

function diagnose(job: JobDetail, ces: ComputeEnvironmentDetail[], queue = QUEUE) {
  return diagnoseRunnable({ job, queue, computeEnvironments: ces });
}

/** The diagnosis when GetJobQueueSnapshot lists `front` (job ARNs) and the CE has `resources`. */
function diagnoseInQueue(job: JobDetail, front: string[], resources: object = {}) {
  return diagnoseRunnable({
    job,
    queue: QUEUE,
    computeEnvironments: [computeEnvironment({}, resources)],
    frontOfQueue: { jobs: front.map((jobArn) => ({ jobArn })) },
  });
}

describe('jobNeeds', () => {
  it('adds up vCPUs over node ranges and reads the instance type', () => {
    const needs = jobNeeds(runnableJob({ nodes: 4, vcpus: 8, memory: '12GiB', instanceType: 'c5.4xlarge' }));
    expect(needs).toEqual({
      numNodes: 4,
      vcpusPerNode: 8,
      memoryMiBPerNode: 12 * 1024,
      gpusPerNode: 0,
      totalVcpus: 32,
      instanceTypes: ['c5.4xlarge'],
    });
  });

  it('sizes ranges like Batch reads targetNodes', () => {
    expect(rangeSize('0:', 8)).toBe(8);
    expect(rangeSize('1:3', 8)).toBe(3);
    expect(rangeSize(':2', 8)).toBe(3);
    expect(rangeSize('5', 8)).toBe(1);
  });
});

describe('diagnoseRunnable', () => {
  it('blames a vCPU ceiling below nodes × vCPUs', () => {
    const causes = diagnose(runnableJob({ nodes: 4, vcpus: 4 }), [computeEnvironment({}, { maxvCpus: 8 })]);
    expect(causes).toEqual([
      'compute environment mpi-ce allows at most 8 vCPUs; the job needs at least 16 (4 nodes × 4 vCPUs): raise maxvCpus',
    ]);
  });

  it('says when other jobs hold the capacity', () => {
    const causes = diagnose(runnableJob({ nodes: 4, vcpus: 4 }), [
      computeEnvironment({}, { maxvCpus: 32, desiredvCpus: 24 }),
    ]);
    expect(causes[0]).toContain('already uses 24 of 32 vCPUs');
  });

  it('blames memory larger than any allowed instance type', () => {
    const causes = diagnose(runnableJob({ memory: '20GiB', instanceType: 'c5.xlarge' }), [
      computeEnvironment(),
    ]);
    expect(causes).toEqual([
      'each node asks for 20480 MiB of memory, more than any instance type of mpi-ce has (largest: c5.xlarge with 8192 MiB)',
    ]);
  });

  it('warns when memory fits the installed size but not what ECS leaves for jobs', () => {
    const causes = diagnose(runnableJob({ memory: '8GiB', instanceType: 'c5.xlarge' }), [
      computeEnvironment(),
    ]);
    expect(causes[0]).toContain('about all that c5.xlarge has (8192 MiB installed)');
  });

  it('blames vCPUs per node above the instance type', () => {
    const causes = diagnose(runnableJob({ vcpus: 8, memory: '4GiB', instanceType: 'c5.xlarge' }), [
      computeEnvironment(),
    ]);
    expect(causes).toEqual([
      'each node asks for 8 vCPUs, more than any instance type of mpi-ce offers (largest: c5.xlarge with 4)',
    ]);
  });

  it('blames a Spot compute environment', () => {
    const causes = diagnose(runnableJob(), [computeEnvironment({}, { type: 'SPOT' })]);
    expect(causes).toEqual([
      'compute environment mpi-ce is SPOT: multi-node parallel jobs run only on On-Demand EC2 (no Spot, no Fargate)',
    ]);
  });

  it('blames an INVALID or DISABLED compute environment with its reason', () => {
    const causes = diagnose(runnableJob(), [
      computeEnvironment({
        state: 'DISABLED',
        status: 'INVALID',
        statusReason: 'CLIENT_ERROR - subnet not found',
      }),
    ]);
    expect(causes).toEqual([
      'compute environment mpi-ce is DISABLED: enable it or use another queue',
      'compute environment mpi-ce is INVALID: CLIENT_ERROR - subnet not found',
    ]);
  });

  it('blames a DISABLED or INVALID queue', () => {
    const causes = diagnose(runnableJob(), [computeEnvironment()], {
      ...QUEUE,
      state: 'DISABLED',
      status: 'INVALID',
      statusReason: 'CE gone',
    });
    expect(causes).toEqual([
      'job queue mpi-queue is DISABLED: jobs wait until it is enabled',
      'job queue mpi-queue is INVALID: CE gone',
    ]);
  });

  it('blames an instance type the compute environment does not allow', () => {
    const causes = diagnose(runnableJob({ instanceType: 'c5n.18xlarge' }), [computeEnvironment()]);
    expect(causes).toEqual([
      'instance type c5n.18xlarge (asked for by the job) is not allowed by compute environment mpi-ce (allows c5)',
    ]);
  });

  it('points at a missing placement group when nothing else is wrong', () => {
    const causes = diagnose(runnableJob(), [computeEnvironment({}, { placementGroup: undefined })]);
    expect(causes).toEqual([
      'no compute environment of queue mpi-queue has a cluster placement group: MNP nodes need one (see `mnbatch infra up`)',
    ]);
  });

  it('says what usually is the cause when the setup looks right', () => {
    const causes = diagnose(runnableJob(), [computeEnvironment()]);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(
      /look able to run the job: compute environment mpi-ce wants 0 of at most 256 vCPUs/,
    );
    expect(causes[0]).toMatch(/probably waiting for EC2 capacity .*, or for jobs ahead of it$/);
  });

  it('at the head of the queue with the vCPUs wanted: waiting for EC2 capacity', () => {
    const job = runnableJob({ nodes: 4, vcpus: 4 });
    const causes = diagnoseInQueue(job, [`arn:aws:batch:eu-west-1:123456789012:job/${job.jobId}`], {
      desiredvCpus: 16,
    });
    expect(causes).toEqual([
      "queue mpi-queue and its compute environments look able to run the job; it is at the head of queue mpi-queue: compute environment mpi-ce wants 16 of at most 256 vCPUs, enough for the job's 16: Batch is asking EC2 for instances, so it is probably waiting for EC2 capacity of the instance type in the placement group's zone",
    ]);
  });

  it('at the head of the queue before Batch scaled up for it', () => {
    const job = runnableJob({ nodes: 4, vcpus: 4 });
    const causes = diagnoseInQueue(job, [`arn/${job.jobId}`], { desiredvCpus: 4 });
    expect(causes[0]).toContain(
      "at the head of queue mpi-queue: compute environment mpi-ce wants 4 of at most 256 vCPUs, less than the job's 16: Batch has not scaled up for it yet",
    );
  });

  it('names the jobs ahead of it in the queue', () => {
    const job = runnableJob();
    const ahead = (n: number) => Array.from({ length: n }, (_, i) => `arn/other-${i}`);
    const at3 = diagnoseInQueue(job, [...ahead(2), `arn/${job.jobId}`]);
    expect(at3).toEqual(['2 RUNNABLE jobs are ahead of it in queue mpi-queue: Batch starts them first']);
    const behind = diagnoseInQueue(job, ahead(100));
    expect(behind).toEqual(['more than 100 RUNNABLE jobs are ahead of it in queue mpi-queue']);
    // not listed in a short snapshot: the snapshot is older than the job, nothing is claimed
    const stale = diagnoseInQueue(job, ahead(3));
    expect(stale[0]).toMatch(/look able to run the job: /);
  });

  it('compares states without regard to case', () => {
    const lower = (state: string) => state.toLowerCase() as never;
    const causes = diagnose(runnableJob(), [computeEnvironment({ state: lower('DISABLED') })], {
      ...QUEUE,
      status: lower('INVALID'),
      statusReason: 'CE gone',
    });
    expect(causes).toEqual([
      'job queue mpi-queue is INVALID: CE gone',
      'compute environment mpi-ce is DISABLED: enable it or use another queue',
    ]);
  });

  it('does not judge instance types it does not know (optimal)', () => {
    const causes = diagnose(runnableJob({ memory: '900GiB' }), [
      computeEnvironment({}, { instanceTypes: ['optimal'] }),
    ]);
    expect(causes[0]).toMatch(/look able to run the job/);
  });

  it('says when the queue has no compute environment or was not found', () => {
    expect(diagnose(runnableJob(), [], { ...QUEUE, computeEnvironmentOrder: [] })).toEqual([
      'job queue mpi-queue has no compute environment',
    ]);
    expect(diagnoseRunnable({ job: runnableJob(), computeEnvironments: [] })[0]).toMatch(
      /^job queue .* was not found$/,
    );
  });
});
