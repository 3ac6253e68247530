/**
 * Where mnbatch pushes a job's image, and under which tag; pure. Repositories are named
 * `mnbatch/<stack>/<job>` (or `mnbatch/<job>` for a job that names a queue, not a stack), so the
 * submit policy can allow `repository/mnbatch/*` and nothing else. The tag is derived from the
 * image's id (the digest of its configuration), so an unchanged build has an unchanged tag and
 * "is it already there?" is one DescribeImages call.
 */
import type { CreateRepositoryCommandInput } from '@aws-sdk/client-ecr';
import { STACK_TAG } from '../contract/stack.js';
import { canonicalJson } from '../plan/hash.js';

/** First path component of every repository mnbatch creates (the IAM scope). */
export const REPOSITORY_PREFIX = 'mnbatch';
/** Hex digits of the image id kept in the tag. */
const TAG_HEX = 16;

/** A name component as ECR accepts it: lower case, separators single and inside. */
function component(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, (run) => run[0] ?? '-')
    .replace(/^[._-]+|[._-]+$/g, '');
}

/** The ECR repository of job `job` (of `stack`, when the job names one). */
export function repositoryName(job: string, stack?: string): string {
  return [REPOSITORY_PREFIX, ...(stack ? [component(stack)] : []), component(job)].join('/');
}

/** The tag of a local image in mnbatch's repository: `mnbatch-<16 hex of its id>`. */
export function contentTag(imageId: string): string {
  return `mnbatch-${imageId.replace(/^sha256:/, '').slice(0, TAG_HEX)}`;
}

/** CreateRepository for `name`: scanned on push, tagged with the job and (when any) the stack. */
export function createRepositoryRequest(
  name: string,
  job: string,
  stack?: string,
): CreateRepositoryCommandInput {
  return {
    repositoryName: name,
    imageScanningConfiguration: { scanOnPush: true },
    tags: [...(stack ? [{ Key: STACK_TAG, Value: stack }] : []), { Key: 'mnbatch:job', Value: job }],
  };
}

/**
 * The ECR lifecycle policy of `build.keepImages`: images (any tag or none) beyond the newest
 * `keep` are expired. One rule, so the policy mnbatch puts is the whole policy.
 */
export function lifecyclePolicyText(keep: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `mnbatch: keep the last ${keep} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  });
}

/** Whether the repository's policy (undefined: none) is not `wanted`; compared as JSON, not as text. */
export function lifecyclePolicyDiffers(current: string | undefined, wanted: string): boolean {
  if (current === undefined) return true;
  try {
    return canonicalJson(JSON.parse(current)) !== canonicalJson(JSON.parse(wanted));
  } catch {
    return true;
  }
}
