/**
 * The SDK stubs' lifecycle (test/_helpers/sdk-mock.ts), which the setup file runs for every test
 * file: the model checks it runs after each test must catch a bad request and an impossible
 * answer, and a file's stubs must not outlive it (the unit tier's files share workers).
 */
import { BatchClient, DescribeJobQueuesCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { checkSdkMocks, resetSdkMocks, restoreSdkMocks, sdkMock } from './_helpers/sdk-mock.js';

const client = () => new BatchClient({ region: 'eu-west-1' });

describe('SDK stubs of a test file', () => {
  it('given a client class stubbed once, when asked again anywhere in the file, then it is the same stub', () => {
    expect(sdkMock(BatchClient, 'batch')).toBe(sdkMock(BatchClient, 'batch'));
    expect(() => sdkMock(BatchClient, 'ecs')).toThrow("stubbed as 'batch', asked as 'ecs'");
  });

  it('given a request the API would refuse, when the test ends, then the check names it', async () => {
    sdkMock(BatchClient, 'batch').on(SubmitJobCommand).resolves({ jobId: 'j', jobName: 'a' });
    // jobQueue missing: the real API answers a validation error
    await client().send(new SubmitJobCommand({ jobName: 'a', jobDefinition: 'd' } as never));
    await expect(checkSdkMocks()).rejects.toThrow(
      'SubmitJob: SubmitJob.jobQueue: required by SubmitJobRequest',
    );
    resetSdkMocks();
    await expect(checkSdkMocks()).resolves.toBeUndefined();
  });

  it('given an answer the API could not send, when the test ends, then the check names it', async () => {
    sdkMock(BatchClient, 'batch')
      .on(DescribeJobQueuesCommand)
      .resolves({ jobQueues: [{ jobQueueName: 'q', state: 'ON' } as never] });
    await client().send(new DescribeJobQueuesCommand({ jobQueues: ['q'] }));
    await expect(checkSdkMocks()).rejects.toThrow('mocked answers the AWS API could not have sent');
    resetSdkMocks();
  });

  it('given the file is over, when its stubs are restored, then the real send is back and a new stub can be made', () => {
    const stub = sdkMock(BatchClient, 'batch');
    expect(BatchClient.prototype.send).toBe(stub.send);
    restoreSdkMocks();
    expect(BatchClient.prototype.send).not.toBe(stub.send);
    expect('restore' in BatchClient.prototype.send).toBe(false);
    const next = sdkMock(BatchClient, 'batch');
    expect(next).not.toBe(stub);
    expect(BatchClient.prototype.send).toBe(next.send);
  });
});
