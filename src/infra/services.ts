/**
 * What the infrastructure engine talks to: the service adapters, the region they use, and a clock
 * (so bounded waits take no real time in tests).
 */
import type { BatchInfra } from '../aws/batch-infra.js';
import type { AwsOptions } from '../aws/clients.js';
import type { Ec2 } from '../aws/ec2.js';
import type { Efs } from '../aws/efs.js';
import type { AwsErrorContext } from '../aws/errors.js';
import type { Iam } from '../aws/iam.js';
import type { Ssm } from '../aws/ssm.js';
import type { Sts } from '../aws/sts.js';
import { type Clock, systemClock } from '../clock.js';

/** Everything `infra up/down/status` needs from the outside world. */
export interface InfraServices {
  readonly ec2: Ec2;
  readonly efs: Efs;
  readonly batch: BatchInfra;
  readonly iam: Iam;
  readonly ssm: Ssm;
  /** Whose account (for the ARN of the stack's execution policy). */
  readonly sts: Sts;
  /** The region the clients talk to (S3 endpoint service name, messages). */
  readonly region: string;
  readonly clock: Clock;
  /** Aborted on Ctrl-C: every wait stops at its next look and says how to continue. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * `services` with every adapter call's AWS error turned into one actionable line naming the IAM
 * action (`not allowed to call ec2:CreatePlacementGroup: …`); the original error stays the cause.
 */
export async function withInfraAwsErrors(
  services: InfraServices,
  context: AwsErrorContext = {},
): Promise<InfraServices> {
  const { withAwsErrors } = await import('../aws/errors.js');
  const where = { region: services.region, ...context };
  return {
    ...services,
    ec2: withAwsErrors(services.ec2, 'ec2', where),
    efs: withAwsErrors(services.efs, 'elasticfilesystem', where),
    batch: withAwsErrors(services.batch, 'batch', where),
    iam: withAwsErrors(services.iam, 'iam', where),
    ssm: withAwsErrors(services.ssm, 'ssm', where),
    sts: withAwsErrors(services.sts, 'sts', where),
  };
}

/**
 * Real adapters for `options`, all on the one region resolved here (flag > infra.yaml > AWS_REGION
 * > profile); fails clearly, before any call, when no region is configured anywhere.
 */
export async function createInfraServices(
  options: AwsOptions,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<InfraServices> {
  const [
    { resolveAwsOptions },
    { createEc2 },
    { createEfs },
    { createBatchInfra },
    { createIam },
    { createSsm },
    { createSts },
    { EC2Client },
  ] = await Promise.all([
    import('../aws/clients.js'),
    import('../aws/ec2.js'),
    import('../aws/efs.js'),
    import('../aws/batch-infra.js'),
    import('../aws/iam.js'),
    import('../aws/ssm.js'),
    import('../aws/sts.js'),
    import('@aws-sdk/client-ec2'),
  ]);
  const resolved = await resolveAwsOptions(options, EC2Client, env);
  return withInfraAwsErrors(
    {
      ec2: createEc2(resolved),
      efs: createEfs(resolved),
      batch: createBatchInfra(resolved),
      iam: createIam(resolved),
      ssm: createSsm(resolved),
      sts: createSts(resolved),
      region: resolved.region,
      clock: systemClock,
    },
    resolved,
  );
}
