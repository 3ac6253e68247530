/**
 * `mnbatch doctor` end to end with the built CLI against moto (behind the shim, which answers
 * the policy simulation and the EC2 quota moto lacks): before the stack exists and before the
 * caller has any permission it names every problem at once; with the generated policy attached
 * and the stack up the same files pass; a job larger than the quota fails; nothing is changed.
 */
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { MANAGED_POLICY_MAX_CHARS, policySize } from '../../src/iam/policy.js';
import type { ManagedPolicy } from '../../src/iam/roles.js';
import { type TestNetwork, useTestAccount } from '../_helpers/moto/aws-test-account.js';
import { EC2_STANDARD_VCPUS } from '../_helpers/moto/shim-doctor.js';

const account = useTestAccount();

interface Report {
  readonly ok: boolean;
  readonly checks: readonly { check: string; status: string; detail: string; fix?: string }[];
}

/** An IAM user with an access key: the CLI then calls as a real principal (moto's default caller is no IAM ARN). */
async function user(name: string): Promise<Record<string, string>> {
  const iam = new IAMClient(account.sdk);
  try {
    await iam.send(new CreateUserCommand({ UserName: name }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    return { AWS_ACCESS_KEY_ID: key?.AccessKeyId ?? '', AWS_SECRET_ACCESS_KEY: key?.SecretAccessKey ?? '' };
  } finally {
    iam.destroy();
  }
}

/** Attaches `document` to user `name` as a customer managed policy. */
/** As an administrator does (docs/iam.md): one managed policy per entry of `iam-policy --json`, each attached. */
async function attach(name: string, printed: string): Promise<void> {
  const iam = new IAMClient(account.sdk);
  try {
    for (const { PolicyName, PolicyDocument } of JSON.parse(printed) as ManagedPolicy[]) {
      // moto does not enforce IAM's size quota for one managed policy (docs/aws-quirks.md)
      expect(policySize(PolicyDocument), PolicyName).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
      const policy = await iam.send(
        new CreatePolicyCommand({
          PolicyName: `${name}-${PolicyName}`,
          PolicyDocument: JSON.stringify(PolicyDocument),
        }),
      );
      await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: policy.Policy?.Arn ?? '' }));
    }
  } finally {
    iam.destroy();
  }
}

function infraYaml(net: TestNetwork): string {
  return [
    'stack: doc',
    'region: us-east-1',
    `vpcId: ${net.vpcId}`,
    `subnetId: ${net.subnetId}`,
    'instanceTypes: [c5n.18xlarge]',
    'maxVcpus: 144',
    'efa: true',
    '',
  ].join('\n');
}

function jobYaml(nodes: number): string {
  return [
    'name: hello-mpi',
    `image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello-mpi@sha256:${'a'.repeat(64)}`,
    `nodes: ${nodes}`,
    'instanceType: c5n.18xlarge',
    'stack: doc',
    'resources:',
    '  vcpus: 72',
    '  memory: 180GiB',
    'command: ["/usr/local/bin/hello-mpi"]',
    '',
  ].join('\n');
}

function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.check, c.status]));
}

describe('mnbatch doctor', () => {
  it('names every problem at once, passes once they are fixed, and changes nothing', async () => {
    await account.reset();
    const net = await account.network();
    await account.instanceProfile('ecsInstanceRole');
    const env = await user('alice');
    const infra = account.write('infra.yaml', infraYaml(net));
    const job = account.write('job.yaml', jobYaml(2));

    // Given a caller without permissions and no stack yet.
    const before = account.shim.calls.length;
    const first = await account.cli(['doctor', '-f', infra, job, '--json'], { env });
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const report = JSON.parse(first.stdout) as Report;
    expect(statuses(report)).toEqual({
      identity: 'ok',
      region: 'ok',
      permissions: 'fail',
      'service-linked-role': 'warn',
      subnet: 'ok',
      route: 'ok',
      quota: 'ok',
      'instance-types': 'ok',
      efa: 'ok',
      architecture: 'ok',
      ami: 'skip',
      stack: 'fail',
      job: 'fail',
    });
    expect(report.checks[0]?.detail).toBe('arn:aws:iam::123456789012:user/alice (account 123456789012)');
    expect(report.checks.find((c) => c.check === 'permissions')?.detail).toContain('batch:SubmitJob');
    expect(account.shim.calls.slice(before).filter((c) => c.mutating)).toEqual([]);

    // When the generated policy is attached and the stack is up.
    const policy = await account.cli(['iam-policy', '--infra', '--json']);
    await attach('alice', policy.stdout);
    const up = await account.cli(['infra', 'up', '-f', infra, '--yes'], { env });
    expect(up.code, up.stdout + up.stderr).toBe(0);

    const second = await account.cli(['doctor', '-f', infra, job], { env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /^ok +permissions +arn:aws:iam::123456789012:user\/alice is allowed all \d+ actions/m,
    );
    expect(second.stdout).toMatch(/^ok +service-linked-role +AWSServiceRoleForBatch exists/m);
    expect(second.stdout).toMatch(/^ok +stack +/m);
    expect(second.stdout).toMatch(/^ok +job +queue mnbatch-doc can run/m);
    expect(second.stdout).toContain(`On-Demand Standard vCPU quota ${EC2_STANDARD_VCPUS} ≥ maxVcpus 144`);

    // A job larger than the quota (and than the compute environment) fails both checks.
    const big = account.write('big.yaml', jobYaml(10));
    const third = await account.cli(['doctor', '-f', infra, big, '--json'], { env });
    expect(third.code).toBe(1);
    expect(statuses(JSON.parse(third.stdout) as Report)).toMatchObject({ quota: 'fail', job: 'fail' });
  });
});
