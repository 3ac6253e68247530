import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_INPUTS_LABEL,
  ensureAgentImage,
  ensureJobImage,
  LOCAL_BASE_IMAGE,
  PUBLIC_BASE_IMAGE,
} from '../../src/local/images.js';
import { fakeDocker } from './fake-docker.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'mnbatch-images-'));
  made.push(root);
  return root;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const DOCKERFILE = 'FROM scratch\n';

function packageWithAgent(content = 'agent-binary') {
  const root = tempRoot();
  mkdirSync(join(root, 'dist', 'agent-bundle'), { recursive: true });
  mkdirSync(join(root, 'container'));
  writeFileSync(join(root, 'dist', 'agent-bundle', 'mnbatch-agent'), content);
  writeFileSync(join(root, 'container', 'Dockerfile'), DOCKERFILE);
  /** The inputs label of an image built from this package on `base`. */
  const inputs = (base: string) => `${sha(content)} ${sha(DOCKERFILE)} ${base}`;
  return { root, inputs };
}

const say = () => {};

describe('ensureAgentImage', () => {
  it('builds mnbatch/agent:<version> and :latest from the bundle, on the local base image when there is one', async () => {
    const { root, inputs } = packageWithAgent();
    const fake = fakeDocker({ images: { [LOCAL_BASE_IMAGE]: {} } });
    await ensureAgentImage(fake.docker, { packageRoot: root, version: '1.2.3', say });
    expect(fake.builds).toEqual([
      {
        context: join(root, 'dist', 'agent-bundle'),
        dockerfile: join(root, 'container', 'Dockerfile'),
        tags: ['mnbatch/agent:1.2.3', 'mnbatch/agent:latest'],
        args: { BASE_IMAGE: LOCAL_BASE_IMAGE },
        labels: { [AGENT_INPUTS_LABEL]: inputs(LOCAL_BASE_IMAGE) },
      },
    ]);
  });

  it('builds mnbatch/agent-mpich:<version> and :latest with MPI=mpich when the job names MPICH, apart from the Open MPI image', async () => {
    const { root, inputs } = packageWithAgent();
    const fake = fakeDocker({ images: { [LOCAL_BASE_IMAGE]: {} } });
    const said: string[] = [];
    await ensureAgentImage(fake.docker, {
      packageRoot: root,
      version: '1.2.3',
      say: (line) => said.push(line),
      mpi: 'mpich',
    });
    // The first MPICH build compiles MPICH: the user is told why it takes long.
    expect(said).toEqual([
      `building the agent image mnbatch/agent-mpich:1.2.3 from ${LOCAL_BASE_IMAGE}, compiling MPICH (about 15 minutes the first time; Docker caches it)`,
    ]);
    expect(fake.builds).toEqual([
      expect.objectContaining({
        tags: ['mnbatch/agent-mpich:1.2.3', 'mnbatch/agent-mpich:latest'],
        args: { BASE_IMAGE: LOCAL_BASE_IMAGE, MPI: 'mpich' },
        labels: { [AGENT_INPUTS_LABEL]: `${inputs(LOCAL_BASE_IMAGE)} mpich` },
      }),
    ]);
  });

  it('does not rebuild when the image holds the same agent', async () => {
    const { root, inputs } = packageWithAgent();
    const fake = fakeDocker({
      images: { 'mnbatch/agent:1.2.3': { [AGENT_INPUTS_LABEL]: inputs(PUBLIC_BASE_IMAGE) } },
    });
    await ensureAgentImage(fake.docker, { packageRoot: root, version: '1.2.3', say });
    expect(fake.builds).toEqual([]);
    expect(fake.calls).toEqual(['tag mnbatch/agent:1.2.3 mnbatch/agent:latest']);
  });

  it('rebuilds when the agent changed, with the public base image when no local one exists', async () => {
    const { root } = packageWithAgent('new agent');
    const fake = fakeDocker({ images: { 'mnbatch/agent:1.2.3': { [AGENT_INPUTS_LABEL]: 'old' } } });
    await ensureAgentImage(fake.docker, { packageRoot: root, version: '1.2.3', say });
    expect(fake.builds[0]?.args).toEqual({ BASE_IMAGE: PUBLIC_BASE_IMAGE });
  });

  it('rebuilds when the base image changes', async () => {
    const { root, inputs } = packageWithAgent();
    const fake = fakeDocker({
      images: {
        [LOCAL_BASE_IMAGE]: {},
        'mnbatch/agent:1.2.3': { [AGENT_INPUTS_LABEL]: inputs(PUBLIC_BASE_IMAGE) },
      },
    });
    await ensureAgentImage(fake.docker, { packageRoot: root, version: '1.2.3', say });
    expect(fake.builds[0]?.args).toEqual({ BASE_IMAGE: LOCAL_BASE_IMAGE });
  });

  it('says how to build the agent when its executable is missing', async () => {
    const root = tempRoot();
    await expect(
      ensureAgentImage(fakeDocker().docker, { packageRoot: root, version: '1', say }),
    ).rejects.toMatchObject({
      code: 'AGENT_NOT_BUILT',
      details: ['build it with: npm run build:agent'],
    });
  });
});

describe('ensureJobImage', () => {
  it('builds the job image from its context, relative to job.yaml, with the build args', async () => {
    const fake = fakeDocker();
    await ensureJobImage(fake.docker, {
      image: 'me/job:1',
      build: { context: 'app', dockerfile: 'docker/Dockerfile', args: { V: '2' } },
      dir: '/jobs',
      allowBuild: true,
      say,
    });
    expect(fake.builds).toEqual([
      {
        context: '/jobs/app',
        dockerfile: '/jobs/app/docker/Dockerfile',
        tags: ['me/job:1'],
        args: { V: '2' },
      },
    ]);
  });

  it('with --no-build wants the image to exist', async () => {
    const build = { context: '.', args: {} };
    const missing = ensureJobImage(fakeDocker().docker, {
      image: 'me/job:1',
      build,
      dir: '/',
      allowBuild: false,
      say,
    });
    await expect(missing).rejects.toMatchObject({
      code: 'IMAGE_MISSING',
      details: [expect.stringContaining('--no-build')],
    });
    const present = fakeDocker({ images: { 'me/job:1': {} } });
    await ensureJobImage(present.docker, { image: 'me/job:1', build, dir: '/', allowBuild: false, say });
    expect(present.builds).toEqual([]);
  });

  it('without a build section wants the image to exist and says how to get it', async () => {
    const missing = ensureJobImage(fakeDocker().docker, {
      image: 'me/job:1',
      build: undefined,
      dir: '/',
      allowBuild: true,
      say,
    });
    await expect(missing).rejects.toMatchObject({ details: [expect.stringContaining('docker pull')] });
  });
});
