import { describe, expect, it } from 'vitest';
import { expectedExecutionPolicy } from '../../src/infra/execution-policy.js';
import { infraUp } from '../../src/infra/up.js';
import { memoryOutput } from '../../src/ui/output.js';
import { ACCOUNT, useFakeInfra } from '../_helpers/fake-aws-infra/index.js';
import { demoConfig } from './_config.js';

const fake = useFakeInfra();
const KEY = '/mnbatch/demo/rendezvous-key';

describe("infra up: the stack's rendezvous key", () => {
  it('creates a tagged SecureString of 256 random bits and never prints it', async () => {
    const out = memoryOutput();
    expect(await infraUp(fake.services, demoConfig(fake.state), {}, out)).toBe(0);

    const value = fake.state.ssmParameters.get(KEY) ?? '';
    expect(Buffer.from(value, 'base64url')).toHaveLength(32);
    expect(fake.state.ssmParameterInfo.get(KEY)).toEqual({
      type: 'SecureString',
      tags: [{ Key: 'mnbatch:stack', Value: 'demo' }],
    });
    expect([...out.stdout, ...out.stderr].join('\n')).not.toContain(value);
  });

  it('keeps the key on the next run (jobs in flight derive their tokens from it)', async () => {
    const config = demoConfig(fake.state);
    await infraUp(fake.services, config, {}, memoryOutput());
    const first = fake.state.ssmParameters.get(KEY);
    fake.state.mutations.length = 0;

    await infraUp(fake.services, config, {}, memoryOutput());

    expect(fake.state.ssmParameters.get(KEY)).toBe(first);
    expect(fake.state.mutations).toEqual([]);
  });

  it('refuses a parameter of that name that is not the stack’s, and creates nothing', async () => {
    fake.state.ssmParameters.set(KEY, 'someone-elses-secret');
    fake.state.ssmParameterInfo.set(KEY, { type: 'SecureString', tags: [] });
    await expect(infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_CONFLICT',
      details: [expect.stringContaining(`SSM parameter ${KEY}`)],
    });
    expect(fake.state.mutations).toEqual([]);
    expect(fake.state.ssmParameters.get(KEY)).toBe('someone-elses-secret');
  });

  it('replaces a plain String parameter of the stack with a SecureString, only with --yes', async () => {
    fake.state.ssmParameters.set(KEY, 'readable-by-anyone-with-ssm-get');
    fake.state.ssmParameterInfo.set(KEY, { type: 'String', tags: [{ Key: 'mnbatch:stack', Value: 'demo' }] });
    const config = demoConfig(fake.state);
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_NEEDS_CONFIRMATION',
    });
    expect(fake.state.ssmParameterInfo.get(KEY)?.type).toBe('String');

    expect(await infraUp(fake.services, config, { yes: true }, memoryOutput())).toBe(0);
    expect(fake.state.ssmParameterInfo.get(KEY)?.type).toBe('SecureString');
    expect(fake.state.ssmParameters.get(KEY)).not.toBe('readable-by-anyone-with-ssm-get');
  });
});

describe('infra up: the execution role (roles.create: true)', () => {
  const POLICY = `arn:aws:iam::${ACCOUNT}:policy/mnbatch-demo-execution`;
  const tagged = [{ Key: 'mnbatch:stack', Value: 'demo' }];

  it("attaches the administrator's managed policy and writes no policy itself", async () => {
    const config = demoConfig(fake.state, { roles: { create: true } });
    expect(await infraUp(fake.services, config, {}, memoryOutput())).toBe(0);

    expect(fake.state.attachedPolicies.get('mnbatch-demo-execution')).toEqual([POLICY]);
    expect(fake.state.rolePolicies.get('mnbatch-demo-execution')?.size ?? 0).toBe(0);
    const sent = fake.requests().map((r) => r.operation);
    expect(sent).not.toContain('PutRolePolicy');
    expect(sent).not.toContain('CreatePolicy');
    expect(sent).not.toContain('CreatePolicyVersion');
  });

  it('stops before changing anything when the administrator has not created the policy, and says how', async () => {
    fake.state.managedPolicies.delete(POLICY);
    const config = demoConfig(fake.state, { roles: { create: true } });
    for (const options of [{}, { dryRun: true }]) {
      const error = await infraUp(fake.services, config, options, memoryOutput()).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'INFRA_EXECUTION_POLICY_MISSING',
        message: `stack demo: the managed policy ${POLICY} does not exist, nothing was changed`,
        details: expect.arrayContaining([
          '  mnbatch iam-policy --role execution --stack demo --document > mnbatch-demo-execution.json',
          '  aws iam create-policy --policy-name mnbatch-demo-execution --policy-document file://mnbatch-demo-execution.json',
        ]),
      });
    }
    expect(fake.state.mutations).toEqual([]);
  });

  it('attaches the policy to a role an interrupted run left without it', async () => {
    await fake.services.iam.createRole({
      RoleName: 'mnbatch-demo-execution',
      AssumeRolePolicyDocument: '{}',
      Tags: tagged,
    });
    fake.state.mutations.length = 0;

    const out = memoryOutput();
    expect(await infraUp(fake.services, demoConfig(fake.state, { roles: { create: true } }), {}, out)).toBe(
      0,
    );

    expect(out.stdout.join('\n')).toContain('managed policy mnbatch-demo-execution not attached');
    expect(fake.state.mutations).toContain('AttachRolePolicy mnbatch-demo-execution');
    expect(fake.state.mutations).not.toContain('CreateRole mnbatch-demo-execution');
    expect(fake.state.attachedPolicies.get('mnbatch-demo-execution')).toEqual([POLICY]);
  });

  it('removes the inline policy an earlier mnbatch wrote on the role', async () => {
    await fake.services.iam.createRole({
      RoleName: 'mnbatch-demo-execution',
      AssumeRolePolicyDocument: '{}',
      Tags: tagged,
    });
    fake.state.rolePolicies.set(
      'mnbatch-demo-execution',
      new Map([['mnbatch-execution', '{"Version":"2012-10-17"}']]),
    );

    expect(
      await infraUp(fake.services, demoConfig(fake.state, { roles: { create: true } }), {}, memoryOutput()),
    ).toBe(0);

    expect(fake.state.rolePolicies.get('mnbatch-demo-execution')?.size).toBe(0);
    expect(fake.state.attachedPolicies.get('mnbatch-demo-execution')).toEqual([POLICY]);
  });

  it("warns when the administrator's policy is not the one mnbatch expects, and goes on", async () => {
    fake.state.managedPolicies.set(POLICY, JSON.stringify({ Version: '2012-10-17', Statement: [] }));
    const out = memoryOutput();
    expect(await infraUp(fake.services, demoConfig(fake.state, { roles: { create: true } }), {}, out)).toBe(
      0,
    );
    expect(out.stderr.join('\n')).toContain(
      `warning: ${POLICY} differs from \`mnbatch iam-policy --role execution --stack demo --document\``,
    );

    fake.state.managedPolicies.set(POLICY, expectedExecutionPolicy('demo'));
    const again = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state, { roles: { create: true } }), {}, again);
    expect(again.stderr.join('\n')).not.toContain('differs');
  });

  it('deletes the stack’s execution role when roles.create turns false, detaching the policy first', async () => {
    await infraUp(fake.services, demoConfig(fake.state, { roles: { create: true } }), {}, memoryOutput());
    fake.state.mutations.length = 0;

    const config = demoConfig(fake.state, { roles: { create: false } });
    expect(await infraUp(fake.services, config, { yes: true }, memoryOutput())).toBe(0);

    expect(fake.state.roles.has('mnbatch-demo-execution')).toBe(false);
    expect(fake.state.mutations).toContain('DetachRolePolicy mnbatch-demo-execution');
    // the administrator's policy stays: it is not the stack's to delete
    expect(fake.state.managedPolicies.has(POLICY)).toBe(true);
  });
});

describe('infra up: the execution role (roles.create: false)', () => {
  it('says how to get one when mnbatch-<stack>-execution does not exist, and not when it does', async () => {
    const config = demoConfig(fake.state);
    const first = memoryOutput();
    expect(await infraUp(fake.services, config, {}, first)).toBe(0);
    expect(first.stderr.join('\n')).toContain(
      'note: roles.create is false and role mnbatch-demo-execution was not found',
    );

    // an administrator made it from iam/execution-role.json (untagged: not the stack's to manage)
    await fake.services.iam.createRole({
      RoleName: 'mnbatch-demo-execution',
      AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
    });
    const second = memoryOutput();
    expect(await infraUp(fake.services, config, {}, second)).toBe(0);
    expect(second.stderr.join('\n')).not.toContain('note: roles.create is false');
  });
});
