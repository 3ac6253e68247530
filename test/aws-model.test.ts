import { describe, expect, it } from 'vitest';
import { modelErrors } from './_helpers/aws-model.js';

describe('the AWS service model checker', () => {
  it('accepts a minimal valid request', () => {
    expect(modelErrors('batch', 'SubmitJob', { jobName: 'a', jobQueue: 'q', jobDefinition: 'd' })).toEqual(
      [],
    );
  });

  it('ignores members set to undefined, as the SDK does not send them', () => {
    expect(
      modelErrors('batch', 'SubmitJob', {
        jobName: 'a',
        jobQueue: 'q',
        jobDefinition: 'd',
        notAMember: undefined,
      }),
    ).toEqual([]);
  });

  it('names missing required members, unknown members, bad enums and bad types', () => {
    const errors = modelErrors('batch', 'RegisterJobDefinition', {
      type: 'multinodes',
      timeout: { attemptDurationSeconds: '60' },
      nodeProperty: {},
    });
    expect(errors).toEqual([
      'RegisterJobDefinition.jobDefinitionName: required by RegisterJobDefinitionRequest',
      expect.stringContaining('RegisterJobDefinition.type: "multinodes" is not one of'),
      expect.stringContaining('RegisterJobDefinition.timeout.attemptDurationSeconds: expected an integer'),
      'RegisterJobDefinition.nodeProperty: not a member of RegisterJobDefinitionRequest',
    ]);
  });
});

describe('the fakes are held to the model too', () => {
  it('FakeBatch refuses to give an answer Batch could not send', async () => {
    const { FakeBatch } = await import('./_helpers/fake-batch/fake-batch.js');
    const { FakeClock } = await import('./_helpers/fake-clock.js');
    const batch = new FakeBatch({
      clock: new FakeClock(),
      queues: [
        {
          jobQueueName: 'q',
          jobQueueArn: 'arn:q',
          state: 'on' as never,
          priority: 1,
          computeEnvironmentOrder: [],
        },
      ],
    });
    await expect(batch.describeJobQueues(['q'])).rejects.toThrow(
      /DescribeJobQueues response\.jobQueues\[0\]\.state: "on" is not one of ENABLED, DISABLED/,
    );
  });
});
