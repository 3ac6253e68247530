/**
 * SSM adapter: the public-parameter lookup mnbatch makes (the ECS-optimized AMI id), and the
 * stack's SecureString that holds the nodes' rendezvous key.
 */
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  type ParameterMetadata,
  PutParameterCommand,
  SSMClient,
  type Tag,
} from '@aws-sdk/client-ssm';
import { type AwsOptions, awsClient } from './clients.js';

/** The public SSM parameter holding the recommended ECS-optimized AMI id of `os` for `arch`. */
export function ecsOptimizedParameter(os: 'al2023' | 'al2', arch: 'x86_64' | 'arm64'): string {
  const release = os === 'al2023' ? 'amazon-linux-2023' : 'amazon-linux-2';
  return `/aws/service/ecs/optimized-ami/${release}${arch === 'arm64' ? '/arm64' : ''}/recommended/image_id`;
}

/** Public SSM parameter with the current ECS-optimized Amazon Linux 2023 (x86_64) AMI id of the region. */
export const ECS_AL2023_AMI_PARAMETER = ecsOptimizedParameter('al2023', 'x86_64');

/** A parameter's metadata (never its value) and its tags. */
export interface ParameterInfo {
  readonly metadata: ParameterMetadata;
  readonly tags: readonly Tag[];
}

/** The SSM calls mnbatch makes. */
export interface Ssm {
  /** The parameter's value, or undefined when it does not exist. */
  getParameter(name: string): Promise<string | undefined>;
  /** Metadata and tags of parameter `name` (no value is read), or undefined when it does not exist. */
  describeParameter(name: string): Promise<ParameterInfo | undefined>;
  /** Creates a SecureString (never overwrites: an existing parameter is an error), tagged on create. */
  createSecureParameter(name: string, value: string, description: string, tags: Tag[]): Promise<void>;
  /** Deletes the parameter; one already gone is not an error. */
  deleteParameter(name: string): Promise<void>;
}

/** An `Ssm` backed by a real SDK client built with `awsClient` (clients.ts). */
export function createSsm(options: AwsOptions): Ssm {
  return ssmFromClient(awsClient(SSMClient, options));
}

const notFound = (e: unknown, name: string) => e instanceof Error && e.name === name;

/** An `Ssm` over an existing client. */
export function ssmFromClient(client: SSMClient): Ssm {
  return {
    async getParameter(name) {
      try {
        return (await client.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
      } catch (e) {
        if (notFound(e, 'ParameterNotFound')) return undefined;
        throw e;
      }
    },
    async describeParameter(name) {
      const found = await client.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }],
        }),
      );
      const metadata = found.Parameters?.find((p) => p.Name === name);
      if (!metadata) return undefined;
      try {
        const tags = await client.send(
          new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }),
        );
        return { metadata, tags: tags.TagList ?? [] };
      } catch (e) {
        // Deleted between the two calls.
        if (notFound(e, 'InvalidResourceId')) return undefined;
        throw e;
      }
    },
    async createSecureParameter(name, value, description, tags) {
      await client.send(
        new PutParameterCommand({
          Name: name,
          Value: value,
          Type: 'SecureString',
          Description: description,
          Tags: tags,
          Overwrite: false,
        }),
      );
    },
    async deleteParameter(name) {
      try {
        await client.send(new DeleteParameterCommand({ Name: name }));
      } catch (e) {
        if (notFound(e, 'ParameterNotFound')) return;
        throw e;
      }
    },
  };
}
