/**
 * Will the image run on the compute environment's instances? Both sides as a CPU architecture;
 * pure. Graviton (arm64) families carry a `g` after the generation digit (c6g, m7gd, c6gn,
 * im4gn, is4gen, x2gd, t4g, g5g), and `a1` is the first; every other family is x86_64.
 */
import { MnbatchError } from '../errors.js';

export type CpuArchitecture = 'x86_64' | 'arm64';

/** The CPU architecture of an EC2 instance type or family (`c6g.large`, `c5`). */
export function instanceArchitecture(instanceType: string): CpuArchitecture {
  const family = instanceType.split('.')[0] ?? '';
  if (family === 'a1') return 'arm64';
  return /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? 'arm64' : 'x86_64';
}

/** Docker's name of an image architecture (`amd64`, `arm64`) as an EC2 one, or undefined for others. */
export function imageArchitecture(dockerArchitecture: string): CpuArchitecture | undefined {
  if (dockerArchitecture === 'amd64') return 'x86_64';
  if (dockerArchitecture === 'arm64') return 'arm64';
  return undefined;
}

/** Throws IMAGE_PLATFORM_MISMATCH when `image` (os/architecture as Docker says) cannot run on `instanceTypes`. */
export function checkPlatform(
  image: string,
  platform: { readonly os: string; readonly architecture: string },
  instanceTypes: readonly string[],
): void {
  const arch = imageArchitecture(platform.architecture);
  const refused = instanceTypes.filter((t) => platform.os !== 'linux' || instanceArchitecture(t) !== arch);
  if (refused.length === 0) return;
  const wanted = [...new Set(refused.map(instanceArchitecture))].map((a) =>
    a === 'arm64' ? 'linux/arm64' : 'linux/amd64',
  );
  throw new MnbatchError(
    'IMAGE_PLATFORM_MISMATCH',
    `image ${image} is ${platform.os}/${platform.architecture}, but instance type ${refused.join(', ')} runs ${wanted.join(', ')}: the job could not start there`,
    {
      details: [
        `build it for ${wanted.join(', ')}: run \`mnbatch image push\` (or submit) on a ${wanted.join(', ')} machine, or choose an instance type of the image's architecture`,
        "mnbatch builds for the machine it runs on: the image is built FROM the agent image, whose executable is made for this machine's CPU, and Docker's classic builder keeps a local base image's architecture whatever --platform says (docs/launcher.md, Architectures)",
        'nothing was pushed, registered or submitted',
      ],
    },
  );
}
