import { describe, expect, it } from 'vitest';
import { combinedPolicy, type PolicyDocument } from '../../src/iam/policy.js';
import { permissionsDocument, policyView, type RoleName } from '../../src/iam/roles.js';
import { DEFAULT_SCOPE, type PolicyScope } from '../../src/iam/scope.js';
import {
  BOTH_ALLOWED,
  BOTH_DENIED,
  EXECUTION_DENIED,
  EXECUTION_REQUESTS,
  INFRA_DENIED,
  INFRA_REQUESTS,
  STACK,
  SUBMIT_DENIED,
  SUBMIT_REQUESTS,
} from './requests.js';
import { decide, type SimRequest } from './simulate.js';

const policy = (role: RoleName, scope: PolicyScope = DEFAULT_SCOPE): PolicyDocument => {
  const doc = permissionsDocument(policyView(role, scope));
  if (!doc) throw new Error(`${role} has no statements`);
  return doc;
};

const label = (r: SimRequest) => `${r.action} ${r.what} (${r.resource})`;

const cases: readonly [RoleName, readonly SimRequest[], readonly SimRequest[]][] = [
  ['submit', SUBMIT_REQUESTS, SUBMIT_DENIED],
  ['infra', INFRA_REQUESTS, INFRA_DENIED],
  ['execution', EXECUTION_REQUESTS, EXECUTION_DENIED],
];

describe.each(cases)('the %s policy, in the IAM simulator', (role, allowed, denied) => {
  for (const scope of [DEFAULT_SCOPE, { stack: STACK, passRoles: [] }]) {
    const scopeName = scope.stack ? `scoped to stack ${scope.stack}` : 'for every stack';
    it(`allows every request mnbatch makes (${scopeName}), evaluating every condition key given`, async () => {
      const doc = policy(role, scope);
      const refused: string[] = [];
      for (const r of allowed) {
        const d = await decide(doc, r);
        if (d.result !== 'Allowed' || d.ignoredKeys.length > 0) {
          refused.push(
            `${label(r)}: ${d.result}${d.ignoredKeys.length ? ` ignored ${d.ignoredKeys}` : ''}${d.errors ?? ''}`,
          );
        }
      }
      expect(refused).toEqual([]);
    });

    it(`denies the escalations (${scopeName})`, async () => {
      const doc = policy(role, scope);
      const let_through: string[] = [];
      for (const r of denied) {
        const d = await decide(doc, r);
        if (d.result !== 'ImplicitlyDenied') let_through.push(`${label(r)}: ${d.result}${d.errors ?? ''}`);
      }
      expect(let_through).toEqual([]);
    });
  }

  it('is exercised: every granted action is among the requests that must be allowed', () => {
    const asked = new Set(allowed.map((r) => r.action));
    const granted = [...new Set(policy(role).Statement.flatMap((s) => s.Action))];
    expect(granted.filter((a) => !asked.has(a))).toEqual([]);
  });
});

describe('a holder of both the submit and the infra policy, in the IAM simulator', () => {
  for (const scope of [DEFAULT_SCOPE, { stack: STACK, passRoles: [] }]) {
    const scopeName = scope.stack ? `scoped to stack ${scope.stack}` : 'for every stack';
    it(`cannot widen a role a job may run with (${scopeName})`, async () => {
      const doc = combinedPolicy(policy('submit', scope), policy('infra', scope));
      const results = await Promise.all(
        [...BOTH_DENIED, ...BOTH_ALLOWED].map(async (r) => `${label(r)}: ${(await decide(doc, r)).result}`),
      );
      expect(results).toEqual([
        ...BOTH_DENIED.map((r) => `${label(r)}: ImplicitlyDenied`),
        ...BOTH_ALLOWED.map((r) => `${label(r)}: Allowed`),
      ]);
    });
  }
});

describe('a stack-scoped infra policy', () => {
  it("denies another stack's resources", async () => {
    const doc = policy('infra', { stack: STACK, passRoles: [] });
    const other = 'arn:aws:batch:us-east-1:123456789012:compute-environment/mnbatch-prod';
    const d = await decide(doc, {
      what: 'update the prod stack CE',
      action: 'batch:UpdateComputeEnvironment',
      resource: other,
      context: { 'aws:ResourceTag/mnbatch:stack': 'prod' },
    });
    expect(d.result).toBe('ImplicitlyDenied');
    const sameName = await decide(doc, {
      what: 'delete a dev-named group tagged for prod',
      action: 'ec2:DeleteSecurityGroup',
      resource: 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0',
      context: { 'aws:ResourceTag/mnbatch:stack': 'prod' },
    });
    expect(sameName.result).toBe('ImplicitlyDenied');
  });
});

describe('--pass-role', () => {
  it('lets submitters pass the named job role (to Batch) and no other', async () => {
    const mine = 'arn:aws:iam::123456789012:role/my-job-role';
    const doc = policy('submit', { passRoles: [mine] });
    const ctx = { 'iam:PassedToService': 'batch.amazonaws.com' };
    expect(
      (await decide(doc, { what: 'mine', action: 'iam:PassRole', resource: mine, context: ctx })).result,
    ).toBe('Allowed');
    const other = 'arn:aws:iam::123456789012:role/my-job-role-admin';
    expect(
      (await decide(doc, { what: 'other', action: 'iam:PassRole', resource: other, context: ctx })).result,
    ).toBe('ImplicitlyDenied');
  });
});
