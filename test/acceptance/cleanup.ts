/**
 * Removes everything of one acceptance run, whatever step it stopped at, and says what is left
 * by name: the run's unfinished jobs are terminated, its stack goes with `mnbatch infra down`
 * (the product's own path), then what `infra down` does not own — the ECR repositories `submit`
 * made, the job definitions, the log streams, and the roles and policies the run made as the
 * administrator — is deleted by name. Every part is tried even
 * when another fails; the inventory afterwards is the answer.
 */
import {
  BatchClient,
  DeregisterJobDefinitionCommand,
  type JobStatus,
  ListJobsCommand,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { CloudWatchLogsClient, DeleteLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DeletePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import type { CliResult } from '../_helpers/cli-process.js';
import { inventory, JOB_LOG_GROUP, type Leftover } from './inventory.js';
import { deleteSideRole, isSideRole } from './principals.js';
import type { SdkConfig } from './target.js';

/** What cleanup needs: SDK configuration and the built CLI of the same account. */
export interface CleanupDeps {
  readonly sdk: SdkConfig;
  readonly cli: (args: readonly string[]) => Promise<CliResult>;
  readonly say: (line: string) => void;
}

const UNFINISHED: readonly JobStatus[] = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'];

async function terminateJobs(batch: BatchClient, runId: string, say: (line: string) => void): Promise<void> {
  for (const jobStatus of UNFINISHED) {
    let nextToken: string | undefined;
    do {
      const page = await batch.send(
        new ListJobsCommand({ jobQueue: `mnbatch-${runId}`, jobStatus, nextToken }),
      );
      for (const job of page.jobSummaryList ?? []) {
        say(`terminating job ${job.jobName} (${job.jobId}), ${jobStatus}`);
        await batch.send(
          new TerminateJobCommand({ jobId: job.jobId, reason: `acceptance run ${runId} cleanup` }),
        );
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
}

/**
 * Deletes what `found` lists that is not the stack's (repositories, job definitions, log streams,
 * and what the run made as the administrator: the side roles, then the policies they held).
 */
async function deleteByName(
  sdk: SdkConfig,
  runId: string,
  found: readonly Leftover[],
  say: (line: string) => void,
): Promise<void> {
  const ecr = new ECRClient(sdk);
  const batch = new BatchClient(sdk);
  const logs = new CloudWatchLogsClient(sdk);
  const iam = new IAMClient(sdk);
  // A policy attached to a role cannot be deleted: the roles go first.
  const ordered = [...found].sort((a, b) => Number(b.kind === 'iam role') - Number(a.kind === 'iam role'));
  try {
    for (const item of ordered) {
      if (item.kind === 'iam role' && isSideRole(runId, item.name)) {
        say(`deleting role ${item.name} the run made as the administrator`);
        await deleteSideRole(iam, item.name);
      } else if (item.kind === 'ecr repository') {
        say(`deleting ECR repository ${item.name} and its images`);
        await ecr.send(new DeleteRepositoryCommand({ repositoryName: item.name, force: true }));
      } else if (item.kind === 'batch job-definition') {
        say(`deregistering job definition ${item.name}`);
        await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: item.name }));
      } else if (item.kind === 'iam policy') {
        say(`deleting policy ${item.name} the run made as the administrator`);
        await iam.send(new DeletePolicyCommand({ PolicyArn: item.name }));
      } else if (item.kind === 'logs stream') {
        const stream = item.name.slice(JOB_LOG_GROUP.length + 1);
        say(`deleting log stream ${stream}`);
        await logs.send(new DeleteLogStreamCommand({ logGroupName: JOB_LOG_GROUP, logStreamName: stream }));
      }
    }
  } finally {
    ecr.destroy();
    batch.destroy();
    logs.destroy();
    iam.destroy();
  }
}

/** Cleans up run `runId`; returns what is still there afterwards (empty when all went). */
export async function cleanupRun(deps: CleanupDeps, runId: string): Promise<Leftover[]> {
  const { sdk, cli, say } = deps;
  const batch = new BatchClient(sdk);
  const problems: string[] = [];
  const attempt = async (what: string, step: () => Promise<void>) => {
    try {
      await step();
    } catch (e) {
      problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  try {
    await attempt('terminating jobs', () => terminateJobs(batch, runId, say));
    await attempt('infra down', async () => {
      const down = await cli(['infra', 'down', '--stack', runId, '--yes']);
      for (const line of `${down.stdout}${down.stderr}`.split('\n').filter(Boolean)) say(`  ${line}`);
      if (down.code !== 0) throw new Error(`mnbatch infra down exited ${down.code}`);
    });
    await attempt('deleting by name', async () => deleteByName(sdk, runId, await inventory(sdk, runId), say));
  } finally {
    batch.destroy();
  }
  for (const p of problems) say(`cleanup: ${p}`);
  return inventory(sdk, runId);
}
