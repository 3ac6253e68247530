/**
 * Where job commands get instance facts: `submit` from EC2 through the per-region cache,
 * `plan` and `validate` (which call no AWS API and load no AWS SDK) from the cache alone. Loaded only when a job
 * needs them (EFA), so other commands load no EC2 client.
 */
import type { ResolvedAwsOptions } from '../aws/clients.js';
import type { InstanceFacts, InstanceKnowledge } from '../instances/facts.js';
import type { CliContext } from '../ui/context.js';
import { awsOptionsOf } from '../ui/context.js';

/** How a job file's instance type is looked up when the job needs its facts. */
export type InstanceKnowledgeOf = (instanceType: string) => Promise<InstanceKnowledge>;

/** EC2's facts of `entries` (types or families), through the per-region cache. */
export async function ec2InstanceFacts(
  ctx: CliContext,
  aws: ResolvedAwsOptions,
  entries: readonly string[],
): Promise<ReadonlyMap<string, InstanceFacts>> {
  const [{ createEc2 }, { withAwsErrors }, { describeInstanceFacts }, cache] = await Promise.all([
    import('../aws/ec2.js'),
    import('../aws/errors.js'),
    import('../instances/facts.js'),
    import('../instances/cache.js'),
  ]);
  const ec2 = withAwsErrors(createEc2(aws), 'ec2');
  const lookup = cache.cachedInstanceFacts((e) => describeInstanceFacts(ec2, e), {
    file: cache.instanceFactsCacheFile(ctx.env, aws.region),
    now: Date.now,
  });
  return lookup(entries);
}

/** `submit`: EC2 is asked (once a week per type, the cache keeps the answer). */
export function ec2Knowledge(ctx: CliContext, aws: () => Promise<ResolvedAwsOptions>): InstanceKnowledgeOf {
  return async (type) => {
    const { knowledgeOf } = await import('../instances/facts.js');
    return knowledgeOf(await ec2InstanceFacts(ctx, await aws(), [type]), 'ec2');
  };
}

/**
 * `plan` and `validate`: only the cache, without loading the AWS SDK: the region's file
 * (`--region`, AWS_REGION) first, then those of other regions, since a type's facts are the
 * same in every region.
 */
export function cachedKnowledge(ctx: CliContext): InstanceKnowledgeOf {
  return async (type) => {
    const [{ knowledgeOf }, cache] = await Promise.all([
      import('../instances/facts.js'),
      import('../instances/cache.js'),
    ]);
    const region = awsOptionsOf(ctx, 'plan').region ?? ctx.env.AWS_REGION;
    const files = await cache.instanceFactsCacheFiles(ctx.env, region);
    return knowledgeOf(await cache.cachedOnlyInstanceFacts(files, [type]), 'cache');
  };
}
