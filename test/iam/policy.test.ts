import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { POLICY_FILES, policyProblems, scanSourceTree, sourceTree } from '../../src/iam/generate.js';
import { infraGrants } from '../../src/iam/grants-infra.js';
import { submitGrants } from '../../src/iam/grants-submit.js';
import { grantProblems, neededActions } from '../../src/iam/needed.js';
import {
  combinedPolicy,
  MANAGED_POLICY_MAX_CHARS,
  managedPolicyParts,
  type PolicyDocument,
  policyActions,
  policySize,
  resourcesOf,
} from '../../src/iam/policy.js';
import {
  type ManagedPolicy,
  managedPolicies,
  permissionsDocument,
  policyView,
  ROLE_NAMES,
  roleProperties,
  type UserPolicyView,
} from '../../src/iam/roles.js';
import { callsInSource } from '../../src/iam/scan.js';
import { DEFAULT_SCOPE } from '../../src/iam/scope.js';
import { executionPolicyVerdict, expectedExecutionPolicy } from '../../src/infra/execution-policy.js';
import { memoryOutput } from '../../src/ui/output.js';

const committed = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as unknown;
const doc = (role: 'submit' | 'infra') =>
  permissionsDocument(policyView(role, DEFAULT_SCOPE)) as PolicyDocument;

describe('the policies hold for the code in src/', () => {
  it('finds the calls of the adapters (the scan works on the real code)', () => {
    const actions = new Set(scanSourceTree('.').map((c) => c.action));
    for (const a of [
      'batch:SubmitJob',
      'batch:CreateComputeEnvironment',
      'ec2:CreatePlacementGroup',
      'ssm:GetParameter',
    ])
      expect(actions).toContain(a);
  });

  it('has no problem: every call granted, nothing granted that is not called, all in the IAM reference', async () => {
    expect(await policyProblems('.')).toEqual([]);
  });

  it('leaves out the adapter methods nothing calls (ec2:StopInstances, ec2:AuthorizeSecurityGroupEgress)', () => {
    const sources = sourceTree('.');
    const needed = neededActions(scanSourceTree('.'), sources);
    const all = new Set([...policyActions(doc('submit')), ...policyActions(doc('infra'))]);
    for (const a of ['ec2:StopInstances', 'ec2:AuthorizeSecurityGroupEgress']) {
      expect(needed.unreached.map((c) => c.action)).toContain(a);
      expect(all).not.toContain(a);
    }
  });

  it('keeps infrastructure actions out of the submit policy', () => {
    const submit = [...policyActions(doc('submit'))];
    // One read-only EC2 call: the instance type catalog, for efa: auto and the stuck-job diagnosis.
    const infraLike = submit.filter((a) => /^(ec2|elasticfilesystem|ssm):/.test(a));
    expect(infraLike).toEqual(['ec2:DescribeInstanceTypes']);
    expect(submit).not.toContain('batch:CreateComputeEnvironment');
  });

  it('grants "*" only to actions AWS allows on no narrower resource (checked in the reference)', () => {
    const star = [...doc('submit').Statement, ...doc('infra').Statement].filter((s) =>
      resourcesOf(s).includes('*'),
    );
    expect(star.map((s) => s.Sid).sort()).toEqual([
      'CreateTaggedEfs',
      'EcrLogin',
      'FindStackParameters',
      'ReadBatch',
      'ReadBatchInfra',
      'ReadEc2',
      'ReadEfs',
      'ReadInstanceTypes',
    ]);
  });

  it('ships the files the generator writes', async () => {
    for (const name of ROLE_NAMES) {
      const view = policyView(name, DEFAULT_SCOPE);
      const want = view.kind === 'user' ? managedPolicies([view], DEFAULT_SCOPE) : roleProperties(view);
      expect(committed(POLICY_FILES[name]), name).toEqual(JSON.parse(JSON.stringify(want)));
    }
  });
});

describe('docs/iam.md', () => {
  it('explains every statement of every policy in one line', () => {
    const docs = readFileSync('docs/iam.md', 'utf8');
    const sids = ROLE_NAMES.flatMap((r) => policyView(r, DEFAULT_SCOPE).grants.map((g) => g.Sid));
    expect(sids.filter((sid) => !docs.includes(`- \`${sid}\`: `))).toEqual([]);
  });
});

describe('grantProblems', () => {
  const grants = submitGrants(DEFAULT_SCOPE);
  const needed = new Set(grants.flatMap((g) => g.Action));

  it('fails on an action the code calls that no grant allows', () => {
    expect(grantProblems('submit', grants, new Set([...needed, 'batch:CancelJob']))).toEqual([
      'submit: the code calls batch:CancelJob but no grant allows it (add one in src/iam/grants-submit.ts)',
    ]);
  });

  it('fails on an action granted that the code never calls', () => {
    const less = new Set(needed);
    less.delete('batch:TerminateJob');
    expect(grantProblems('submit', grants, less)).toEqual([
      'submit: batch:TerminateJob is granted but the code never calls it (remove it from src/iam/grants-submit.ts)',
    ]);
  });

  it('is clean for the real infra grants against the real code', () => {
    const sources = sourceTree('.');
    const needed = neededActions(
      [...sources].flatMap(([f, t]) => callsInSource(f, t)),
      sources,
    );
    expect(grantProblems('infra', infraGrants(DEFAULT_SCOPE), needed.infra)).toEqual([]);
  });
});

describe('neededActions', () => {
  const adapter = [
    "import { StopInstancesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';",
    'export function ec2FromClient(client) {',
    '  return {',
    '    async runInstances(input) {',
    '      return client.send(new RunInstancesCommand(input));',
    '    },',
    '    stopInstances: (input) => client.send(new StopInstancesCommand(input)),',
    '  };',
    '}',
  ].join('\n');
  const sources = new Map([
    ['src/aws/ec2.ts', adapter],
    ['src/ami/bake.ts', 'await deps.ec2.runInstances(plan.runInstances);'],
  ]);

  it('counts an adapter call for the side that calls its method, with what AWS also checks', () => {
    const needed = neededActions(callsInSource('src/aws/ec2.ts', adapter), sources);
    expect([...needed.infra].sort()).toEqual(['ec2:CreateTags', 'ec2:RunInstances']);
    expect([...needed.submit]).toEqual([]);
  });

  it('leaves out an adapter method nothing calls', () => {
    const needed = neededActions(callsInSource('src/aws/ec2.ts', adapter), sources);
    expect(needed.unreached).toEqual([
      { file: 'src/aws/ec2.ts', action: 'ec2:StopInstances', method: 'stopInstances' },
    ]);
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
  const run = async (args: string[]) => {
    const out = memoryOutput();
    const code = await exec(['iam-policy', ...args], { output: out });
    return { code, out };
  };

  it('--json prints the submit policy, as the managed policy to create, by default', async () => {
    const { code, out } = await run(['--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out.stdout.join('\n'))).toEqual(committed('iam/submit-policy.json'));
  });

  it.each(['submit', 'infra'] as const)('--role %s --json prints its managed policies', async (role) => {
    const { out } = await run(['--role', role, '--json']);
    const printed = JSON.parse(out.stdout.join('\n')) as ManagedPolicy[];
    expect(printed).toEqual(committed(POLICY_FILES[role]));
    // Together exactly the side's statements, in order.
    expect(combinedPolicy(...printed.map((p) => p.PolicyDocument))).toEqual(doc(role));
  });

  it.each(['job', 'instance', 'execution'] as const)(
    '--role %s --json prints the role: trust, managed and inline policies',
    async (role) => {
      const { out } = await run(['--role', role, '--json']);
      expect(JSON.parse(out.stdout.join('\n'))).toEqual(committed(POLICY_FILES[role]));
    },
  );

  it('--infra prints the submit and infra managed policies together', async () => {
    const { out } = await run(['--infra', '--stack', 'prod', '--json']);
    const printed = JSON.parse(out.stdout.join('\n')) as ManagedPolicy[];
    expect(printed.map((p) => p.PolicyName)).toEqual([
      'mnbatch-prod-submit',
      'mnbatch-prod-infra-1',
      'mnbatch-prod-infra-2',
    ]);
    const sids = printed.flatMap((p) => p.PolicyDocument.Statement.map((st) => st.Sid));
    expect(new Set(sids).size, 'Sids unique across the policies').toBe(sids.length);
  });

  it('--stack and --pass-role narrow and widen the resources', async () => {
    const mine = 'arn:aws:iam::123456789012:role/my-job-role';
    const { out } = await run(['--role', 'submit', '--stack', 'dev', '--pass-role', mine, '--json']);
    const [policy] = JSON.parse(out.stdout.join('\n')) as ManagedPolicy[];
    expect(policy?.PolicyName).toBe('mnbatch-dev-submit');
    const pass = policy?.PolicyDocument.Statement.find((s) => s.Sid === 'PassJobRoles');
    expect(pass?.Resource).toEqual([
      'arn:aws:iam::*:role/mnbatch-dev-job',
      'arn:aws:iam::*:role/mnbatch-dev-execution',
      mine,
    ]);
  });

  it('--document prints the execution policy an administrator creates, the one infra up expects', async () => {
    const { code, out } = await run(['--role', 'execution', '--stack', 'prod', '--document']);
    expect(code).toBe(0);
    const printed = JSON.parse(out.stdout.join('\n'));
    expect(printed).toEqual(JSON.parse(expectedExecutionPolicy('prod')));
    expect(executionPolicyVerdict('prod', { arn: 'a', document: out.stdout.join('\n') })).toBe('expected');
    expect(printed.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'ReadStackSecrets',
      'DecryptViaSsm',
    ]);

    const text = await run(['--role', 'execution', '--stack', 'prod']);
    expect(text.out.stdout).toContain(
      'an administrator creates these statements once as the managed policy mnbatch-prod-execution (`--document` prints them); infra up attaches it and never writes it',
    );
  });

  it('--document --part N prints each part of a policy above the quota; the parts are the policy', async () => {
    const parts: PolicyDocument[] = [];
    for (const n of ['1', '2']) {
      const { code, out } = await run(['--role', 'infra', '--stack', 'prod', '--document', '--part', n]);
      expect(code).toBe(0);
      parts.push(JSON.parse(out.stdout.join('\n')) as PolicyDocument);
    }
    const whole = permissionsDocument(policyView('infra', { stack: 'prod', passRoles: [] }));
    expect(combinedPolicy(...parts)).toEqual(whole);
    for (const part of parts) expect(policySize(part)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    // A policy that fits: --part 1 is the whole document.
    const one = await run(['--role', 'submit', '--document', '--part', '1']);
    expect(JSON.parse(one.out.stdout.join('\n'))).toEqual(doc('submit'));
  });

  it('says how many managed policies a side takes, and their sizes', async () => {
    const { out } = await run(['--infra', '--stack', 'prod']);
    expect(out.stdout.join('\n')).toMatch(
      /^attach as 3 managed policies \(IAM allows 6144 characters in one\): mnbatch-prod-submit \(\d+\), mnbatch-prod-infra-1 \(\d+\), mnbatch-prod-infra-2 \(\d+\)$/m,
    );
  });

  it('prints each statement with why it is needed', async () => {
    const { out } = await run(['--role', 'infra']);
    expect(out.stdout).toContain(
      'AttachOnlyEcsInstancePolicy: attach AmazonEC2ContainerServiceforEC2Role and no other policy, only to the tagged stack instance role',
    );
  });

  it.each([
    [['--role', 'admin'], '--role admin: must be one of job, instance, execution, submit, infra'],
    [['--stack', '1bad'], '--stack 1bad: must start with a letter'],
    [
      ['--pass-role', 'arn:aws:iam::123456789012:role/*'],
      '--pass-role arn:aws:iam::123456789012:role/*: must be one role',
    ],
    [['--infra', '--role', 'job'], '--infra and --role cannot be combined'],
    [['--role', 'job', '--document'], '--document: the job role has no statements of its own'],
    [
      ['--role', 'infra', '--document'],
      'above the 6144 IAM allows in one managed policy: print its 2 parts with --part 1, --part 2',
    ],
    [['--role', 'infra', '--document', '--part', '3'], '--part 3: the infra policy has parts 1 to 2'],
    [['--role', 'submit', '--document', '--part', 'x'], '--part x: the submit policy has one part'],
    [['--role', 'infra', '--part', '1'], '--part goes with --document'],
  ])('rejects %j with a clear error and exit code 2', async (args, message) => {
    const { code, out } = await run(args);
    expect(code).toBe(2);
    expect(out.stderr.join('\n')).toContain(message);
    expect(out.stdout).toEqual([]);
  });
});

describe("IAM's size quotas", () => {
  /** The longest stack name infra.yaml allows, and two roles of the user's own to pass. */
  const LONGEST = {
    stack: `s${'x'.repeat(39)}`,
    passRoles: [1, 2].map((i) => `arn:aws:iam::123456789012:role/${'r'.repeat(60)}${i}`),
  };

  it.each([
    ['every stack', DEFAULT_SCOPE],
    ['the longest stack name, with two roles to pass', LONGEST],
  ])('every managed policy of submit and infra fits IAM’s 6,144 characters (%s)', (_, scope) => {
    for (const side of ['submit', 'infra'] as const) {
      const view = policyView(side, scope) as UserPolicyView;
      const policies = managedPolicies([view], scope);
      for (const p of policies) expect(policySize(p.PolicyDocument), p.PolicyName).toBeLessThanOrEqual(6144);
      expect(combinedPolicy(...policies.map((p) => p.PolicyDocument))).toEqual(permissionsDocument(view));
    }
  });

  it('the execution policy fits one managed policy; the roles’ inline policies fit 10,240 characters', () => {
    expect(managedPolicyParts(JSON.parse(expectedExecutionPolicy(LONGEST.stack)))).toHaveLength(1);
    for (const role of ['job', 'instance', 'execution'] as const) {
      const inline = permissionsDocument(policyView(role, LONGEST));
      if (inline) expect(policySize(inline), role).toBeLessThanOrEqual(10_240);
    }
  });

  it('counts characters as IAM does: whitespace left out', () => {
    const d: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
    };
    expect(policySize(d)).toBe(JSON.stringify(d).length);
    expect(policySize(d)).toBe(JSON.stringify(d, null, 2).replace(/\s/g, '').length);
  });

  it('fills each part before the next and keeps the statements in order; a statement too large alone is refused', () => {
    const st = (Sid: string, n: number) => ({
      Sid,
      Effect: 'Allow' as const,
      Action: ['s3:GetObject'],
      Resource: Array.from({ length: n }, (_, i) => `arn:aws:s3:::b${i}/*`),
    });
    const d: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [st('A', 100), st('B', 100), st('C', 100)],
    };
    const max = policySize({ Version: '2012-10-17', Statement: [st('A', 100), st('B', 100)] });
    const parts = managedPolicyParts(d, max);
    expect(parts.map((p) => p.Statement.map((s) => s.Sid))).toEqual([['A', 'B'], ['C']]);
    expect(() => managedPolicyParts({ Version: '2012-10-17', Statement: [st('Z', 400)] }, max)).toThrow(
      /statement Z alone is \d+ characters, above the \d+ IAM allows in one managed policy/,
    );
  });
});
