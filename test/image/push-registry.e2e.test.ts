/**
 * `submit` with `build:` against a real registry: examples/hello-mpi is built, pushed to Debian's
 * docker-registry on loopback (logged in with basic auth, as ECR's logins are) through a fake ECR
 * at the SDK boundary, and the job definition is registered with the image pinned by the digest
 * the registry itself reports. A second submit of the unchanged job pushes and registers nothing,
 * and the pinned reference runs on 2 nodes with `run --local`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagePinner, jobImageOf, pushImage } from '../../src/image/job-images.js';
import { submitPlan } from '../../src/jobs/submit.js';
import { runLocal } from '../../src/local/run-local.js';
import { planJobText } from '../../src/plan/index.js';
import { memoryOutput } from '../../src/ui/output.js';
import { mnbatchVersion } from '../../src/version.js';
import { FakeBatch } from '../_helpers/fake-batch/fake-batch.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { sdkMock } from '../_helpers/sdk-mock.js';
import { ensureTestImages, REPO } from '../container/images.js';
import { computeEnvironment, QUEUE } from '../jobs/_fixtures.js';
import { fakeEcr } from './_fake-ecr.js';
import { type LoopbackRegistry, startRegistry } from './_registry.js';

const ecrMock = sdkMock(ECRClient, 'ecr');

const JOB_DIR = join(REPO, 'examples', 'hello-mpi');
const JOB_FILE = join(JOB_DIR, 'job.yaml');
const REPOSITORY = 'mnbatch/hello-mpi';

let registry: LoopbackRegistry;
/** The pinned image the first test registered. */
let pinned = '';

beforeAll(async () => {
  await ensureTestImages();
  registry = await startRegistry();
}, 1_200_000);

/** Local names the pushes left (the registry's tag and digest of hello-mpi): untagged, the image stays. */
const localRefs: string[] = [];

afterAll(async () => {
  if (localRefs.length > 0) spawnSync('docker', ['rmi', ...localRefs], { stdio: 'ignore' });
  await registry?.stop();
});

/** One `submit examples/hello-mpi/job.yaml` (no --wait) against `batch`. */
async function submit(batch: FakeBatch) {
  const output = memoryOutput();
  const { spec, plan } = planJobText(readFileSync(JOB_FILE, 'utf8'), JOB_FILE, {
    rendezvous: {
      kind: 'stack-key',
      parameterArn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/mnbatch/demo/rendezvous-key',
      executionRoleArn: 'arn:aws:iam::123456789012:role/mnbatch-demo-execution',
    },
    version: mnbatchVersion(),
  });
  const say = (line: string) => output.err(line);
  const code = await submitPlan(
    {
      batch,
      output,
      clock: new FakeClock(),
      signal: new AbortController().signal,
      pinImages: imagePinner(
        { aws: { region: 'eu-west-1' }, env: process.env, say, signal: new AbortController().signal },
        jobImageOf(spec, JOB_DIR, true),
      ),
    },
    plan,
  );
  return { code, text: output.text() };
}

/** `mnbatch image push examples/hello-mpi/job.yaml` for instances of `instanceTypes`. */
function pushHello(instanceTypes: string[]) {
  return pushImage(
    { aws: { region: 'eu-west-1' }, env: process.env, say: () => {}, signal: new AbortController().signal },
    {
      image: 'mnbatch-examples/hello-mpi:latest',
      build: { context: '.', args: {} },
      dir: JOB_DIR,
      job: 'hello-mpi',
      instanceTypes,
    },
  );
}

/** Requests that write to the registry (blob uploads, manifests) in `log`. */
function writes(log: string): string[] {
  return log.split('\n').filter((l) => /"(PUT|POST|PATCH|DELETE) \/v2\//.test(l));
}

describe('submit with build: against a registry on loopback', () => {
  it('pushes hello-mpi, pins the definition by the registry’s digest; a second submit pushes and registers nothing', async () => {
    fakeEcr(() => registry);
    const batch = new FakeBatch({
      clock: new FakeClock(),
      queues: [QUEUE],
      computeEnvironments: [computeEnvironment()],
    });

    const first = await submit(batch);
    expect(first.code, first.text).toBe(0);
    const [tag, ...moreTags] = await registry.tags(REPOSITORY);
    expect(moreTags).toEqual([]);
    const digest = await registry.manifestDigest(REPOSITORY, tag ?? '');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const registered = batch.calls.filter((c) => c.op === 'RegisterJobDefinition');
    expect(registered).toHaveLength(1);
    type Registered = { nodeProperties: { nodeRangeProperties: { container: { image: string } }[] } };
    const images = (registered[0]?.input as Registered | undefined)?.nodeProperties.nodeRangeProperties.map(
      (r) => r.container.image,
    );
    expect(images).toEqual([`${registry.host}/${REPOSITORY}@${digest}`]);
    pinned = images?.[0] ?? '';
    localRefs.push(`${registry.host}/${REPOSITORY}:${tag}`, pinned);
    expect(writes(registry.log()).length).toBeGreaterThan(0);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(1);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0]?.args[0].input).toMatchObject({
      repositoryName: REPOSITORY,
      imageScanningConfiguration: { scanOnPush: true },
      tags: [{ Key: 'mnbatch:job', Value: 'hello-mpi' }],
    });

    const logBefore = registry.log().length;
    const second = await submit(batch);
    expect(second.code, second.text).toBe(0);
    expect(second.text).toMatch(/not pushed again/);
    expect(second.text).toMatch(/unchanged: reused/);
    expect(writes(registry.log().slice(logBefore))).toEqual([]);
    expect(batch.calls.filter((c) => c.op === 'RegisterJobDefinition')).toHaveLength(1);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(1);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    const submitted = batch.calls
      .filter((c) => c.op === 'SubmitJob')
      .map((c) => (c.input as { jobDefinition: string }).jobDefinition);
    expect(submitted).toHaveLength(2);
    expect(submitted[1]).toBe(submitted[0]);

    // `mnbatch image push` takes the same path: the image is there, so nothing is pushed
    const pushed = await pushHello(['c5.large']);
    expect(pushed).toMatchObject({ pinned: images?.[0], tag, pushed: false, repositoryCreated: false });
    expect(writes(registry.log().slice(logBefore))).toEqual([]);
  }, 600_000);

  it('the pinned image runs hello-mpi on 2 nodes with run --local', async () => {
    expect(pinned).toMatch(/@sha256:[0-9a-f]{64}$/);
    const cwd = mkdtempSync(join(tmpdir(), 'mnbatch-pinned-'));
    writeFileSync(
      join(cwd, 'job.yaml'),
      readFileSync(join(REPO, 'test/_fixtures/local/hello-two.yaml'), 'utf8').replace(
        /^image: .*$/m,
        `image: ${pinned}`,
      ),
    );
    const output = memoryOutput();
    const code = await runLocal({
      file: 'job.yaml',
      cwd,
      output,
      signal: new AbortController().signal,
      build: false,
      childGraceMs: 15_000,
    });
    expect(code, output.text()).toBe(0);
    expect(output.text()).toMatch(/hello-mpi: size=2 allreduce=3 expected=3 OK/);
  }, 300_000);

  it('refuses to push an amd64 image for Graviton instances, before any ECR call', async () => {
    fakeEcr(() => registry);
    await expect(pushHello(['c7g.large'])).rejects.toMatchObject({ code: 'IMAGE_PLATFORM_MISMATCH' });
    expect(ecrMock.calls()).toHaveLength(0);
  }, 300_000);
});
