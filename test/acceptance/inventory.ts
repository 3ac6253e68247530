/**
 * Everything in the account that belongs to one acceptance run, found the way a person would
 * check, with the SDK and independently of mnbatch's own code (so a bug in `infra down` cannot
 * hide what it left): resources tagged `mnbatch:stack=<run id>`, and the job definitions, ECR
 * repositories and log streams whose names start with the run id. Read-only.
 */
import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
} from '@aws-sdk/client-batch';
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeInstancesCommand,
  DescribePlacementGroupsCommand,
  DescribeTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import {
  IAMClient,
  ListInstanceProfilesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import type { SdkConfig } from './target.js';

/** One resource of the run: `kind` and the name (or id) a person finds it by. */
export interface Leftover {
  readonly kind: string;
  readonly name: string;
}

const STACK_TAG = 'mnbatch:stack';
/** The log group Batch writes job logs to when a definition names none. */
export const JOB_LOG_GROUP = '/aws/batch/job';

/** Pages of a paginated call until it gives no token. */
async function pages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...page.items);
    token = page.next;
  } while (token);
  return all;
}

async function ec2Leftovers(config: SdkConfig, runId: string): Promise<Leftover[]> {
  const ec2 = new EC2Client(config);
  try {
    const filters = [{ Name: `tag:${STACK_TAG}`, Values: [runId] }];
    const tags = await pages(async (NextToken) => {
      const r = await ec2.send(
        new DescribeTagsCommand({
          Filters: [
            { Name: 'key', Values: [STACK_TAG] },
            { Name: 'value', Values: [runId] },
          ],
          NextToken,
        }),
      );
      return { items: r.Tags ?? [], ...(r.NextToken ? { next: r.NextToken } : {}) };
    });
    // Terminated instances keep their tags for a while: they cost nothing and are gone.
    const instances = await ec2.send(new DescribeInstancesCommand({ Filters: filters }));
    const gone = new Set(
      (instances.Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .filter((i) => i.State?.Name === 'terminated')
        .map((i) => i.InstanceId),
    );
    const found: Leftover[] = tags
      .filter((t) => !gone.has(t.ResourceId))
      .map((t) => ({ kind: `ec2 ${t.ResourceType ?? 'resource'}`, name: t.ResourceId ?? '' }));
    const groups = await ec2.send(new DescribePlacementGroupsCommand({ Filters: filters }));
    for (const g of groups.PlacementGroups ?? [])
      if (g.State !== 'deleted' && !found.some((f) => f.name === g.GroupId || f.name === g.GroupName))
        found.push({ kind: 'ec2 placement-group', name: g.GroupName ?? g.GroupId ?? '' });
    return found;
  } finally {
    ec2.destroy();
  }
}

async function batchLeftovers(config: SdkConfig, runId: string): Promise<Leftover[]> {
  const batch = new BatchClient(config);
  try {
    const environments = await pages(async (nextToken) => {
      const r = await batch.send(new DescribeComputeEnvironmentsCommand({ nextToken }));
      return { items: r.computeEnvironments ?? [], ...(r.nextToken ? { next: r.nextToken } : {}) };
    });
    const queues = await pages(async (nextToken) => {
      const r = await batch.send(new DescribeJobQueuesCommand({ nextToken }));
      return { items: r.jobQueues ?? [], ...(r.nextToken ? { next: r.nextToken } : {}) };
    });
    const definitions = await pages(async (nextToken) => {
      const r = await batch.send(new DescribeJobDefinitionsCommand({ status: 'ACTIVE', nextToken }));
      return { items: r.jobDefinitions ?? [], ...(r.nextToken ? { next: r.nextToken } : {}) };
    });
    const ours = (tags: Record<string, string> | undefined, status: string | undefined) =>
      tags?.[STACK_TAG] === runId && status !== 'DELETED';
    return [
      ...environments
        .filter((e) => ours(e.tags, e.status))
        .map((e) => ({ kind: 'batch compute-environment', name: e.computeEnvironmentName ?? '' })),
      ...queues
        .filter((q) => ours(q.tags, q.status))
        .map((q) => ({ kind: 'batch job-queue', name: q.jobQueueName ?? '' })),
      ...definitions
        .filter((d) => d.jobDefinitionName?.startsWith(`mnbatch-${runId}-`))
        .map((d) => ({ kind: 'batch job-definition', name: `${d.jobDefinitionName}:${d.revision}` })),
    ];
  } finally {
    batch.destroy();
  }
}

async function iamLeftovers(config: SdkConfig, runId: string): Promise<Leftover[]> {
  const iam = new IAMClient(config);
  const prefix = `mnbatch-${runId}`;
  try {
    const roles = await pages(async (Marker) => {
      const r = await iam.send(new ListRolesCommand({ Marker }));
      return { items: r.Roles ?? [], ...(r.IsTruncated && r.Marker ? { next: r.Marker } : {}) };
    });
    const profiles = await pages(async (Marker) => {
      const r = await iam.send(new ListInstanceProfilesCommand({ Marker }));
      return { items: r.InstanceProfiles ?? [], ...(r.IsTruncated && r.Marker ? { next: r.Marker } : {}) };
    });
    const policies = await pages(async (Marker) => {
      const r = await iam.send(new ListPoliciesCommand({ Scope: 'Local', Marker }));
      return { items: r.Policies ?? [], ...(r.IsTruncated && r.Marker ? { next: r.Marker } : {}) };
    });
    return [
      // The execution policy the run made as the administrator (its ARN, to delete it by).
      ...policies
        .filter((p) => p.PolicyName?.startsWith(prefix))
        .map((p) => ({ kind: 'iam policy', name: p.Arn ?? '' })),
      ...roles
        .filter((r) => r.RoleName?.startsWith(prefix))
        .map((r) => ({ kind: 'iam role', name: r.RoleName ?? '' })),
      ...profiles
        .filter((p) => p.InstanceProfileName?.startsWith(prefix))
        .map((p) => ({ kind: 'iam instance-profile', name: p.InstanceProfileName ?? '' })),
    ];
  } finally {
    iam.destroy();
  }
}

async function efsLeftovers(config: SdkConfig, runId: string): Promise<Leftover[]> {
  const efs = new EFSClient(config);
  try {
    const systems = await pages(async (Marker) => {
      const r = await efs.send(new DescribeFileSystemsCommand({ Marker }));
      return { items: r.FileSystems ?? [], ...(r.NextMarker ? { next: r.NextMarker } : {}) };
    });
    return systems
      .filter((f) => f.Tags?.some((t) => t.Key === STACK_TAG && t.Value === runId))
      .map((f) => ({ kind: 'efs file-system', name: f.FileSystemId ?? '' }));
  } finally {
    efs.destroy();
  }
}

async function ecrLeftovers(config: SdkConfig, runId: string): Promise<Leftover[]> {
  const ecr = new ECRClient(config);
  try {
    const repositories = await pages(async (nextToken) => {
      const r = await ecr.send(new DescribeRepositoriesCommand({ nextToken }));
      return { items: r.repositories ?? [], ...(r.nextToken ? { next: r.nextToken } : {}) };
    });
    return repositories
      .filter((r) => r.repositoryName?.startsWith(`mnbatch/${runId}/`))
      .map((r) => ({ kind: 'ecr repository', name: r.repositoryName ?? '' }));
  } finally {
    ecr.destroy();
  }
}

async function logLeftovers(config: SdkConfig, runId: string): Promise<Leftover[]> {
  const logs = new CloudWatchLogsClient(config);
  try {
    const streams = await pages(async (nextToken) => {
      const r = await logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: JOB_LOG_GROUP,
          logStreamNamePrefix: `${runId}-`,
          nextToken,
        }),
      );
      return { items: r.logStreams ?? [], ...(r.nextToken ? { next: r.nextToken } : {}) };
    });
    return streams.map((s) => ({ kind: 'logs stream', name: `${JOB_LOG_GROUP} ${s.logStreamName}` }));
  } catch (e) {
    if (e instanceof Error && e.name === 'ResourceNotFoundException') return [];
    throw e;
  } finally {
    logs.destroy();
  }
}

/** Every resource of run `runId` in the account and region of `config`. */
export async function inventory(config: SdkConfig, runId: string): Promise<Leftover[]> {
  const found = await Promise.all([
    ec2Leftovers(config, runId),
    batchLeftovers(config, runId),
    iamLeftovers(config, runId),
    efsLeftovers(config, runId),
    ecrLeftovers(config, runId),
    logLeftovers(config, runId),
  ]);
  return found.flat().sort((a, b) => `${a.kind} ${a.name}`.localeCompare(`${b.kind} ${b.name}`));
}

/** `kind name` lines, for reports. */
export function describeLeftovers(list: readonly Leftover[]): string[] {
  return list.map((l) => `${l.kind} ${l.name}`);
}
