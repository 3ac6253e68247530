/**
 * SSM adapter: only the public-parameter lookup mnbatch makes (the ECS-optimized AMI id).
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type AwsOptions, awsClient } from './clients.js';

/** The public SSM parameter holding the recommended ECS-optimized AMI id of `os` for `arch`. */
export function ecsOptimizedParameter(os: 'al2023' | 'al2', arch: 'x86_64' | 'arm64'): string {
  const release = os === 'al2023' ? 'amazon-linux-2023' : 'amazon-linux-2';
  return `/aws/service/ecs/optimized-ami/${release}${arch === 'arm64' ? '/arm64' : ''}/recommended/image_id`;
}

/** Public SSM parameter with the current ECS-optimized Amazon Linux 2023 (x86_64) AMI id of the region. */
export const ECS_AL2023_AMI_PARAMETER = ecsOptimizedParameter('al2023', 'x86_64');

/** The SSM calls mnbatch makes. */
export interface Ssm {
  /** The parameter's value, or undefined when it does not exist. */
  getParameter(name: string): Promise<string | undefined>;
}

/** An `Ssm` backed by a real SDK client built with `awsClient` (clients.ts). */
export function createSsm(options: AwsOptions): Ssm {
  return ssmFromClient(awsClient(SSMClient, options));
}

/** An `Ssm` over an existing client. */
export function ssmFromClient(client: SSMClient): Ssm {
  return {
    async getParameter(name) {
      try {
        return (await client.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
      } catch (e) {
        if (e instanceof Error && e.name === 'ParameterNotFound') return undefined;
        throw e;
      }
    },
  };
}
