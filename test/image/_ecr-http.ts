/**
 * The fake ECR of _fake-ecr.ts over HTTP on 127.0.0.1, for tests of the built CLI (a separate
 * process, which aws-sdk-client-mock cannot reach): each awsJson1.1 request (`X-Amz-Target:
 * AmazonEC2ContainerRegistry_V20150921.<Operation>`) is sent through an in-process ECRClient,
 * which `ecrMock` answers — so the requests are model-checked after each test like any other —
 * and the answer or error goes back as the service would send it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';

const TARGET = /^AmazonEC2ContainerRegistry_V20150921\.([A-Za-z]+)$/;

type Send = (command: unknown) => Promise<Record<string, unknown>>;
type CommandClass = new (input: never) => unknown;

/** The operations mnbatch calls (src/aws/ecr.ts). */
const COMMANDS: Readonly<Record<string, CommandClass>> = {
  CreateRepository: CreateRepositoryCommand,
  DescribeImages: DescribeImagesCommand,
  DescribeRepositories: DescribeRepositoriesCommand,
  GetAuthorizationToken: GetAuthorizationTokenCommand,
  GetLifecyclePolicy: GetLifecyclePolicyCommand,
  PutLifecyclePolicy: PutLifecyclePolicyCommand,
};

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** awsJson1.1 sends timestamps as epoch seconds. */
function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

/** Starts the front; `endpoint` goes into AWS_ENDPOINT_URL of the CLI. */
export async function serveEcr(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const client = new ECRClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  // Looked up on every request: ecrMock's stub of send is what answers.
  const sender = client as unknown as { send: Send };
  const server = createServer(async (request, response) => {
    const operation = TARGET.exec(String(request.headers['x-amz-target'] ?? ''))?.[1] ?? '';
    const Command = COMMANDS[operation];
    const reply = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(text);
    };
    try {
      if (!Command)
        throw Object.assign(new Error(`unknown operation ${operation}`), { name: 'UnknownOperation' });
      const input: never = JSON.parse((await body(request)) || '{}') as never;
      const answer = await sender.send(new Command(input));
      if (!answer) throw Object.assign(new Error(`no fake answer for ${operation}`), { name: 'NoFake' });
      const { $metadata: _metadata, ...out } = answer;
      reply(200, toJson(out));
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      reply(400, JSON.stringify({ __type: error.name, message: error.message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
