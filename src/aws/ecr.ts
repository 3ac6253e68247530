/**
 * The Amazon ECR calls mnbatch makes, and nothing else: find or create the job's repository, ask
 * whether an image tag is already there (and its digest), read and set the repository's lifecycle
 * policy, and get a registry login for `docker push`. Every error comes out as MnbatchError (see errors.ts); "not found" answers come out as
 * `undefined`.
 */

import {
  CreateRepositoryCommand,
  type CreateRepositoryCommandInput,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { MnbatchError } from '../errors.js';
import { type AwsOptions, awsClient } from './clients.js';
import { AWS_ERROR, type AwsErrorContext, awsCall, awsErrorName } from './errors.js';

/** A registry login: what `docker login --password-stdin` needs. */
export interface RegistryLogin {
  readonly username: string;
  readonly password: string;
  /** The registry's address as ECR gives it (`https://<account>.dkr.ecr.<region>.amazonaws.com`). */
  readonly endpoint: string;
}

/** What mnbatch asks of Amazon ECR. */
export interface EcrApi {
  /** The repository named `name` (of `registryId`, default the caller's account), or undefined. */
  describeRepository(name: string, registryId?: string): Promise<Repository | undefined>;
  /** Creates the repository; one created meanwhile by another run is returned as it is. */
  createRepository(input: CreateRepositoryCommandInput): Promise<Repository>;
  /** The digest of `repository:tag`, or undefined when the tag (or the repository) does not exist. */
  imageDigest(repository: string, tag: string, registryId?: string): Promise<string | undefined>;
  /** A login to the caller's registry, valid for 12 hours. */
  authorization(): Promise<RegistryLogin>;
  /** The lifecycle policy text of repository `name`, or undefined when it has none. */
  lifecyclePolicy(name: string): Promise<string | undefined>;
  /** Sets (replaces) the lifecycle policy of repository `name`. */
  putLifecyclePolicy(name: string, text: string): Promise<void>;
}

/** An EcrApi over the real service (or over an ECRClient mocked with aws-sdk-client-mock). */
export function createEcr(options: AwsOptions): EcrApi {
  return ecrApi(awsClient(ECRClient, options), options);
}

const NOT_FOUND = new Set([
  'RepositoryNotFoundException',
  'ImageNotFoundException',
  'LifecyclePolicyNotFoundException',
]);

/** An EcrApi over an existing client. */
export function ecrApi(client: ECRClient, context: AwsErrorContext = {}): EcrApi {
  const call = <T>(operation: string, fn: () => Promise<T>) =>
    awsCall({ ...context, service: 'ecr', operation }, fn);
  /** `fn`'s answer, or undefined when ECR says the repository or image does not exist. */
  const unlessMissing = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      if (NOT_FOUND.has(awsErrorName(e))) return undefined;
      throw e;
    }
  };
  const registry = (registryId: string | undefined) => (registryId ? { registryId } : {});
  return {
    describeRepository: (name, registryId) =>
      call('DescribeRepositories', async () => {
        const out = await unlessMissing(() =>
          client.send(new DescribeRepositoriesCommand({ repositoryNames: [name], ...registry(registryId) })),
        );
        return out?.repositories?.[0];
      }),
    createRepository: (input) =>
      call('CreateRepository', async () => {
        const out = await client.send(new CreateRepositoryCommand(input)).catch(async (e: unknown) => {
          if (awsErrorName(e) !== 'RepositoryAlreadyExistsException') throw e;
          const again = await client.send(
            new DescribeRepositoriesCommand({ repositoryNames: [input.repositoryName ?? ''] }),
          );
          return { repository: again.repositories?.[0] };
        });
        if (!out.repository)
          throw new MnbatchError(AWS_ERROR.failed, `ECR created no repository ${input.repositoryName}`, {
            origin: 'aws',
          });
        return out.repository;
      }),
    imageDigest: (repository, tag, registryId) =>
      call('DescribeImages', async () => {
        const out = await unlessMissing(() =>
          client.send(
            new DescribeImagesCommand({
              repositoryName: repository,
              imageIds: [{ imageTag: tag }],
              ...registry(registryId),
            }),
          ),
        );
        return out?.imageDetails?.[0]?.imageDigest;
      }),
    lifecyclePolicy: (name) =>
      call('GetLifecyclePolicy', async () => {
        const out = await unlessMissing(() =>
          client.send(new GetLifecyclePolicyCommand({ repositoryName: name })),
        );
        return out?.lifecyclePolicyText;
      }),
    putLifecyclePolicy: (name, text) =>
      call('PutLifecyclePolicy', async () => {
        await client.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text }));
      }),
    authorization: () =>
      call('GetAuthorizationToken', async () => {
        const out = await client.send(new GetAuthorizationTokenCommand({}));
        const data = out.authorizationData?.[0];
        // The token is base64 of "AWS:<password>".
        const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (!data?.proxyEndpoint || colon < 1) {
          throw new MnbatchError(AWS_ERROR.failed, 'ECR GetAuthorizationToken returned no usable login', {
            origin: 'aws',
          });
        }
        return {
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          endpoint: data.proxyEndpoint,
        };
      }),
  };
}
