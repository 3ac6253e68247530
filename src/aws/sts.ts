/**
 * STS adapter: who the credentials belong to. GetCallerIdentity needs no permission (AWS allows
 * it to every principal), so it works under any of mnbatch's policies.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsOptions, awsClient } from './clients.js';

/** The account and ARN of the caller, and the partition that ARN is in (`aws`, `aws-cn`, …). */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly partition: string;
}

/** The STS call mnbatch makes. */
export interface Sts {
  getCallerIdentity(): Promise<CallerIdentity>;
}

/** The partition of an ARN (`arn:<partition>:…`); `aws` when the ARN is not one. */
export function partitionOf(arn: string): string {
  return /^arn:([\w-]+):/.exec(arn)?.[1] ?? 'aws';
}

/** An `Sts` backed by a real SDK client built with `awsClient` (clients.ts). */
export function createSts(options: AwsOptions): Sts {
  return stsFromClient(awsClient(STSClient, options));
}

/** An `Sts` over an existing client. */
export function stsFromClient(client: STSClient): Sts {
  return {
    async getCallerIdentity() {
      const out = await client.send(new GetCallerIdentityCommand({}));
      const arn = out.Arn ?? '';
      return { account: out.Account ?? '', arn, partition: partitionOf(arn) };
    },
  };
}
