import { describe, expect, it } from 'vitest';
import { checkPlatform, instanceArchitecture } from '../../src/image/platform.js';

describe('instance architectures', () => {
  it.each([
    ['c5.large', 'x86_64'],
    ['c6i.32xlarge', 'x86_64'],
    ['g4dn.xlarge', 'x86_64'],
    ['hpc6a.48xlarge', 'x86_64'],
    ['p4d.24xlarge', 'x86_64'],
    ['c5', 'x86_64'],
    ['c6g.large', 'arm64'],
    ['c7gn.16xlarge', 'arm64'],
    ['m6gd.xlarge', 'arm64'],
    ['hpc7g.16xlarge', 'arm64'],
    ['is4gen.large', 'arm64'],
    ['t4g.micro', 'arm64'],
    ['a1.large', 'arm64'],
    ['c7g', 'arm64'],
  ])('%s runs %s', (type, arch) => {
    expect(instanceArchitecture(type)).toBe(arch);
  });
});

describe('checkPlatform', () => {
  it('lets an amd64 image run on x86_64 instances and an arm64 one on Graviton', () => {
    expect(() =>
      checkPlatform('a', { os: 'linux', architecture: 'amd64' }, ['c5.large', 'c6i']),
    ).not.toThrow();
    expect(() => checkPlatform('a', { os: 'linux', architecture: 'arm64' }, ['c7g.large'])).not.toThrow();
    expect(() => checkPlatform('a', { os: 'linux', architecture: 'arm64' }, [])).not.toThrow();
  });

  it('refuses an image of the other architecture, saying what to build', () => {
    expect(() => checkPlatform('hello:1', { os: 'linux', architecture: 'arm64' }, ['c5.large'])).toThrow(
      'image hello:1 is linux/arm64, but instance type c5.large runs linux/amd64: the job could not start there',
    );
    try {
      checkPlatform('hello:1', { os: 'linux', architecture: 'amd64' }, ['c7g.large']);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'IMAGE_PLATFORM_MISMATCH' });
      const details = (e as { details: string[] }).details;
      expect(details[0]).toBe(
        "build it for linux/arm64: run `mnbatch image push` (or submit) on a linux/arm64 machine, or choose an instance type of the image's architecture",
      );
      // no advice that cannot work (DOCKER_DEFAULT_PLATFORM with the classic builder builds this machine's arch)
      expect(details.join('\n')).not.toMatch(/DOCKER_DEFAULT_PLATFORM/);
      expect(details.at(-1)).toBe('nothing was pushed, registered or submitted');
    }
  });

  it('refuses images that are not Linux', () => {
    expect(() => checkPlatform('w', { os: 'windows', architecture: 'amd64' }, ['c5.large'])).toThrow(
      /windows\/amd64/,
    );
  });
});
