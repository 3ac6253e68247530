/** The small example stack (examples/infra/small.yaml) and a job for it, shared by the integration tests. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  type ECRClient,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { REPO, type TestAccount } from '../_helpers/moto/aws-test-account.js';

/** The stack name of examples/infra/small.yaml. */
export const SMALL_STACK = 'small';

/** A job for the small stack (c6i instances); the image is a plain URI, nothing is built. */
export function smallStackJob(options: { instanceType?: string; name?: string; efs?: boolean } = {}): string {
  return [
    `name: ${options.name ?? 'hello-mpi'}`,
    ...(options.efs
      ? [
          'efs:',
          '  fileSystemId: fs-0123456789abcdef0',
          '  accessPointId: fsap-0123456789abcdef0',
          '  mountPath: /data',
        ]
      : []),
    'image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-mpi:1',
    'nodes: 2',
    `instanceType: ${options.instanceType ?? 'c6i.large'}`,
    `stack: ${SMALL_STACK}`,
    'resources:',
    '  vcpus: 2',
    '  memory: 3GiB',
    'command: ["/usr/local/bin/hello-mpi"]',
    '',
  ].join('\n');
}

/** Writes `stack.yaml`: the small example on the test account's network. */
export async function writeSmallStack(account: TestAccount): Promise<void> {
  const net = await account.network();
  account.write(
    'stack.yaml',
    readFileSync(join(REPO, 'examples', 'infra', 'small.yaml'), 'utf8')
      .replace(/vpc-0123456789abcdef0/, net.vpcId)
      .replace(/subnet-0123456789abcdef0/, net.subnetId),
  );
  // small.yaml has roles.create: true, so an administrator first makes its execution policy.
  await account.executionPolicy(SMALL_STACK);
}

/**
 * Puts hello-mpi:1 in the account's ECR (moto): the job's `image:` by tag, which submit resolves
 * to its digest. Returns the digest ECR gives it.
 */
export async function pushHelloImage(ecr: ECRClient): Promise<string> {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'hello-mpi' }));
  const layer = (n: string) => ({
    mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    size: 1,
    digest: `sha256:${n.repeat(64)}`,
  });
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1,
      digest: `sha256:${'c'.repeat(64)}`,
    },
    layers: [layer('a'), layer('b')],
  };
  await ecr.send(
    new PutImageCommand({
      repositoryName: 'hello-mpi',
      imageTag: '1',
      imageManifest: JSON.stringify(manifest),
    }),
  );
  const out = await ecr.send(
    new DescribeImagesCommand({ repositoryName: 'hello-mpi', imageIds: [{ imageTag: '1' }] }),
  );
  return out.imageDetails?.[0]?.imageDigest ?? '';
}
