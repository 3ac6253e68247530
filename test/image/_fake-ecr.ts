/**
 * Amazon ECR at the SDK boundary (aws-sdk-client-mock), backed by a real registry on loopback:
 * repositories live in memory with URIs on that registry, DescribeImages asks the registry for
 * the tag's manifest digest, and GetAuthorizationToken hands out the registry's basic-auth login
 * the way ECR does (base64 of "AWS:<password>", a proxyEndpoint with scheme). Every request and
 * answer is checked against the botocore model after each test (test/_helpers/sdk-mock.ts).
 */
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { sdkError, sdkMock } from '../_helpers/sdk-mock.js';
import type { LoopbackRegistry } from './_registry.js';

export const ACCOUNT = '123456789012';

/** Installs the fake on the ECR stub for `registry` (call in beforeEach or a test); returns its repositories. */
export function fakeEcr(registry: () => LoopbackRegistry, region = 'eu-west-1'): Map<string, Repository> {
  const ecr = sdkMock(ECRClient, 'ecr');
  const repositories = new Map<string, Repository>();
  ecr.on(DescribeRepositoriesCommand).callsFake(async (input: { repositoryNames?: string[] }) => {
    const found = (input.repositoryNames ?? []).map((n) => repositories.get(n));
    if (found.some((r) => r === undefined)) {
      throw sdkError(
        'RepositoryNotFoundException',
        `The repository with name '${input.repositoryNames?.[0]}' does not exist in the registry with id '${ACCOUNT}'`,
      );
    }
    return { repositories: found };
  });
  ecr
    .on(CreateRepositoryCommand)
    .callsFake(
      async (input: { repositoryName: string; imageScanningConfiguration?: { scanOnPush?: boolean } }) => {
        if (repositories.has(input.repositoryName)) throw sdkError('RepositoryAlreadyExistsException');
        const repository: Repository = {
          repositoryArn: `arn:aws:ecr:${region}:${ACCOUNT}:repository/${input.repositoryName}`,
          registryId: ACCOUNT,
          repositoryName: input.repositoryName,
          repositoryUri: `${registry().host}/${input.repositoryName}`,
          createdAt: new Date(),
          imageTagMutability: 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false },
        };
        repositories.set(input.repositoryName, repository);
        return { repository };
      },
    );
  ecr
    .on(DescribeImagesCommand)
    .callsFake(async (input: { repositoryName: string; imageIds?: { imageTag?: string }[] }) => {
      if (!repositories.has(input.repositoryName)) throw sdkError('RepositoryNotFoundException');
      const tag = input.imageIds?.[0]?.imageTag ?? '';
      const digest = await registry().manifestDigest(input.repositoryName, tag);
      if (!digest)
        throw sdkError(
          'ImageNotFoundException',
          `The image with imageId {imageDigest:'null', imageTag:'${tag}'} does not exist within the repository with name '${input.repositoryName}'`,
        );
      return {
        imageDetails: [
          {
            registryId: ACCOUNT,
            repositoryName: input.repositoryName,
            imageDigest: digest,
            imageTags: [tag],
          },
        ],
      };
    });
  ecr.on(GetAuthorizationTokenCommand).callsFake(async () => {
    const r = registry();
    return {
      authorizationData: [
        {
          authorizationToken: Buffer.from(`${r.username}:${r.password}`).toString('base64'),
          expiresAt: new Date(Date.now() + 12 * 3600_000),
          proxyEndpoint: `http://${r.host}`,
        },
      ],
    };
  });
  return repositories;
}
