/**
 * The CloudWatch Logs calls mnbatch makes: reading one log stream forward. Errors come out as
 * MnbatchError (a stream that does not exist yet is AWS_NOT_FOUND, throttling AWS_THROTTLED).
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type AwsOptions, awsClient } from './clients.js';
import { type AwsErrorContext, awsCall } from './errors.js';

/** One page of a log stream read forward. */
export interface LogPage {
  readonly events: readonly { readonly timestamp?: number; readonly message?: string }[];
  /** Pass back to continue after these events; equal to the token sent when nothing is new. */
  readonly nextForwardToken?: string;
}

/** What mnbatch asks of CloudWatch Logs. */
export interface LogsApi {
  /**
   * One GetLogEvents call reading forward from the stream's start (or `startTime`) or from
   * `nextToken`; with `tail`, the last `tail` events instead (reading back from the end).
   */
  getLogEvents(input: {
    readonly logGroupName: string;
    readonly logStreamName: string;
    readonly nextToken?: string;
    readonly startTime?: number;
    readonly tail?: number;
  }): Promise<LogPage>;
}

/** A LogsApi over the real service (or a CloudWatchLogsClient mocked with aws-sdk-client-mock). */
export function createLogs(options: AwsOptions): LogsApi {
  return logsApi(awsClient(CloudWatchLogsClient, options), options);
}

/** A LogsApi over an existing client. */
export function logsApi(client: CloudWatchLogsClient, context: AwsErrorContext = {}): LogsApi {
  return {
    getLogEvents: (input) =>
      awsCall({ ...context, service: 'logs', operation: 'GetLogEvents' }, async () => {
        const out = await client.send(
          new GetLogEventsCommand({
            logGroupName: input.logGroupName,
            logStreamName: input.logStreamName,
            startFromHead: input.tail === undefined,
            ...(input.tail !== undefined ? { limit: input.tail } : {}),
            ...(input.startTime !== undefined ? { startTime: input.startTime } : {}),
            ...(input.nextToken ? { nextToken: input.nextToken } : {}),
          }),
        );
        return {
          events: out.events ?? [],
          ...(out.nextForwardToken ? { nextForwardToken: out.nextForwardToken } : {}),
        };
      }),
  };
}
