/** pushJobImage and pinImages with a fake Docker and ECR mocked at the SDK boundary (model-checked). */
import type { RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { createEcr } from '../../src/aws/ecr.js';
import { type JobImage, pinImages } from '../../src/image/pin.js';
import { type PushRequest, pushJobImage } from '../../src/image/push.js';
import type { LocalImage, RegistryDocker } from '../../src/image/registry-docker.js';
import { lifecyclePolicyDiffers, lifecyclePolicyText } from '../../src/image/repository.js';
import { sdkError, sdkMock } from '../_helpers/sdk-mock.js';
import { fakeDocker } from '../local/fake-docker.js';
import { ACCOUNT } from './_fake-ecr.js';

const ecrMock = sdkMock(ECRClient, 'ecr');

const REGION = 'eu-west-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const IMAGE_ID = `sha256:${'1f'.repeat(32)}`;
const TAG = 'mnbatch-1f1f1f1f1f1f1f1f';
const DIGEST = `sha256:${'d0'.repeat(32)}`;
const REPO = 'mnbatch/dev/hello';

/** A registry side that records logins and pushes, and answers `digest` for every push. */
function fakeRegistry(local: Partial<LocalImage> = {}) {
  const events: string[] = [];
  const registry: RegistryDocker = {
    async inspect() {
      return { id: IMAGE_ID, os: 'linux', architecture: 'amd64', ...local };
    },
    async withLogin(login, body) {
      events.push(`login ${login.host} ${login.username} ${login.password}`);
      return body({
        async push(ref) {
          events.push(`push ${ref}`);
          return DIGEST;
        },
      });
    },
  };
  return { registry, events };
}

const REQUEST: PushRequest = {
  image: 'hello:latest',
  build: { context: '.', args: {} },
  dir: '/work/job',
  job: 'hello',
  stack: 'dev',
  instanceTypes: ['c5.large'],
};

function repositoryExists() {
  ecrMock.on(DescribeRepositoriesCommand).resolves({
    repositories: [{ repositoryName: REPO, registryId: ACCOUNT, repositoryUri: `${HOST}/${REPO}` }],
  });
}

function loginAnswer() {
  ecrMock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      {
        authorizationToken: Buffer.from('AWS:s3cret:with:colons').toString('base64'),
        proxyEndpoint: `https://${HOST}`,
      },
    ],
  });
}

describe('pushJobImage', () => {
  it('first time: builds, creates the repository, logs in and pushes, and pins what the push reported', async () => {
    const docker = fakeDocker();
    const { registry, events } = fakeRegistry();
    ecrMock.on(DescribeRepositoriesCommand).rejects(sdkError('RepositoryNotFoundException'));
    ecrMock.on(CreateRepositoryCommand).resolves({
      repository: { repositoryName: REPO, registryId: ACCOUNT, repositoryUri: `${HOST}/${REPO}` },
    });
    ecrMock.on(DescribeImagesCommand).rejects(sdkError('ImageNotFoundException'));
    loginAnswer();
    const said: string[] = [];
    const result = await pushJobImage(
      { ecr: createEcr({ region: REGION }), docker: docker.docker, registry, say: (l) => said.push(l) },
      REQUEST,
    );
    expect(result).toEqual({
      pinned: `${HOST}/${REPO}@${DIGEST}`,
      repository: REPO,
      tag: TAG,
      digest: DIGEST,
      pushed: true,
      repositoryCreated: true,
      lifecyclePolicySet: false,
    });
    // no build.keepImages: the repository's lifecycle policy is not touched
    expect(ecrMock.commandCalls(GetLifecyclePolicyCommand)).toHaveLength(0);
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
    expect(docker.calls).toEqual(['build hello:latest', `tag hello:latest ${HOST}/${REPO}:${TAG}`]);
    expect(events).toEqual([`login ${HOST} AWS s3cret:with:colons`, `push ${HOST}/${REPO}:${TAG}`]);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0]?.args[0].input).toEqual({
      repositoryName: REPO,
      imageScanningConfiguration: { scanOnPush: true },
      tags: [
        { Key: 'mnbatch:stack', Value: 'dev' },
        { Key: 'mnbatch:job', Value: 'hello' },
      ],
    });
    expect(said).toContain(`creating ECR repository ${REPO}`);
  });

  it('an image already in the repository is not pushed again: no login, no tag, no push', async () => {
    const docker = fakeDocker();
    const { registry, events } = fakeRegistry();
    repositoryExists();
    ecrMock
      .on(DescribeImagesCommand, { repositoryName: REPO, imageIds: [{ imageTag: TAG }] })
      .resolves({ imageDetails: [{ repositoryName: REPO, imageDigest: DIGEST }] });
    const result = await pushJobImage(
      { ecr: createEcr({ region: REGION }), docker: docker.docker, registry, say: () => {} },
      REQUEST,
    );
    expect(result).toMatchObject({
      pinned: `${HOST}/${REPO}@${DIGEST}`,
      pushed: false,
      repositoryCreated: false,
    });
    expect(events).toEqual([]);
    expect(docker.calls).toEqual(['build hello:latest']);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
  });

  it('a repository created meanwhile by another run is used, not an error', async () => {
    const { registry } = fakeRegistry();
    ecrMock
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(sdkError('RepositoryNotFoundException'))
      .resolves({
        repositories: [{ repositoryName: REPO, registryId: ACCOUNT, repositoryUri: `${HOST}/${REPO}` }],
      });
    ecrMock.on(CreateRepositoryCommand).rejects(sdkError('RepositoryAlreadyExistsException'));
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    const result = await pushJobImage(
      { ecr: createEcr({ region: REGION }), docker: fakeDocker().docker, registry, say: () => {} },
      REQUEST,
    );
    expect(result.pinned).toBe(`${HOST}/${REPO}@${DIGEST}`);
  });

  it('refuses an arm64 image for x86_64 instances before any ECR call', async () => {
    const { registry, events } = fakeRegistry({ architecture: 'arm64' });
    await expect(
      pushJobImage(
        { ecr: createEcr({ region: REGION }), docker: fakeDocker().docker, registry, say: () => {} },
        REQUEST,
      ),
    ).rejects.toMatchObject({ code: 'IMAGE_PLATFORM_MISMATCH' });
    expect(ecrMock.calls()).toHaveLength(0);
    expect(events).toEqual([]);
  });
});

describe('build.keepImages: the repository lifecycle policy', () => {
  const keep20 = { ...REQUEST, build: { ...REQUEST.build, keepImages: 20 } };
  const push = () =>
    pushJobImage(
      {
        ecr: createEcr({ region: REGION }),
        docker: fakeDocker().docker,
        registry: fakeRegistry().registry,
        say: () => {},
      },
      keep20,
    );

  it('the policy keeps the newest N images of any tag and expires the rest', () => {
    expect(JSON.parse(lifecyclePolicyText(20))).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: 'mnbatch: keep the last 20 images',
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 },
          action: { type: 'expire' },
        },
      ],
    });
  });

  it('compares policies as JSON: ECR may hand the text back reformatted', () => {
    const wanted = lifecyclePolicyText(20);
    expect(lifecyclePolicyDiffers(JSON.stringify(JSON.parse(wanted), null, 4), wanted)).toBe(false);
    expect(lifecyclePolicyDiffers(lifecyclePolicyText(30), wanted)).toBe(true);
    expect(lifecyclePolicyDiffers(undefined, wanted)).toBe(true);
    expect(lifecyclePolicyDiffers('not json', wanted)).toBe(true);
  });

  it('puts the policy on a repository that has none', async () => {
    repositoryExists();
    ecrMock.on(GetLifecyclePolicyCommand).rejects(sdkError('LifecyclePolicyNotFoundException'));
    ecrMock.on(PutLifecyclePolicyCommand).resolves({ repositoryName: REPO });
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    expect(await push()).toMatchObject({ lifecyclePolicySet: true, pushed: false });
    expect(ecrMock).toHaveReceivedCommandWith(GetLifecyclePolicyCommand, { repositoryName: REPO });
    expect(ecrMock).toHaveReceivedCommandExactlyOnceWith(PutLifecyclePolicyCommand, {
      repositoryName: REPO,
      lifecyclePolicyText: lifecyclePolicyText(20),
    });
  });

  it('leaves an equal policy alone, and replaces one that keeps another number', async () => {
    repositoryExists();
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    ecrMock
      .on(GetLifecyclePolicyCommand)
      .resolvesOnce({ repositoryName: REPO, lifecyclePolicyText: ` ${lifecyclePolicyText(20)}\n` })
      .resolves({ repositoryName: REPO, lifecyclePolicyText: lifecyclePolicyText(5) });
    ecrMock.on(PutLifecyclePolicyCommand).resolves({ repositoryName: REPO });
    expect(await push()).toMatchObject({ lifecyclePolicySet: false });
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(0);
    expect(await push()).toMatchObject({ lifecyclePolicySet: true });
    expect(ecrMock.commandCalls(PutLifecyclePolicyCommand)).toHaveLength(1);
  });
});

function definition(...images: string[]): RegisterJobDefinitionCommandInput {
  return {
    jobDefinitionName: 'hello-x',
    type: 'multinode',
    nodeProperties: {
      numNodes: 4,
      mainNode: 0,
      nodeRangeProperties: images.map((image, i) => ({
        targetNodes: `${i}:${i}`,
        container: { image, instanceType: 'c5.large' },
      })),
    },
  };
}

function imagesOf(request: RegisterJobDefinitionCommandInput): (string | undefined)[] {
  return (request.nodeProperties?.nodeRangeProperties ?? []).map((r) => r.container?.image);
}

describe('pinImages', () => {
  const job: JobImage = {
    image: 'hello:latest',
    build: { context: '.', args: {} },
    dir: '/j',
    job: 'hello',
    push: true,
  };
  const pinned = `sha256:${'e1'.repeat(32)}`;

  function deps() {
    const said: string[] = [];
    const pushes: PushRequest[] = [];
    const regions: string[] = [];
    return {
      said,
      pushes,
      regions,
      deps: {
        push: async (r: PushRequest) => {
          pushes.push(r);
          return {
            pinned: `${HOST}/mnbatch/hello@${DIGEST}`,
            repository: 'mnbatch/hello',
            tag: TAG,
            digest: DIGEST,
            pushed: true,
            repositoryCreated: false,
            lifecyclePolicySet: false,
          };
        },
        ecr: (region: string) => {
          regions.push(region);
          return createEcr({ region });
        },
        say: (l: string) => said.push(l),
      },
    };
  }

  it('pushes the build: image once for all its ranges, resolves ECR tags, leaves others with a note', async () => {
    ecrMock
      .on(DescribeImagesCommand, {
        repositoryName: 'tools',
        imageIds: [{ imageTag: '2' }],
        registryId: '210987654321',
      })
      .resolves({ imageDetails: [{ imageDigest: pinned }] });
    const d = deps();
    const out = await pinImages(
      d.deps,
      job,
      definition(
        'hello:latest',
        'hello:latest',
        '210987654321.dkr.ecr.us-west-2.amazonaws.com/tools:2',
        'ghcr.io/org/img:1',
        `ghcr.io/org/img@${pinned}`,
      ),
    );
    expect(imagesOf(out)).toEqual([
      `${HOST}/mnbatch/hello@${DIGEST}`,
      `${HOST}/mnbatch/hello@${DIGEST}`,
      `210987654321.dkr.ecr.us-west-2.amazonaws.com/tools@${pinned}`,
      'ghcr.io/org/img:1',
      `ghcr.io/org/img@${pinned}`,
    ]);
    expect(d.pushes).toHaveLength(1);
    expect(d.pushes[0]?.instanceTypes).toEqual(['c5.large']);
    expect(d.regions).toEqual(['us-west-2']);
    expect(d.said).toEqual([
      'note: ghcr.io/org/img:1 is not in ECR: used by tag, so nodes may run different bytes if the tag moves (pin it with @sha256:…)',
    ]);
  });

  it('--no-push: the build: image is used as given (an ECR tag still resolved), nothing is built', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: pinned }] });
    const d = deps();
    const image = `${HOST}/hello:latest`;
    const out = await pinImages(d.deps, { ...job, image, push: false }, definition(image));
    expect(imagesOf(out)).toEqual([`${HOST}/hello@${pinned}`]);
    expect(d.pushes).toEqual([]);
  });

  it('an ECR tag that is not there is an error naming the image', async () => {
    ecrMock.on(DescribeImagesCommand).rejects(sdkError('ImageNotFoundException'));
    await expect(
      pinImages(deps().deps, { ...job, build: undefined }, definition(`${HOST}/hello:9`)),
    ).rejects.toThrow(`image ${HOST}/hello:9: ECR repository hello has no tag 9`);
  });
});
