import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { AWS_ERROR, isAwsError } from '../../src/aws/errors.js';
import { createLogs } from '../../src/aws/logs.js';
import { sdkError, sdkMock } from '../_helpers/sdk-mock.js';

const logsMock = sdkMock(CloudWatchLogsClient, 'logs');

describe('LogsApi over the SDK', () => {
  it('reads forward from the head, then from nextForwardToken', async () => {
    logsMock
      .on(GetLogEventsCommand)
      .resolves({ events: [{ timestamp: 1, message: 'hi' }], nextForwardToken: 'f/2' });
    const logs = createLogs({ region: 'eu-west-1' });
    const page = await logs.getLogEvents({ logGroupName: '/aws/batch/job', logStreamName: 's' });
    await logs.getLogEvents({ logGroupName: '/aws/batch/job', logStreamName: 's', nextToken: 'f/2' });
    expect(page).toEqual({ events: [{ timestamp: 1, message: 'hi' }], nextForwardToken: 'f/2' });
    expect(logsMock).toHaveReceivedNthCommandWith(GetLogEventsCommand, 1, {
      logGroupName: '/aws/batch/job',
      logStreamName: 's',
      startFromHead: true,
    });
    expect(logsMock).toHaveReceivedNthCommandWith(GetLogEventsCommand, 2, {
      nextToken: 'f/2',
      startFromHead: true,
    });
  });

  it('reports a stream that does not exist yet as AWS_NOT_FOUND', async () => {
    logsMock
      .on(GetLogEventsCommand)
      .rejects(sdkError('ResourceNotFoundException', 'The specified log stream does not exist.'));
    const error = await createLogs({ region: 'eu-west-1' })
      .getLogEvents({ logGroupName: 'g', logStreamName: 's' })
      .catch((e: unknown) => e);
    expect(isAwsError(error, AWS_ERROR.notFound)).toBe(true);
  });
});
