/**
 * The AMI the builder starts from: the current ECS-optimized Amazon Linux (through AWS's public
 * SSM parameters, for the builder's architecture) or an explicit image id; checked with
 * DescribeImages so an unusable base fails before anything is launched.
 */
import type { Image } from '@aws-sdk/client-ec2';
import type { Ec2 } from '../aws/ec2.js';
import { awsErrorName } from '../aws/errors.js';
import { ecsOptimizedParameter, type Ssm } from '../aws/ssm.js';
import { MnbatchError } from '../errors.js';
import type { Architecture } from './instance-type.js';

/** Which base: an ECS-optimized Amazon Linux release, or an image id. */
export type BaseChoice =
  | { readonly kind: 'ecs-optimized'; readonly os: 'al2023' | 'al2' }
  | { readonly kind: 'image'; readonly imageId: string };

/** The base image, resolved and checked. */
export interface BaseImage {
  readonly imageId: string;
  readonly name: string;
  readonly architecture: Architecture;
  /** Where the id came from (the SSM parameter, or "--base-ami"). */
  readonly source: string;
}

/**
 * Resolves `choice` and checks the image can be baked. `arch` is the architecture the AMI is for
 * (the target instance type's), when known; the ECS-optimized default is x86_64.
 */
export async function resolveBaseImage(
  aws: { readonly ec2: Pick<Ec2, 'describeImages'>; readonly ssm: Ssm },
  choice: BaseChoice,
  arch: Architecture | undefined,
): Promise<BaseImage> {
  let imageId: string;
  let source: string;
  if (choice.kind === 'ecs-optimized') {
    source = ecsOptimizedParameter(choice.os, arch ?? 'x86_64');
    const value = await aws.ssm.getParameter(source);
    if (!value) {
      throw new MnbatchError('AMI_BASE_NOT_FOUND', `SSM parameter ${source} does not exist in this region`, {
        details: ['pass --base-ami ami-… to bake from a specific image'],
      });
    }
    imageId = value;
  } else {
    imageId = choice.imageId;
    source = '--base-ami';
  }
  let images: Image[];
  try {
    images = await aws.ec2.describeImages({ ImageIds: [imageId] });
  } catch (e) {
    if (awsErrorName(e).startsWith('InvalidAMIID.')) images = [];
    else throw e;
  }
  const image = images.find((i) => i.ImageId === imageId);
  if (!image) throw new MnbatchError('AMI_BASE_NOT_FOUND', `base AMI ${imageId} not found in this region`);
  return { imageId, name: image.Name ?? imageId, architecture: checkImage(image, arch), source };
}

/** The image's architecture, or why it cannot be a base for an AMI of architecture `arch`. */
function checkImage(image: Image, arch: Architecture | undefined): Architecture {
  const id = image.ImageId ?? '?';
  const unsupported = (why: string) =>
    new MnbatchError('AMI_UNSUPPORTED_BASE', `base AMI ${id} (${image.Name ?? 'no name'}) ${why}`, {
      details: ['bake from an ECS-optimized Amazon Linux 2023 / 2 AMI (the default) or a Debian/Ubuntu AMI'],
    });
  if (image.State && image.State !== 'available') throw unsupported(`is ${image.State}, not available`);
  if (String(image.Platform ?? '').toLowerCase() === 'windows') throw unsupported('is a Windows image');
  if (image.RootDeviceType && image.RootDeviceType !== 'ebs') throw unsupported('is not EBS-backed');
  if (image.Architecture !== 'x86_64' && image.Architecture !== 'arm64') {
    throw unsupported(`has architecture ${image.Architecture ?? 'unknown'}`);
  }
  if (arch && image.Architecture !== arch) {
    throw unsupported(`is ${image.Architecture}, but the instance type runs ${arch}`);
  }
  return image.Architecture;
}
