/**
 * aws-sdk-client-mock stubs for tests at the SDK boundary, one per client class and test file.
 *
 * `sdkMock(BatchClient, 'batch')` stubs `BatchClient.prototype.send` for the rest of the test file
 * and returns the stub; every later call in the same file (in the file, a helper or a test) returns
 * the same stub. The setup file (test/_helpers/setup.ts) drives the lifecycle of every stub made
 * here:
 * - before each test, the stubs are reset (no behaviour, no calls);
 * - after each test, every command sent and every answer given is checked against the botocore
 *   model, so no test can send a request the real API would refuse or rely on an answer it
 *   could not give;
 * - after the file, the real `send` is back.
 *
 * The unit tier runs files one after another in a shared worker (vitest `isolate: false`): a
 * helper module is evaluated once per worker, so stubs and hooks made at a helper's top level
 * would outlive their file. That is why stubs are made by calls, and hooks live in the setup file,
 * which runs for every file.
 */
import type { Client, MetadataBearer } from '@smithy/types';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { modelErrors, responseErrors } from './aws-model.js';

// biome-ignore lint/suspicious/noExplicitAny: the stub's generic types differ per client
type AnyStub = AwsStub<any, any, any>;

/** The stubs of the current test file, by client class. */
const stubs = new Map<unknown, { readonly service: string; readonly stub: AnyStub }>();

/**
 * This test file's stub of `client`'s `send`; `service` is its botocore name (`batch`, `logs`,
 * `ec2`, `service-quotas`, ...), for the model checks.
 */
export function sdkMock<TInput extends object, TOutput extends MetadataBearer, TConfiguration>(
  client: { readonly prototype: Client<TInput, TOutput, TConfiguration>; readonly name: string },
  service: string,
): AwsStub<TInput, TOutput, TConfiguration> {
  const known = stubs.get(client);
  if (known) {
    if (known.service !== service)
      throw new Error(`sdkMock(${client.name}): stubbed as '${known.service}', asked as '${service}'`);
    return known.stub as AwsStub<TInput, TOutput, TConfiguration>;
  }
  const stub = mockClient(client);
  stubs.set(client, { service, stub });
  return stub;
}

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

/** Before each test: no behaviour and no calls on any stub. */
export function resetSdkMocks(): void {
  for (const { stub } of stubs.values()) stub.reset();
}

/** After each test: throws when a stub received a request, or gave an answer, the real API would not. */
export async function checkSdkMocks(): Promise<void> {
  const all = [...stubs.values()];
  const requests = all.flatMap(({ stub, service }) => invalidRequests(stub, service));
  if (requests.length > 0) throw new Error(`requests the AWS API would refuse:\n  ${requests.join('\n  ')}`);
  const answers = (await Promise.all(all.map(({ stub, service }) => invalidResponses(stub, service)))).flat();
  if (answers.length > 0)
    throw new Error(`mocked answers the AWS API could not have sent:\n  ${answers.join('\n  ')}`);
}

/** After the file: the real clients are back, for the next file in this worker. */
export function restoreSdkMocks(): void {
  for (const { stub } of stubs.values()) stub.restore();
  stubs.clear();
}
