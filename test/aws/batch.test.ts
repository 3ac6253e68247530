import {
  BatchClient,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  GetJobQueueSnapshotCommand,
  ListJobsCommand,
  SubmitJobCommand,
} from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { createBatch } from '../../src/aws/batch.js';
import { AWS_ERROR } from '../../src/aws/errors.js';
import { MnbatchError } from '../../src/errors.js';
import { LAUNCHER_EXIT } from '../../src/jobs/exit-codes.js';
import { invalidRequests, sdkError, sdkMock } from '../_helpers/sdk-mock.js';

const batchMock = sdkMock(BatchClient, 'batch');

const batch = () => createBatch({ region: 'eu-west-1', profile: 'hpc' });

describe('BatchApi over the SDK', () => {
  it('flattens every page of DescribeJobDefinitions', async () => {
    batchMock
      .on(DescribeJobDefinitionsCommand)
      .resolvesOnce({
        jobDefinitions: [{ jobDefinitionName: 'a', jobDefinitionArn: 'x:1', revision: 1, type: 'multinode' }],
        nextToken: 't1',
      })
      .resolvesOnce({
        jobDefinitions: [{ jobDefinitionName: 'a', jobDefinitionArn: 'x:2', revision: 2, type: 'multinode' }],
      });
    const defs = await batch().describeJobDefinitions({ jobDefinitionName: 'a', status: 'ACTIVE' });
    expect(defs.map((d) => d.revision)).toEqual([1, 2]);
    expect(batchMock).toHaveReceivedCommandTimes(DescribeJobDefinitionsCommand, 2);
    expect(batchMock).toHaveReceivedNthCommandWith(DescribeJobDefinitionsCommand, 2, {
      jobDefinitionName: 'a',
      status: 'ACTIVE',
      nextToken: 't1',
    });
  });

  it('describes at most 100 job ids per DescribeJobs call', async () => {
    batchMock.on(DescribeJobsCommand).resolves({ jobs: [] });
    const ids = Array.from({ length: 250 }, (_, i) => `job#${i}`);
    await batch().describeJobs(ids);
    expect(batchMock).toHaveReceivedCommandTimes(DescribeJobsCommand, 3);
    expect(batchMock).toHaveReceivedNthCommandWith(DescribeJobsCommand, 3, { jobs: ids.slice(200) });
  });

  it('flattens ListJobs and passes filters through', async () => {
    batchMock
      .on(ListJobsCommand)
      .resolvesOnce({ jobSummaryList: [{ jobId: '1', jobName: 'n' }], nextToken: 'p2' })
      .resolvesOnce({ jobSummaryList: [{ jobId: '2', jobName: 'n' }] });
    const jobs = await batch().listJobs({ jobQueue: 'q', filters: [{ name: 'JOB_NAME', values: ['n'] }] });
    expect(jobs.map((j) => j.jobId)).toEqual(['1', '2']);
  });

  it('returns the front of the queue from GetJobQueueSnapshot, empty when Batch sends none', async () => {
    const front = {
      jobs: [{ jobArn: 'arn:aws:batch:eu-west-1:1:job/a', earliestTimeAtPosition: 5 }],
      lastUpdatedAt: 9,
    };
    batchMock.on(GetJobQueueSnapshotCommand).resolvesOnce({ frontOfQueue: front }).resolvesOnce({});
    expect(await batch().getJobQueueSnapshot('mpi-queue')).toEqual(front);
    expect(await batch().getJobQueueSnapshot('mpi-queue')).toEqual({});
    expect(batchMock).toHaveReceivedCommandWith(GetJobQueueSnapshotCommand, { jobQueue: 'mpi-queue' });
  });

  it('lists every queue when no name is given', async () => {
    batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [] });
    await batch().describeJobQueues();
    expect(batchMock).toHaveReceivedCommandWith(DescribeJobQueuesCommand, {});
  });

  it('turns an expired token into one clear line and the credentials exit code', async () => {
    batchMock
      .on(SubmitJobCommand)
      .rejects(sdkError('ExpiredTokenException', 'The security token included in the request is expired'));
    const error = await batch()
      .submitJob({ jobName: 'j', jobQueue: 'q', jobDefinition: 'd' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MnbatchError);
    expect((error as MnbatchError).code).toBe(AWS_ERROR.credentials);
    expect((error as MnbatchError).exitCode).toBe(LAUNCHER_EXIT.awsCredentials);
    expect((error as MnbatchError).message).toBe(
      'AWS credentials expired or missing for profile hpc: run `aws sso login --profile hpc` (or set AWS_PROFILE / --profile) and try again',
    );
  });

  it('names the action that was denied', async () => {
    batchMock
      .on(SubmitJobCommand)
      .rejects(sdkError('AccessDeniedException', 'User: arn:aws:iam::1:user/bob is not authorized'));
    await expect(batch().submitJob({ jobName: 'j', jobQueue: 'q', jobDefinition: 'd' })).rejects.toThrow(
      'not allowed to call batch:SubmitJob: User: arn:aws:iam::1:user/bob is not authorized',
    );
  });

  it('reports throttling that outlasted the retries', async () => {
    batchMock.on(DescribeJobsCommand).rejects(sdkError('ThrottlingException', 'Rate exceeded'));
    const error = (await batch()
      .describeJobs(['a'])
      .catch((e: unknown) => e)) as MnbatchError;
    expect(error.code).toBe(AWS_ERROR.throttled);
    expect(error.exitCode).toBe(LAUNCHER_EXIT.awsThrottled);
    expect(error.message).toBe(
      'AWS kept throttling batch:DescribeJobs after retrying; wait a minute and run the command again',
    );
  });

  it('shows the message of a ClientException', async () => {
    batchMock
      .on(SubmitJobCommand)
      .rejects(sdkError('ClientException', 'Job queue mpi-queue does not exist.'));
    await expect(
      batch().submitJob({ jobName: 'j', jobQueue: 'mpi-queue', jobDefinition: 'd' }),
    ).rejects.toThrow('AWS rejected batch:SubmitJob: Job queue mpi-queue does not exist.');
  });

  it('says how to set a region when none is configured', async () => {
    batchMock.on(SubmitJobCommand).rejects(new Error('Region is missing'));
    await expect(batch().submitJob({ jobName: 'j', jobQueue: 'q', jobDefinition: 'd' })).rejects.toThrow(
      'no AWS region: pass --region, set AWS_REGION, or set a region in the profile',
    );
  });

  it('the request check catches what the real API would refuse', async () => {
    batchMock.on(ListJobsCommand).resolves({ jobSummaryList: [] });
    await batch().listJobs({ jobQueue: 'q', jobStatus: 'DONE' as never });
    expect(invalidRequests(batchMock, 'batch')).toEqual([
      'ListJobs: ListJobs.jobStatus: "DONE" is not one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED',
    ]);
    batchMock.reset(); // this test sent it on purpose
  });
});
