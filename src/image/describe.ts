/**
 * What `plan` and `submit --dry-run` say about the job's images, without calling AWS or Docker:
 * where a `build:` image goes (repository, tag), and how each image is pinned. Pure.
 */
import type { JobImage } from './pin.js';
import { ecrRegistry, parseImageRef } from './reference.js';
import { repositoryName } from './repository.js';

/** Lines describing how submit pins each of `images` (the job's own first). */
export function describeImages(job: JobImage, images: readonly string[]): string[] {
  const lines: string[] = [];
  for (const image of new Set(images)) {
    const ref = parseImageRef(image);
    if (image === job.image && job.build && job.push) {
      lines.push(
        `${image}: built from ${job.build.context} (build:), pushed to ECR repository ${repositoryName(job.job, job.stack)}`,
        `  tag mnbatch-<first 16 hex digits of the built image's id>; not pushed when the repository has that tag`,
        '  registered as <registry>/<repository>@<digest of the pushed image> (known after the push)',
        ...(job.build.keepImages !== undefined
          ? [
              `  repository keeps the newest ${job.build.keepImages} images (ECR lifecycle policy, put when the repository's differs)`,
            ]
          : []),
      );
    } else if (ref.digest) {
      lines.push(`${image}: pinned by digest ${ref.digest}`);
    } else if (ecrRegistry(ref.registry)) {
      lines.push(`${image}: ECR tag ${ref.tag ?? 'latest'}, registered by its digest (looked up at submit)`);
    } else {
      lines.push(`${image}: not in ECR: registered by tag, as it is`);
    }
  }
  return lines;
}
