import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';
import { assertValidRequest } from '../_helpers/aws-model.js';

const cwd = join(import.meta.dirname, '../..');

async function plan(args: string[], env: Record<string, string> = {}) {
  const output = memoryOutput();
  const code = await exec(['plan', ...args], { output, cwd, env });
  return { code, output };
}

describe('mnbatch plan', () => {
  it('--json prints exactly both requests, naming the stack key and execution role with placeholders', async () => {
    const { code, output } = await plan(['examples/hello-mpi/job.yaml', '--json']);
    expect(code).toBe(0);
    const printed = JSON.parse(output.stdout.join('\n'));
    expect(Object.keys(printed)).toEqual(['registerJobDefinition', 'submitJob']);
    assertValidRequest('batch', 'RegisterJobDefinition', printed.registerJobDefinition);
    assertValidRequest('batch', 'SubmitJob', printed.submitJob);
    expect(printed.submitJob.nodeOverrides).toBeUndefined();
    expect(printed.registerJobDefinition.nodeProperties.nodeRangeProperties[0].container).toMatchObject({
      executionRoleArn: 'arn:aws:iam::<account>:role/mnbatch-<stack>-execution',
      secrets: [
        {
          name: 'MNBATCH_RENDEZVOUS_KEY',
          valueFrom: 'arn:aws:ssm:<region>:<account>:parameter/mnbatch/<stack>/rendezvous-key',
        },
      ],
    });
  });

  it('prints headed sections in human form, with --nodes, --queue and the user tag', async () => {
    const { code, output } = await plan(['examples/hello-mpi/job.yaml', '--nodes', '8', '--queue', 'other'], {
      USER: 'alice',
    });
    expect(code).toBe(0);
    const text = output.stdout.join('\n');
    const [register, rest] = text.split(/\n\n(?=SubmitJob)/);
    const [submit, images] = rest!.split(/\n\n(?=Images\n)/);
    expect(register).toMatch(
      /^RegisterJobDefinition \(only when no ACTIVE revision of mnbatch-hello-mpi-[0-9a-f]{10} has this mnbatch:content tag\)\n\{/,
    );
    expect(submit).toMatch(/^SubmitJob \(8 nodes\)\n\{/);
    const request = JSON.parse(submit!.slice(submit!.indexOf('\n') + 1));
    expect(request).toMatchObject({
      jobQueue: 'other',
      nodeOverrides: { numNodes: 8 },
      tags: { 'mnbatch:user': 'alice' },
    });
    expect(images).toMatch(
      /^Images\nmnbatch-examples\/hello-mpi:latest: built from \. \(build:\), pushed to ECR repository mnbatch\/hello-mpi\n/,
    );
  });

  it.each([['1'], ['1001'], ['four'], ['2.5']])(
    'rejects --nodes %s as a usage error naming the flag',
    async (n) => {
      const { code, output } = await plan(['examples/hello-mpi/job.yaml', '--nodes', n]);
      expect(code).toBe(2);
      expect(output.stderr[0]).toContain("option '--nodes <n>' argument");
      expect(output.stderr[0]).toContain('must be a whole number from 2 to 1000');
    },
  );

  it('fails when no queue is known', async () => {
    const { code, output } = await plan(['test/_fixtures/spec/broken/several-problems.yaml']);
    expect(code).toBe(65);
    expect(output.stderr[0]).toBe('error: test/_fixtures/spec/broken/several-problems.yaml: 4 problems');
    const noQueue = await plan(['test/_fixtures/plan/no-queue.yaml']);
    expect(noQueue.code).toBe(1);
    expect(noQueue.output.stderr).toEqual([
      'error: no queue: set queue or stack in job.yaml, or pass --queue',
    ]);
  });

  it('fails with the rule when --nodes is below rendezvous.minNodes', async () => {
    const { code, output } = await plan(['test/_fixtures/plan/min-nodes.yaml', '--nodes', '2']);
    expect(code).toBe(2);
    expect(output.stderr).toEqual(['error: --nodes 2: is below rendezvous.minNodes (3)']);
  });
});
