import { describe, expect, it } from 'vitest';
import { infraUp } from '../../src/infra/up.js';
import { memoryOutput } from '../../src/ui/output.js';
import { useFakeInfra } from '../_helpers/fake-aws-infra/index.js';
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
  it('puts the inline policy on a role left without it by an interrupted run', async () => {
    const config = demoConfig(fake.state, { roles: { create: true } });
    fake.state.failures.set('PutRolePolicy', new Error('connection reset'));
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toThrow('connection reset');
    expect(fake.state.roles.has('mnbatch-demo-execution')).toBe(true);
    expect(fake.state.rolePolicies.get('mnbatch-demo-execution')?.size ?? 0).toBe(0);
    fake.state.mutations.length = 0;

    expect(await infraUp(fake.services, config, {}, memoryOutput())).toBe(0);

    expect(fake.state.mutations).toContain('PutRolePolicy mnbatch-demo-execution');
    expect(fake.state.mutations).not.toContain('CreateRole mnbatch-demo-execution');
    expect(fake.state.rolePolicies.get('mnbatch-demo-execution')?.has('mnbatch-execution')).toBe(true);
  });

  it('deletes the stack’s execution role when roles.create turns false, with its inline policy', async () => {
    await infraUp(fake.services, demoConfig(fake.state, { roles: { create: true } }), {}, memoryOutput());
    fake.state.mutations.length = 0;

    const config = demoConfig(fake.state, { roles: { create: false } });
    expect(await infraUp(fake.services, config, { yes: true }, memoryOutput())).toBe(0);

    expect(fake.state.roles.has('mnbatch-demo-execution')).toBe(false);
    expect(fake.state.mutations).toContain('DeleteRolePolicy mnbatch-demo-execution');
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
