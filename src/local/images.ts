/** The images of a local run: the agent base image and the job's image, built only when needed. */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MnbatchError } from '../errors.js';
import type { Docker } from './docker.js';

/** Repository of the agent base image; tagged with mnbatch's version and `latest`. */
export const AGENT_IMAGE = 'mnbatch/agent';
/** The same with MPICH instead of Open MPI (container/Dockerfile's MPI=mpich). */
export const AGENT_IMAGE_MPICH = 'mnbatch/agent-mpich';
/** The registry-free Debian image made by container/make-base-image.sh, preferred when present. */
export const LOCAL_BASE_IMAGE = 'mnbatch/debian:bookworm';
/**
 * Image label naming what the agent image was built from: "<sha256 of the executable>
 * <sha256 of the Dockerfile> <base image>". The image is rebuilt when any of them changed.
 */
export const AGENT_INPUTS_LABEL = 'mnbatch.agent.inputs';
/** The public base image, as in container/Dockerfile's BASE_IMAGE default. */
export const PUBLIC_BASE_IMAGE = 'debian:bookworm-slim';

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface AgentImageOptions {
  /** Directory holding container/Dockerfile and dist/agent-bundle (the package root). */
  readonly packageRoot: string;
  readonly version: string;
  /** BASE_IMAGE build argument; default: mnbatch/debian:bookworm when present, else debian:bookworm-slim. */
  readonly baseImage?: string;
  readonly say: (line: string) => void;
  readonly signal?: AbortSignal;
  /** The image's MPI (default openmpi: mnbatch/agent; mpich: mnbatch/agent-mpich). */
  readonly mpi?: 'openmpi' | 'mpich';
}

/**
 * Makes sure mnbatch/agent:<version> and :latest hold the current agent executable; builds
 * the image only when the executable, the Dockerfile or the base image changed. Returns the
 * versioned tag.
 */
export async function ensureAgentImage(docker: Docker, options: AgentImageOptions): Promise<string> {
  const bundleDir = join(options.packageRoot, 'dist', 'agent-bundle');
  const executable = join(bundleDir, 'mnbatch-agent');
  if (!existsSync(executable)) {
    throw new MnbatchError('AGENT_NOT_BUILT', `the agent executable ${executable} is missing`, {
      details: ['build it with: npm run build:agent'],
    });
  }
  const dockerfile = join(options.packageRoot, 'container', 'Dockerfile');
  const mpich = options.mpi === 'mpich';
  const repository = mpich ? AGENT_IMAGE_MPICH : AGENT_IMAGE;
  const tag = `${repository}:${options.version}`;
  const latest = `${repository}:latest`;
  const baseImage =
    options.baseImage ??
    ((await docker.imageLabels(LOCAL_BASE_IMAGE)) !== undefined ? LOCAL_BASE_IMAGE : PUBLIC_BASE_IMAGE);
  const inputs = `${await sha256(executable)} ${await sha256(dockerfile)} ${baseImage}${mpich ? ' mpich' : ''}`;
  const [current, latestLabels] = await Promise.all([docker.imageLabels(tag), docker.imageLabels(latest)]);
  if (current?.[AGENT_INPUTS_LABEL] === inputs) {
    if (latestLabels?.[AGENT_INPUTS_LABEL] !== inputs) await docker.tag(tag, latest);
    return tag;
  }
  // MPICH is compiled from source in the image (container/Dockerfile): say why the first build is long.
  const compiles = mpich ? ', compiling MPICH (about 15 minutes the first time; Docker caches it)' : '';
  options.say(`building the agent image ${tag} from ${baseImage}${compiles}`);
  await docker.build({
    context: bundleDir,
    dockerfile,
    tags: [tag, latest],
    args: { BASE_IMAGE: baseImage, ...(mpich ? { MPI: 'mpich' } : {}) },
    labels: { [AGENT_INPUTS_LABEL]: inputs },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return tag;
}

/** How job.yaml says to build the job's image. */
export interface JobBuild {
  readonly context: string;
  readonly dockerfile?: string;
  readonly args: Readonly<Record<string, string>>;
  /** How many images the job's ECR repository keeps (submit and `image push` only). */
  readonly keepImages?: number | undefined;
}

export interface JobImageOptions {
  readonly image: string;
  readonly build: JobBuild | undefined;
  /** Directory of job.yaml: the build context is relative to it. */
  readonly dir: string;
  /** false with --no-build: the image must already exist. */
  readonly allowBuild: boolean;
  readonly say: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Builds the job's image from its `build` section (Docker's cache makes an unchanged build quick), or checks it exists. */
export async function ensureJobImage(docker: Docker, options: JobImageOptions): Promise<void> {
  const { image, build } = options;
  if (!build || !options.allowBuild) {
    if ((await docker.imageLabels(image)) !== undefined) return;
    throw new MnbatchError('IMAGE_MISSING', `image ${image} is not on this machine`, {
      origin: 'docker',
      details: [
        build
          ? 'drop --no-build to build it from the build section of job.yaml'
          : 'pull it (docker pull), or add a build section to job.yaml so mnbatch builds it',
      ],
    });
  }
  const context = resolve(options.dir, build.context);
  options.say(`building the job image ${image} from ${context}`);
  await docker.build({
    context,
    ...(build.dockerfile ? { dockerfile: resolve(context, build.dockerfile) } : {}),
    tags: [image],
    args: build.args,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
