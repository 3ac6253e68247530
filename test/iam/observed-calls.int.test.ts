/**
 * The other side of the scan: run `infra up`, `status` and `down` of a stack with everything
 * (roles, EFS, S3 endpoint) with the built CLI against moto, and check that every request the
 * CLI really sent is an action the infra policy grants, and that every create the policy allows
 * only with the stack tag really carries it. (moto itself cannot enforce these policies: its IAM
 * check ignores Resource and Condition, so the simulator tests decide those.)
 */
import { describe, expect, it } from 'vitest';
import { NEEDS_NO_PERMISSION } from '../../src/iam/needed.js';
import { permissionsDocument, policyView } from '../../src/iam/roles.js';
import { DEFAULT_SCOPE, STACK_TAG } from '../../src/iam/scope.js';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';

const account = useTestAccount();

/** Every (path, value) leaf of a request's parameters (query forms are flat already). */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object') return [[path, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

/** The value of tag `key` in a request, in any shape the services use (map, Key/Value list, query form). */
function tagIn(params: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const flat = new Map(leaves(params));
  for (const [path, value] of flat) {
    if (path === key || path.endsWith(`.${key}`)) return String(value);
    if (value === key && path.endsWith('Key'))
      return String(flat.get(`${path.slice(0, -'Key'.length)}Value`));
  }
  return undefined;
}

describe('the requests `infra up/status/down` really send', () => {
  it('are all granted by the infra policy, and carry the stack tag where the policy needs it', async () => {
    await account.reset();
    const net = await account.network();
    const path = account.write(
      'infra.yaml',
      [
        'stack: iamcheck',
        `vpcId: ${net.vpcId}`,
        `subnetId: ${net.subnetId}`,
        'instanceTypes: [c5n.18xlarge]',
        'maxVcpus: 72',
        'efs: create',
        's3Endpoint: true',
        'roles: { create: true }',
        '',
      ].join('\n'),
    );
    await account.executionPolicy('iamcheck');
    const infra = permissionsDocument(policyView('infra', DEFAULT_SCOPE));
    if (!infra) throw new Error('no infra policy');
    const before = account.shim.calls.length;
    for (const args of [
      ['infra', 'up', '-f', path, '--yes'],
      ['infra', 'status', '-f', path],
      ['infra', 'down', '-f', path, '--yes'],
    ]) {
      const r = await account.cli(args);
      expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
    }
    const calls = account.shim.calls.slice(before);
    const action = (c: { service: string; operation: string }) => `${c.service}:${c.operation}`;

    const granted = new Set(infra.Statement.flatMap((s) => s.Action));
    // GetCallerIdentity needs no permission (NEEDS_NO_PERMISSION): no policy can grant or deny it.
    const sent = [...new Set(calls.map(action))].filter((a) => !NEEDS_NO_PERMISSION.has(a)).sort();
    expect(sent).toEqual(
      expect.arrayContaining(['iam:AttachRolePolicy', 'elasticfilesystem:CreateMountTarget']),
    );
    expect(sent.filter((a) => !granted.has(a))).toEqual([]);

    const needsTag = new Set(
      infra.Statement.filter((s) =>
        JSON.stringify(s.Condition ?? {}).includes(`aws:RequestTag/${STACK_TAG}`),
      ).flatMap((s) => s.Action),
    );
    const creates = calls.filter((c) => needsTag.has(action(c)));
    expect(new Set(creates.map(action)).size).toBeGreaterThanOrEqual(9);
    const untagged = creates
      .filter((c) => tagIn(c.params, STACK_TAG) !== 'iamcheck')
      .map((c) => `${action(c)} ${JSON.stringify(c.params).slice(0, 300)}`);
    expect(untagged).toEqual([]);
  });
});
