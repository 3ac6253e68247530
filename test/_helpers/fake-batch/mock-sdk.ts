/**
 * aws-sdk-client-mock'd Batch and CloudWatch Logs clients for tests at the SDK boundary. Importing
 * this module registers hooks on the test file: mocks are reset before each test, and after each
 * test every command sent is checked against the botocore service model, so no test can send a
 * request the real API would refuse.
 */
import { BatchClient } from '@aws-sdk/client-batch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach } from 'vitest';
import { modelErrors, responseErrors } from '../aws-model.js';

export const batchMock = mockClient(BatchClient);
export const logsMock = mockClient(CloudWatchLogsClient);

// biome-ignore lint/suspicious/noExplicitAny: the stub's generic types differ per client
type AnyStub = AwsStub<any, any, any>;

/** Every problem of the requests `mock` received, as "Operation: problem" lines. */
export function invalidRequests(mock: AnyStub, service: string): string[] {
  const problems: string[] = [];
  for (const call of mock.calls()) {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    const operation = command.constructor.name.replace(/Command$/, '');
    for (const p of modelErrors(service, operation, command.input)) problems.push(`${operation}: ${p}`);
  }
  return problems;
}

/** Every problem of the answers `mock` gave (what tests made it resolve to), as "Operation: problem" lines. */
export async function invalidResponses(mock: AnyStub, service: string): Promise<string[]> {
  const problems: string[] = [];
  for (const call of mock.calls()) {
    const command = call.args[0] as { constructor: { name: string } };
    const operation = command.constructor.name.replace(/Command$/, '');
    const output = await Promise.resolve(call.returnValue).catch(() => undefined);
    if (output === undefined) continue;
    for (const p of responseErrors(service, operation, output)) problems.push(`${operation}: ${p}`);
  }
  return problems;
}

/** An error as the SDK throws it for an AWS error response. */
export function sdkError(name: string, message = name, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode } });
}

beforeEach(() => {
  batchMock.reset();
  logsMock.reset();
});

afterEach(async () => {
  const problems = [...invalidRequests(batchMock, 'batch'), ...invalidRequests(logsMock, 'logs')];
  if (problems.length > 0) throw new Error(`requests the AWS API would refuse:\n  ${problems.join('\n  ')}`);
  const answers = [
    ...(await invalidResponses(batchMock, 'batch')),
    ...(await invalidResponses(logsMock, 'logs')),
  ];
  if (answers.length > 0)
    throw new Error(`mocked answers the AWS API could not have sent:\n  ${answers.join('\n  ')}`);
});
