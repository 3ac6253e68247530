/**
 * Every image of a job definition pinned by digest before it is registered, so every node of a
 * job runs the same bytes and a new push makes a new revision: the job's own image is built and
 * pushed (`build:`), ECR images given by tag are resolved to their digest, and images of other
 * registries are left as they are, with a note.
 */
import type { RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { EcrApi } from '../aws/ecr.js';
import { MnbatchError } from '../errors.js';
import { requestedInstanceTypes } from '../jobs/preflight.js';
import type { JobBuild } from '../local/images.js';
import type { JobSpec } from '../spec/index.js';
import type { PushRequest, PushResult } from './push.js';
import { ecrRegistry, parseImageRef, pinnedRef } from './reference.js';

/** The job's own image and how to make it (job.yaml `image`, `build`, name, stack). */
export interface JobImage {
  readonly image: string;
  readonly build: JobBuild | undefined;
  readonly dir: string;
  readonly job: string;
  readonly stack?: string;
  /** false with `--no-push`: the image is used as given (resolved like any other). */
  readonly push: boolean;
}

/** The job's image as job.yaml gives it; `push` false with `--no-push`. */
export function jobImageOf(spec: JobSpec, dir: string, push: boolean): JobImage {
  return {
    image: spec.image,
    build: spec.build,
    dir,
    job: spec.name,
    ...(spec.stack !== undefined ? { stack: spec.stack } : {}),
    push,
  };
}

export interface PinDeps {
  readonly push: (request: PushRequest) => Promise<PushResult>;
  /** The ECR adapter of `region` (an `image:` may live in another region than the job). */
  readonly ecr: (region: string) => EcrApi;
  readonly say: (line: string) => void;
}

/** `image` pinned by digest, or as it is when it is not in ECR. */
async function pinOne(
  deps: PinDeps,
  job: JobImage,
  image: string,
  request: RegisterJobDefinitionCommandInput,
): Promise<string> {
  if (image === job.image && job.build && job.push) {
    const pushed = await deps.push({
      image,
      build: job.build,
      dir: job.dir,
      job: job.job,
      ...(job.stack !== undefined ? { stack: job.stack } : {}),
      instanceTypes: requestedInstanceTypes(request),
    });
    return pushed.pinned;
  }
  const ref = parseImageRef(image);
  if (ref.digest) return image;
  const ecr = ecrRegistry(ref.registry);
  if (!ecr) {
    deps.say(
      `note: ${image} is not in ECR: used by tag, so nodes may run different bytes if the tag moves (pin it with @sha256:…)`,
    );
    return image;
  }
  const tag = ref.tag ?? 'latest';
  const digest = await deps.ecr(ecr.region).imageDigest(ref.repository, tag, ecr.account);
  if (!digest) {
    throw new MnbatchError(
      'IMAGE_NOT_FOUND',
      `image ${image}: ECR repository ${ref.repository} has no tag ${tag}`,
      {
        details: ['push it first, or add a build section to job.yaml so mnbatch builds and pushes it'],
      },
    );
  }
  return pinnedRef(ref.registry, ref.repository, digest);
}

/** `request` with every container image pinned (each distinct image resolved once). */
export async function pinImages(
  deps: PinDeps,
  job: JobImage,
  request: RegisterJobDefinitionCommandInput,
): Promise<RegisterJobDefinitionCommandInput> {
  const ranges = request.nodeProperties?.nodeRangeProperties ?? [];
  const pinned = new Map<string, string>();
  for (const image of new Set(ranges.map((r) => r.container?.image ?? '').filter(Boolean))) {
    pinned.set(image, await pinOne(deps, job, image, request));
  }
  if (!request.nodeProperties) return request;
  return {
    ...request,
    nodeProperties: {
      ...request.nodeProperties,
      nodeRangeProperties: ranges.map((r) =>
        r.container?.image
          ? { ...r, container: { ...r.container, image: pinned.get(r.container.image) } }
          : r,
      ),
    },
  };
}
