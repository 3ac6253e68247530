/**
 * `build:` on AWS: build the job's image as `run --local` does, make sure its ECR repository
 * exists, push it unless the repository already holds it, and return the reference pinned by
 * digest. Every step can be repeated: a run stopped anywhere is finished by the next one.
 */
import type { EcrApi } from '../aws/ecr.js';
import { MnbatchError } from '../errors.js';
import type { Docker } from '../local/docker.js';
import { ensureAgentImage, ensureJobImage, type JobBuild } from '../local/images.js';
import { checkPlatform } from './platform.js';
import { parseImageRef, pinnedRef, registryHost } from './reference.js';
import type { RegistryDocker } from './registry-docker.js';
import {
  contentTag,
  createRepositoryRequest,
  lifecyclePolicyDiffers,
  lifecyclePolicyText,
  repositoryName,
} from './repository.js';

/** The I/O a push goes through. */
export interface PushDeps {
  readonly ecr: EcrApi;
  readonly docker: Docker;
  readonly registry: RegistryDocker;
  readonly say: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Where the agent image is built from (as `run --local` does before the job image); unset: not built. */
  readonly agent?: { readonly packageRoot: string; readonly version: string };
}

/** The job image to push: job.yaml's `image`, `build`, name and stack. */
export interface PushRequest {
  readonly image: string;
  readonly build: JobBuild;
  /** Directory of job.yaml (build.context is relative to it). */
  readonly dir: string;
  readonly job: string;
  readonly stack?: string;
  /** Instance types the job runs on: the image must be of their architecture. */
  readonly instanceTypes: readonly string[];
}

/** What a push did. */
export interface PushResult {
  /** `registry/mnbatch/…@sha256:…`: what the job definition runs. */
  readonly pinned: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly pushed: boolean;
  readonly repositoryCreated: boolean;
  /** true when the repository's lifecycle policy was set now (`build.keepImages` differed from it). */
  readonly lifecyclePolicySet: boolean;
}

/** Puts the keep-last-`keep` lifecycle policy on `name` unless it has it already; true when it put it. */
async function ensureLifecyclePolicy(
  deps: Pick<PushDeps, 'ecr' | 'say'>,
  name: string,
  keep: number,
): Promise<boolean> {
  const wanted = lifecyclePolicyText(keep);
  if (!lifecyclePolicyDiffers(await deps.ecr.lifecyclePolicy(name), wanted)) return false;
  deps.say(`ECR repository ${name}: keeping the newest ${keep} images (lifecycle policy)`);
  await deps.ecr.putLifecyclePolicy(name, wanted);
  return true;
}

/** Builds, pushes when needed, and returns the pinned reference of the job's image. */
export async function pushJobImage(deps: PushDeps, request: PushRequest): Promise<PushResult> {
  const { ecr, docker, registry, say } = deps;
  await docker.check();
  const signal = deps.signal ? { signal: deps.signal } : {};
  // The job's Dockerfile starts FROM the agent image, as for `run --local`.
  if (deps.agent) await ensureAgentImage(docker, { ...deps.agent, say, ...signal });
  await ensureJobImage(docker, {
    image: request.image,
    build: request.build,
    dir: request.dir,
    allowBuild: true,
    say,
    ...signal,
  });
  const local = await registry.inspect(request.image);
  if (!local) {
    throw new MnbatchError(
      'IMAGE_MISSING',
      `image ${request.image} is not on this machine after building it`,
      {
        origin: 'docker',
      },
    );
  }
  checkPlatform(request.image, local, request.instanceTypes);

  const name = repositoryName(request.job, request.stack);
  const tag = contentTag(local.id);
  let repository = await ecr.describeRepository(name);
  const repositoryCreated = repository === undefined;
  if (!repository) {
    say(`creating ECR repository ${name}`);
    repository = await ecr.createRepository(createRepositoryRequest(name, request.job, request.stack));
  }
  const keep = request.build.keepImages;
  const lifecyclePolicySet = keep !== undefined && (await ensureLifecyclePolicy(deps, name, keep));
  const uri = parseImageRef(repository.repositoryUri ?? '');
  const done = (digest: string, pushed: boolean): PushResult => ({
    pinned: pinnedRef(uri.registry, name, digest),
    repository: name,
    tag,
    digest,
    pushed,
    repositoryCreated,
    lifecyclePolicySet,
  });

  const existing = await ecr.imageDigest(name, tag);
  if (existing) {
    say(`image ${request.image} is already in ${name} as ${tag}: not pushed again`);
    return done(existing, false);
  }
  const login = await ecr.authorization();
  const host = registryHost(login.endpoint);
  const target = `${host}/${name}:${tag}`;
  await docker.tag(request.image, target);
  const digest = await registry.withLogin({ host, username: login.username, password: login.password }, (s) =>
    s.push(target),
  );
  say(`pushed ${target} (${digest})`);
  return done(digest, true);
}
