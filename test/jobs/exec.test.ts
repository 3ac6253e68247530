/**
 * `mnbatch exec JOB` on AWS Batch: the node's ECS task from DescribeJobs (model-checked at the SDK
 * boundary), the exact `aws ecs execute-command` line, and clear refusals when the node is not
 * running or the job definition did not enable ECS Exec.
 */
import {
  BatchClient,
  DescribeJobsCommand,
  type DescribeJobsCommandInput,
  type JobDetail,
} from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { clusterOfTask, commandLine, executeCommandArgs } from '../../src/jobs/exec.js';
import { memoryOutput } from '../../src/ui/output.js';
import { sdkMock } from '../_helpers/sdk-mock.js';
import { JOB_ID } from './_mock-jobs.js';

const batchMock = sdkMock(BatchClient, 'batch');

const CLUSTER = 'AWSBatch-mpi-ce-0c5b2f6e-1d2b-3c4d-5e6f-7a8b9c0d1e2f';
const taskOf = (n: number) =>
  `arn:aws:ecs:eu-west-1:123456789012:task/${CLUSTER}/0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5${n}`;

/** A 3-node job whose main node is 1, RUNNING, with ECS Exec on (or off) in the definition. */
function jobWith(options: { enabled: boolean; nodeStatus?: JobDetail['status'] }) {
  batchMock.on(DescribeJobsCommand).callsFake((input: DescribeJobsCommandInput) => ({
    jobs: (input.jobs ?? []).flatMap((id): JobDetail[] => {
      const [parent, index] = id.split('#');
      if (parent !== JOB_ID) return [];
      const base = {
        jobName: 'hello-mpi',
        jobQueue: 'arn:aws:batch:eu-west-1:123456789012:job-queue/mpi-queue',
        jobDefinition: 'arn:aws:batch:eu-west-1:123456789012:job-definition/hello-mpi-abc:1',
        startedAt: Date.UTC(2026, 0, 1, 12),
      };
      if (index === undefined) {
        return [
          {
            ...base,
            jobId: JOB_ID,
            status: 'RUNNING',
            nodeProperties: {
              numNodes: 3,
              mainNode: 1,
              nodeRangeProperties: [
                {
                  targetNodes: '0:',
                  container: { image: 'img', ...(options.enabled ? { enableExecuteCommand: true } : {}) },
                },
              ],
            },
          },
        ];
      }
      return [
        {
          ...base,
          jobId: id,
          status: options.nodeStatus ?? 'RUNNING',
          nodeDetails: { nodeIndex: Number(index), isMainNode: index === '1' },
          container: { image: 'img', taskArn: taskOf(Number(index)) },
        },
      ];
    }),
  }));
}

async function run(...argv: string[]) {
  const output = memoryOutput();
  // No AWS CLI on this PATH: exec prints the line instead of running it.
  const code = await exec(['--region', 'eu-west-1', 'exec', ...argv], {
    output,
    env: { PATH: '/nonexistent' },
  });
  return { code, output };
}

describe('mnbatch exec on AWS Batch', () => {
  it('prints the execute-command line for the main node by default, with a login shell', async () => {
    jobWith({ enabled: true });
    const { code, output } = await run(JOB_ID);
    expect(code).toBe(0);
    expect(output.stdout).toEqual([
      `aws ecs execute-command --region eu-west-1 --cluster ${CLUSTER} --task ${taskOf(1)} --interactive --command '/bin/sh -c '\\''if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi'\\'''`,
    ]);
    expect(output.stderr.join('\n')).toContain('Session Manager plugin');
    expect(batchMock).toHaveReceivedCommandWith(DescribeJobsCommand, { jobs: [`${JOB_ID}#1`] });
  });

  it('goes to the node asked for and passes the command, quoted for the shell ECS runs', async () => {
    jobWith({ enabled: true });
    const { code, output } = await run(
      JOB_ID,
      '--node',
      '2',
      '--print',
      '--',
      'grep',
      '-c',
      "it's",
      '/etc/hosts',
    );
    expect(code).toBe(0);
    expect(output.stdout[0]).toContain(`--task ${taskOf(2)} --interactive --command`);
    expect(output.stdout[0]).toMatch(/--command 'grep -c '\\''it'\\''\\'\\'''\\''s'\\'' \/etc\/hosts'$/);
    expect(output.stderr).toEqual([]);
  });

  it('says how to enable ECS Exec when the job definition did not', async () => {
    jobWith({ enabled: false });
    const { code, output } = await run(JOB_ID);
    expect(code).toBe(1);
    expect(output.stderr[0]).toBe('error: ECS Exec is not enabled for hello-mpi');
    expect(output.stderr.join('\n')).toContain('set `exec: true` in job.yaml and submit again');
    expect(output.stderr.join('\n')).toContain('ssmmessages:CreateControlChannel');
    expect(output.stdout).toEqual([]);
  });

  it('refuses a node that is not running, and a node the job does not have', async () => {
    jobWith({ enabled: true, nodeStatus: 'STARTING' });
    const starting = await run(JOB_ID, '--node', '0');
    expect(starting.code).toBe(1);
    expect(starting.output.stderr[0]).toBe(
      'error: node 0 of hello-mpi is STARTING: exec needs a RUNNING node',
    );
    const missing = await run(JOB_ID, '--node', '3');
    expect(missing.code).toBe(2);
    expect(missing.output.stderr[0]).toBe('error: --node 3: the job has nodes 0 to 2');
  });
});

describe('execute-command pieces', () => {
  it('reads the cluster from a task ARN', () => {
    expect(clusterOfTask(taskOf(0))).toBe(CLUSTER);
    expect(clusterOfTask('arn:aws:ecs:us-east-1:123456789012:task/0a1b2c')).toBeUndefined();
  });

  it('names the profile when there is one, and quotes the line for a shell', () => {
    const argv = executeCommandArgs({ jobName: 'j', node: 0, cluster: 'c', taskArn: 't' }, ['ls', '-la'], {
      region: 'us-east-1',
      profile: 'hpc',
    });
    expect(commandLine(argv)).toBe(
      "ecs execute-command --region us-east-1 --profile hpc --cluster c --task t --interactive --command 'ls -la'",
    );
  });
});
