import { describe, expect, it } from 'vitest';
import { ecrRegistry, isDigest, parseImageRef, pinnedRef, registryHost } from '../../src/image/reference.js';
import { contentTag, createRepositoryRequest, repositoryName } from '../../src/image/repository.js';

const DIGEST = `sha256:${'0f'.repeat(32)}`;

describe('image references', () => {
  it.each([
    ['ubuntu', { registry: undefined, repository: 'ubuntu', tag: undefined, digest: undefined }],
    [
      'mnbatch-examples/hello-mpi:latest',
      { registry: undefined, repository: 'mnbatch-examples/hello-mpi', tag: 'latest', digest: undefined },
    ],
    [
      '127.0.0.1:5000/mnbatch/a/b:mnbatch-1',
      { registry: '127.0.0.1:5000', repository: 'mnbatch/a/b', tag: 'mnbatch-1', digest: undefined },
    ],
    ['localhost/x', { registry: 'localhost', repository: 'x', tag: undefined, digest: undefined }],
    [
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app@${DIGEST}`,
      {
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'team/app',
        tag: undefined,
        digest: DIGEST,
      },
    ],
    [`host:5000/app:1@${DIGEST}`, { registry: 'host:5000', repository: 'app', tag: '1', digest: DIGEST }],
  ])('takes %s apart as Docker does', (text, want) => {
    expect(parseImageRef(text)).toEqual(want);
  });

  it('pins and recognises digests', () => {
    expect(pinnedRef('127.0.0.1:5000', 'mnbatch/x', DIGEST)).toBe(`127.0.0.1:5000/mnbatch/x@${DIGEST}`);
    expect(isDigest(DIGEST)).toBe(true);
    expect(isDigest('sha256:abc')).toBe(false);
  });

  it('knows ECR hosts (also FIPS and China) and nothing else', () => {
    expect(ecrRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
    });
    expect(ecrRegistry('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com')).toEqual({
      account: '123456789012',
      region: 'us-east-1',
    });
    expect(ecrRegistry('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toEqual({
      account: '123456789012',
      region: 'cn-north-1',
    });
    expect(ecrRegistry('public.ecr.aws')).toBeUndefined();
    expect(ecrRegistry('ghcr.io')).toBeUndefined();
    expect(ecrRegistry(undefined)).toBeUndefined();
  });

  it('takes the host out of a registry endpoint', () => {
    expect(registryHost('https://123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
    expect(registryHost('http://127.0.0.1:5000/')).toBe('127.0.0.1:5000');
  });
});

describe('the repository and tag of a job image', () => {
  it('names repositories under mnbatch/, in the characters ECR accepts', () => {
    expect(repositoryName('hello-mpi', 'dev')).toBe('mnbatch/dev/hello-mpi');
    expect(repositoryName('hello-mpi')).toBe('mnbatch/hello-mpi');
    expect(repositoryName('My__Job-', 'Prod')).toBe('mnbatch/prod/my_job');
    for (const name of [repositoryName('A--b__C', 'x_-y'), repositoryName('9lives')]) {
      expect(name).toMatch(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/);
    }
  });

  it('tags by the image id, so the same build has the same tag', () => {
    expect(contentTag(`sha256:${'ab'.repeat(32)}`)).toBe('mnbatch-abababababababab');
    expect(contentTag(`sha256:${'cd'.repeat(32)}`)).not.toBe(contentTag(`sha256:${'ab'.repeat(32)}`));
  });

  it('creates repositories scanned on push and tagged with the stack and job', () => {
    expect(createRepositoryRequest('mnbatch/dev/hello', 'hello', 'dev')).toEqual({
      repositoryName: 'mnbatch/dev/hello',
      imageScanningConfiguration: { scanOnPush: true },
      tags: [
        { Key: 'mnbatch:stack', Value: 'dev' },
        { Key: 'mnbatch:job', Value: 'hello' },
      ],
    });
    expect(createRepositoryRequest('mnbatch/hello', 'hello').tags).toEqual([
      { Key: 'mnbatch:job', Value: 'hello' },
    ]);
  });
});
