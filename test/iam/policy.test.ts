import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/cli/output.js';
import { scanSourceTree } from '../../src/iam/generate.js';
import { INFRA_POLICY, SUBMIT_POLICY } from '../../src/iam/policies.generated.js';
import { type PolicyDocument, policyActions } from '../../src/iam/policy.js';
import { callsInSource } from '../../src/iam/scan.js';

const committed = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as PolicyDocument;

describe('the IAM policy covers every AWS call in src/', () => {
  const calls = scanSourceTree('.');

  it('finds the calls of the adapters (the scan works on the real code)', () => {
    const actions = new Set(calls.map((c) => c.action));
    for (const a of [
      'batch:SubmitJob',
      'batch:CreateComputeEnvironment',
      'ec2:CreatePlacementGroup',
      'ssm:GetParameter',
    ])
      expect(actions).toContain(a);
  });

  it('has, in the committed policies, the action of every `new <Name>Command(` in src/', () => {
    const allowed = new Set([
      ...policyActions(committed('iam/submit-policy.json')),
      ...policyActions(committed('iam/infra-policy.json')),
    ]);
    const missing = calls.filter((c) => !allowed.has(c.action)).map((c) => `${c.action} (${c.file})`);
    expect(missing, 'run `npm run generate` and commit iam/*.json').toEqual([]);
    expect(calls.filter((c) => c.unknownPackage)).toEqual([]);
  });

  it('keeps infrastructure actions out of the submit policy', () => {
    const submit = [...policyActions(SUBMIT_POLICY)];
    expect(submit.filter((a) => /^(ec2|elasticfilesystem|ssm):/.test(a))).toEqual([]);
    expect(submit).not.toContain('batch:CreateComputeEnvironment');
    expect(submit).toContain('iam:PassRole');
  });

  it('lets submitters pass job roles only to Batch and its ECS tasks', () => {
    const pass = SUBMIT_POLICY.Statement.find((st) => [st.Action].flat().includes('iam:PassRole'));
    expect(pass?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': ['batch.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
    });
  });

  it("allows the EC2 calls EFS makes on the caller's behalf to create and delete a mount target", () => {
    // EFS API reference: CreateMountTarget needs ec2:DescribeSubnets, ec2:DescribeNetworkInterfaces,
    // ec2:CreateNetworkInterface; DeleteMountTarget needs ec2:DeleteNetworkInterface.
    const infra = policyActions(INFRA_POLICY);
    for (const a of [
      'ec2:DescribeSubnets',
      'ec2:DescribeNetworkInterfaces',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
    ])
      expect(infra, a).toContain(a);
  });

  it('prints from a module that matches the committed JSON', () => {
    expect(SUBMIT_POLICY).toEqual(committed('iam/submit-policy.json'));
    expect(INFRA_POLICY).toEqual(committed('iam/infra-policy.json'));
  });
});

describe('callsInSource', () => {
  it('maps named, aliased and namespace imports of SDK commands to IAM actions', () => {
    const text = [
      "import { SubmitJobCommand, DescribeJobsCommand as Dj } from '@aws-sdk/client-batch';",
      "import * as efs from '@aws-sdk/client-efs';",
      "import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';",
      'await c.send(new SubmitJobCommand({}));',
      'await c.send(new Dj({}));',
      'await c.send(new efs.CreateMountTargetCommand({}));',
      'await c.send(new GetLogEventsCommand({}));',
    ].join('\n');
    expect(callsInSource('x.ts', text).map((c) => c.action)).toEqual([
      'batch:SubmitJob',
      'batch:DescribeJobs',
      'elasticfilesystem:CreateMountTarget',
      'logs:GetLogEvents',
    ]);
  });

  it('ignores type-only imports and classes that are not SDK commands', () => {
    const text = [
      "import type { SubmitJobCommandInput } from '@aws-sdk/client-batch';",
      "import { Command } from 'commander';",
      "import { MyCommand } from './mine.js';",
      'new Command("x"); new MyCommand();',
    ].join('\n');
    expect(callsInSource('x.ts', text)).toEqual([]);
  });

  it('flags a command from an SDK package it has no IAM prefix for', () => {
    const text = "import { PutItemCommand } from '@aws-sdk/client-dynamodb';\nnew PutItemCommand({});";
    expect(callsInSource('x.ts', text)).toEqual([
      { file: 'x.ts', action: '?:PutItem', unknownPackage: '@aws-sdk/client-dynamodb' },
    ]);
  });
});

describe('mnbatch iam-policy', () => {
  it('--json prints the submit policy document', async () => {
    const out = memoryOutput();
    expect(await exec(['iam-policy', '--json'], { output: out })).toBe(0);
    expect(JSON.parse(out.stdout.join('\n'))).toEqual(SUBMIT_POLICY);
  });

  it('--infra adds the infrastructure statements', async () => {
    const out = memoryOutput();
    expect(await exec(['iam-policy', '--infra', '--json'], { output: out })).toBe(0);
    const doc = JSON.parse(out.stdout.join('\n')) as PolicyDocument;
    expect(doc.Statement.map((s) => s.Sid)).toEqual([
      'MnbatchSubmit',
      'MnbatchPassJobRoles',
      'MnbatchInfra',
      'MnbatchPassInstanceRole',
      'MnbatchServiceLinkedRoles',
    ]);
    expect(policyActions(doc)).toContain('ec2:CreatePlacementGroup');
  });

  it('prints a readable list without --json', async () => {
    const out = memoryOutput();
    await exec(['iam-policy'], { output: out });
    expect(out.stdout).toContain('  batch:SubmitJob');
  });
});
