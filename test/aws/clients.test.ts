/**
 * The client factory with real SDK clients: requests go to an HTTP server on loopback
 * (AWS_ENDPOINT_URL), which records what the SDK sent, so the user agent, the profile's
 * credentials and the region (in the SigV4 credential scope) are checked as AWS would see them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchClient, ListJobsCommand } from '@aws-sdk/client-batch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AWS_RETRY, awsClient, resolveAwsOptions } from '../../src/aws/clients.js';
import { AWS_ERROR } from '../../src/aws/errors.js';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';
import { mnbatchVersion } from '../../src/version.js';

/** What the loopback endpoint saw: one entry per request. */
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let server: Server;
let endpoint = '';

/** An answer of the loopback endpoint. */
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** Batch's answers: empty lists unless a test says otherwise. */
const emptyLists = (url: string): Answer => ({
  status: 200,
  body: url.includes('describejobqueues') ? '{"jobQueues":[]}' : '{"jobSummaryList":[]}',
});
let answer = emptyLists;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const a = answer(req.url ?? '');
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** A shared config with two profiles, as `aws configure` writes them. */
function writeAwsConfig(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-aws-config-'));
  writeFileSync(
    join(dir, 'config'),
    [
      '[default]',
      'region = us-east-2',
      '[profile hpc]',
      'region = eu-north-1',
      '[profile noregion]',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'credentials'),
    [
      '[default]',
      'aws_access_key_id = AKIADEFAULT',
      'aws_secret_access_key = secret0',
      '[hpc]',
      'aws_access_key_id = AKIAHPCPROFILE',
      'aws_secret_access_key = secret1',
      '[noregion]',
      'aws_access_key_id = AKIANOREGION',
      'aws_secret_access_key = secret2',
      '',
    ].join('\n'),
  );
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
}

beforeEach(() => {
  seen.length = 0;
  answer = emptyLists;
  for (const name of [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
  ]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
  writeAwsConfig();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The access key and region of a SigV4 Authorization header. */
function credentialScope(headers: IncomingHttpHeaders): {
  accessKey: string;
  region: string;
  service: string;
} {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(headers.authorization ?? '');
  return { accessKey: match?.[1] ?? '', region: match?.[2] ?? '', service: match?.[3] ?? '' };
}

describe('awsClient', () => {
  it('sends mnbatch/<version> in the user agent and signs for the profile and region given', async () => {
    const client = awsClient(BatchClient, { profile: 'hpc', region: 'ap-south-1' });

    await client.send(new ListJobsCommand({ jobQueue: 'q' }));
    client.destroy();

    expect(seen).toHaveLength(1);
    const headers = seen[0]?.headers ?? {};
    expect(headers['user-agent']).toContain(`mnbatch/${mnbatchVersion()}`);
    expect(credentialScope(headers)).toEqual({
      accessKey: 'AKIAHPCPROFILE',
      region: 'ap-south-1',
      service: 'batch',
    });
  });

  it('uses adaptive retries', async () => {
    const client = awsClient(BatchClient, { region: 'eu-west-1' });

    expect(await client.config.maxAttempts()).toBe(AWS_RETRY.maxAttempts);
    expect(client.config.retryMode).toBe('adaptive');
    client.destroy();
  });
});

describe('resolveAwsOptions', () => {
  it('takes the given region first, then AWS_REGION of the environment, then the profile’s', async () => {
    expect((await resolveAwsOptions({ region: 'sa-east-1', profile: 'hpc' }, BatchClient, {})).region).toBe(
      'sa-east-1',
    );
    expect(
      (await resolveAwsOptions({ profile: 'hpc' }, BatchClient, { AWS_REGION: 'ca-central-1' })).region,
    ).toBe('ca-central-1');
    expect((await resolveAwsOptions({ profile: 'hpc' }, BatchClient, {})).region).toBe('eu-north-1');
    expect((await resolveAwsOptions({}, BatchClient, {})).region).toBe('us-east-2');
    expect(seen).toEqual([]);
  });

  it('fails before any call when no region is configured anywhere, saying where to set one', async () => {
    const failed = await resolveAwsOptions({ profile: 'noregion', command: 'submit' }, BatchClient, {}).catch(
      (e: unknown) => e,
    );

    expect(failed).toMatchObject({
      code: AWS_ERROR.noRegion,
      message: 'no AWS region: pass --region or set AWS_REGION, or set region in profile noregion',
    });
    expect(seen).toEqual([]);
  });
});

describe('global --region / --profile reach the clients', () => {
  async function run(...argv: string[]) {
    const output = memoryOutput();
    const code = await exec(argv, { output, env: {} });
    return { code, output };
  }

  it('after the command: mnbatch list --profile hpc --region ap-south-1', async () => {
    const { code, output } = await run('list', '--queue', 'q', '--profile', 'hpc', '--region', 'ap-south-1');

    expect(output.stderr).toEqual(['no mnbatch jobs found']);
    expect(code).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) {
      expect(credentialScope(request.headers)).toMatchObject({
        accessKey: 'AKIAHPCPROFILE',
        region: 'ap-south-1',
      });
      expect(request.headers['user-agent']).toContain(`mnbatch/${mnbatchVersion()}`);
    }
  });

  it('before the command, and the profile’s own region when no --region is given', async () => {
    const { code } = await run('--profile', 'hpc', 'list', '--queue', 'q');

    expect(code).toBe(0);
    expect(seen.map((r) => credentialScope(r.headers))).toContainEqual({
      accessKey: 'AKIAHPCPROFILE',
      region: 'eu-north-1',
      service: 'batch',
    });
  });

  it('a profile without a region and no --region: one clear error line, exit 1, nothing sent', async () => {
    const { code, output } = await run('status', 'job-1', '--profile', 'noregion');

    expect(code).toBe(1);
    expect(output.stderr[0]).toBe(
      'error: no AWS region: pass --region or set AWS_REGION, or set region in profile noregion',
    );
    expect(seen).toEqual([]);
  });

  it('AccessDenied from the service: names the action and the iam-policy variant, exit 77', async () => {
    answer = () => ({
      status: 403,
      headers: { 'x-amzn-errortype': 'AccessDeniedException' },
      body: JSON.stringify({
        message: 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: batch:ListJobs',
      }),
    });

    const { code, output } = await run('list', '--queue', 'q', '--region', 'eu-west-1');

    expect(code).toBe(77);
    expect(output.stderr).toEqual([
      'error: not allowed to call batch:ListJobs: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: batch:ListJobs',
      '  `mnbatch iam-policy --role submit` prints the policy that grants batch:ListJobs to `mnbatch list`',
    ]);
  });

  it('a profile that does not exist: the SDK cannot load credentials, the error says how to log in, exit 77', async () => {
    const { code, output } = await run(
      'list',
      '--queue',
      'q',
      '--profile',
      'nosuch',
      '--region',
      'eu-west-1',
    );

    expect(code).toBe(77);
    expect(output.stderr[0]).toBe(
      'error: AWS credentials expired or missing for profile nosuch: run `aws sso login --profile nosuch` (or set AWS_PROFILE / --profile) and try again',
    );
    expect(seen).toEqual([]);
  });
});
