/**
 * `mnbatch image push` as a user runs it: the built CLI (dist/) builds examples/hello-mpi and
 * pushes it to Debian's docker-registry on loopback, through the fake ECR served over HTTP
 * (_ecr-http.ts). It prints the pinned reference of what the registry holds and exits 0; a second
 * run pushes nothing and `--json` says so.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkMock } from '../_helpers/sdk-mock.js';
import { ensureTestImages, REPO } from '../container/images.js';
import { serveEcr } from './_ecr-http.js';
import { fakeEcr } from './_fake-ecr.js';
import { type LoopbackRegistry, startRegistry } from './_registry.js';

const ecrMock = sdkMock(ECRClient, 'ecr');

const CLI = join(REPO, 'dist', 'cli', 'main.js');
const JOB_DIR = join(REPO, 'examples', 'hello-mpi');
const REPOSITORY = 'mnbatch/hello-mpi';

let registry: LoopbackRegistry;
let ecr: Awaited<ReturnType<typeof serveEcr>>;
const localRefs: string[] = [];

beforeAll(async () => {
  await ensureTestImages();
  registry = await startRegistry();
  ecr = await serveEcr();
}, 1_200_000);

afterAll(async () => {
  if (localRefs.length > 0) spawnSync('docker', ['rmi', ...localRefs], { stdio: 'ignore' });
  await ecr?.stop();
  await registry?.stop();
});

/** Runs the built CLI in examples/hello-mpi with AWS pointed at the fake ECR. */
function mnbatch(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    AWS_ENDPOINT_URL: ecr.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: JOB_DIR, env }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('mnbatch image push (built CLI)', () => {
  it('prints the pinned reference and exits 0; again with --json, nothing is pushed', async () => {
    fakeEcr(() => registry);

    const first = await mnbatch(['image', 'push', 'job.yaml']);
    expect(first.code, first.stderr).toBe(0);
    const [tag = '', ...more] = await registry.tags(REPOSITORY);
    expect(more).toEqual([]);
    expect(tag).toMatch(/^mnbatch-[0-9a-f]{16}$/);
    const digest = await registry.manifestDigest(REPOSITORY, tag);
    const pinned = `${registry.host}/${REPOSITORY}@${digest}`;
    localRefs.push(`${registry.host}/${REPOSITORY}:${tag}`, pinned);
    // stdout is the pinned reference alone (for scripts); progress went to stderr, plainly
    expect(first.stdout).toBe(`${pinned}\n`);
    expect(first.stderr).toContain(`creating ECR repository ${REPOSITORY}`);
    expect(first.stderr).toMatch(/^ {2}[0-9a-f]{12}: (Pushed|Mounted from .+|Layer already exists)$/m);
    expect(first.stderr).not.toContain('\x1b');

    const again = await mnbatch(['image', 'push', 'job.yaml', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({
      pinned,
      repository: REPOSITORY,
      tag,
      digest,
      pushed: false,
      repositoryCreated: false,
      lifecyclePolicySet: false,
    });
    expect(again.stderr).toContain('not pushed again');
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(1);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  }, 600_000);
});
