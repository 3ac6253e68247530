/**
 * The requests of a bake as values (pure): the builder's RunInstances and the CreateImage that
 * follows, with names and tags. `--dry-run` prints these; the bake sends them.
 */
import type { CreateImageCommandInput, RunInstancesCommandInput, Tag } from '@aws-sdk/client-ec2';
import type { BaseImage } from './base-image.js';
import type { Architecture } from './instance-type.js';
import type { BakeVariables } from './user-data.js';

/** Tag on the builder instance (value: the AMI name), so a leftover builder is easy to find. */
export const BUILDER_TAG = 'mnbatch:ami-builder';
/** Tag on the baked image and its snapshots (value: the AMI name without timestamp). */
export const AMI_TAG = 'mnbatch:ami';

/** A small, widely available builder per architecture: the bake does not need the target type. */
export const DEFAULT_BUILDER_TYPE: Readonly<Record<Architecture, string>> = {
  x86_64: 'm5.large',
  arm64: 'm6g.large',
};

/** Characters EC2 allows in an image name; we keep 17 of the 128 for the timestamp. */
export const IMAGE_NAME_PATTERN = /^[A-Za-z0-9()[\] ./'@_-]{3,110}$/;

/** Everything a bake will do, resolved before anything is launched. */
export interface BakePlan {
  readonly region: string;
  readonly baseImage: BaseImage;
  /** The type nr_cpus was computed for, when one was given. */
  readonly targetType?: string;
  readonly builderType: string;
  readonly variables: BakeVariables;
  readonly imageName: string;
  readonly userData: string;
  readonly userDataBytes: number;
  readonly runInstances: RunInstancesCommandInput;
}

/** The name the user did not choose: what the AMI is, readable in the console's image list. */
export function defaultAmiName(variables: BakeVariables, targetType: string | undefined): string {
  const parts = ['mnbatch-ecs'];
  if (variables.efs) parts.push('efs');
  if (variables.nrCpus !== 'keep') parts.push(`${targetType ?? 'nrcpus'}-nr${variables.nrCpus}`);
  return parts.join('-');
}

/** `name` plus a UTC timestamp, so bakes never collide (EC2 image names are unique per account). */
export function timestampedName(name: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${name}-${stamp}`;
}

/** One line saying what was baked into the image. */
export function describeBake(base: BaseImage, variables: BakeVariables): string {
  const what: string[] = [];
  if (variables.efs) {
    what.push(`EFS ${variables.efs.fileSystemId} at ${variables.efs.mountPath} (${variables.efs.mode})`);
  }
  if (variables.nrCpus !== 'keep') what.push(`nr_cpus=${variables.nrCpus}`);
  return `mnbatch ami bake from ${base.imageId}: ${what.join(', ') || 'clean instance state'}`.slice(0, 255);
}

function builderTags(name: string): Tag[] {
  return [
    { Key: 'Name', Value: `mnbatch ami builder (${name})` },
    { Key: BUILDER_TAG, Value: name },
  ];
}

/** The builder's RunInstances: stops itself when the scripts are done (shutdown behaviour stop). */
export function runInstancesRequest(input: {
  readonly baseImage: BaseImage;
  readonly builderType: string;
  readonly name: string;
  readonly userData: string;
  readonly clientToken: string;
  readonly subnetId?: string;
  readonly securityGroupIds?: readonly string[];
}): RunInstancesCommandInput {
  const tags = builderTags(input.name);
  return {
    ImageId: input.baseImage.imageId,
    InstanceType: input.builderType as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    // Retries of this request (SDK or network) must not start a second builder.
    ClientToken: input.clientToken,
    UserData: Buffer.from(input.userData, 'utf8').toString('base64'),
    InstanceInitiatedShutdownBehavior: 'stop',
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    ...(input.subnetId ? { SubnetId: input.subnetId } : {}),
    ...(input.securityGroupIds?.length ? { SecurityGroupIds: [...input.securityGroupIds] } : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}

/** CreateImage of the stopped builder, image and snapshots tagged with what went into them. */
export function createImageRequest(
  instanceId: string,
  plan: BakePlan,
  name: string,
): CreateImageCommandInput {
  const tags: Tag[] = [
    { Key: 'Name', Value: plan.imageName },
    { Key: AMI_TAG, Value: name },
    { Key: 'mnbatch:base-ami', Value: plan.baseImage.imageId },
    { Key: 'mnbatch:nr-cpus', Value: String(plan.variables.nrCpus) },
  ];
  if (plan.variables.efs) tags.push({ Key: 'mnbatch:efs', Value: plan.variables.efs.fileSystemId });
  return {
    InstanceId: instanceId,
    Name: plan.imageName,
    Description: describeBake(plan.baseImage, plan.variables),
    TagSpecifications: [
      { ResourceType: 'image', Tags: tags },
      { ResourceType: 'snapshot', Tags: tags },
    ],
  };
}
