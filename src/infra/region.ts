/**
 * The region the SDK clients will use, resolved the way the SDK does (flag, environment,
 * shared config), so the S3 endpoint service name matches the clients' region.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { type AwsOptions, sdkClientConfig } from '../aws/clients.js';
import { MnbatchError } from '../errors.js';

/** The resolved region; a clear error when none is configured. */
export async function resolveRegion(options: AwsOptions): Promise<string> {
  const client = new EC2Client(sdkClientConfig(options));
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // fall through to the error below
  } finally {
    client.destroy();
  }
  throw new MnbatchError('AWS_NO_REGION', 'no AWS region: set region in infra.yaml, --region or AWS_REGION');
}
