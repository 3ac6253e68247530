/**
 * The other side of the scan: run `infra up`, `status` and `down` of a stack with everything
 * (roles, EFS, S3 endpoint) with the built CLI against moto, and check that every request the
 * CLI really sent is an action the infra policy grants. (moto itself cannot enforce these
 * policies: its IAM check ignores Resource and Condition, so the simulator tests decide those.)
 */
import { describe, expect, it } from 'vitest';
import { permissionsDocument, policyView } from '../../src/iam/roles.js';
import { DEFAULT_SCOPE } from '../../src/iam/scope.js';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';

const account = useTestAccount();

describe('the requests `infra up/status/down` really send', () => {
  it('are all granted by the infra policy', async () => {
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
    const granted = new Set(
      permissionsDocument(policyView('infra', DEFAULT_SCOPE))?.Statement.flatMap((s) => s.Action),
    );
    const before = account.shim.calls.length;
    for (const args of [
      ['infra', 'up', '-f', path, '--yes'],
      ['infra', 'status', '-f', path],
      ['infra', 'down', '-f', path, '--yes'],
    ]) {
      const r = await account.cli(args);
      expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
    }
    const sent = [
      ...new Set(account.shim.calls.slice(before).map((c) => `${c.service}:${c.operation}`)),
    ].sort();
    expect(sent).toEqual(
      expect.arrayContaining(['iam:AttachRolePolicy', 'elasticfilesystem:CreateMountTarget']),
    );
    expect(sent.filter((a) => !granted.has(a))).toEqual([]);
  });
});
