/**
 * The `npm run test:aws` runner (scripts/test-aws.ts) against moto, through a named profile as a
 * user runs it: it calls nothing without the opt-in, stops at a profile of another account
 * having only asked who it is, and `--cleanup <run id>` removes what a run left — its stack, the
 * image repository, job definitions — and says nothing is left.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { BatchClient, RegisterJobDefinitionCommand } from '@aws-sdk/client-batch';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { REPO } from '../_helpers/cli-process.js';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';
import { describeLeftovers, inventory } from './inventory.js';
import { newRunId } from './plan.js';
import { createSideRoles, sideRoleName } from './principals.js';

const account = useTestAccount();

/** Runs the runner with the opt-in variables (and `extra`) for profile `acc` of the moto account. */
function runner(args: readonly string[], extra: Record<string, string | undefined> = {}) {
  const profile = account.write(
    'aws-config',
    '[profile acc]\naws_access_key_id = testing\naws_secret_access_key = testing\nregion = us-east-1\n',
  );
  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...base } = account.env;
  const env: Record<string, string> = {
    ...base,
    AWS_CONFIG_FILE: profile,
    MNBATCH_AWS_ACCEPTANCE: '1',
    AWS_PROFILE: 'acc',
    AWS_REGION: 'us-east-1',
    MNBATCH_ACCEPTANCE_ACCOUNT: '123456789012',
    MNBATCH_ACCEPTANCE_VPC: 'vpc-0a1b2c3d',
    MNBATCH_ACCEPTANCE_SUBNET: 'subnet-0a1b2c3d',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const before = account.shim.calls.length;
  return new Promise<{ code: number; stderr: string; calls: string[] }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'scripts', 'test-aws.ts'), ...args],
      { cwd: REPO, env },
      (error, _stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        const calls = account.shim.calls.slice(before).map((c) => `${c.service}:${c.operation}`);
        resolve({ code, stderr, calls });
      },
    );
  });
}

describe('npm run test:aws', () => {
  it('without the opt-in, refuses and calls nothing', async () => {
    const r = await runner([], { MNBATCH_AWS_ACCEPTANCE: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MNBATCH_AWS_ACCEPTANCE (not set)');
    expect(r.calls).toEqual([]);
  }, 60_000);

  it('with a profile of another account, stops after asking who it is', async () => {
    const r = await runner([], { MNBATCH_ACCEPTANCE_ACCOUNT: '111111111111' });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('estimated cost');
    expect(r.stderr).toContain(
      'profile acc is account 123456789012, not MNBATCH_ACCEPTANCE_ACCOUNT 111111111111',
    );
    expect(r.calls).toEqual(['sts:GetCallerIdentity']);
  }, 60_000);

  it('--cleanup <run id> removes what a run left and says nothing is left', async () => {
    const runId = newRunId(new Date());
    const net = await account.network();
    const stack = account.write(
      'stack.yaml',
      [
        `stack: ${runId}`,
        'region: us-east-1',
        `vpcId: ${net.vpcId}`,
        `subnetId: ${net.subnetId}`,
        'instanceTypes: [c6i.large]',
        'maxVcpus: 4',
        'efs: none',
        'roles:',
        '  create: true',
        '',
      ].join('\n'),
    );
    await account.executionPolicy(runId);
    await createSideRoles({ sdk: account.sdk, cli: (a) => account.cli(a), say: () => {} }, runId);
    const up = await account.cli(['infra', 'up', '-f', stack, '--yes']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const ecr = new ECRClient(account.sdk);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: `mnbatch/${runId}/${runId}-hello` }));
    ecr.destroy();
    const batch = new BatchClient(account.sdk);
    await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: `mnbatch-${runId}-hello-0123456789`,
        type: 'container',
        containerProperties: { image: 'busybox', vcpus: 1, memory: 128 },
      }),
    );
    batch.destroy();
    const left = describeLeftovers(await inventory(account.sdk, runId));
    expect(left).toEqual(
      expect.arrayContaining([
        `batch job-queue mnbatch-${runId}`,
        `ecr repository mnbatch/${runId}/${runId}-hello`,
        `batch job-definition mnbatch-${runId}-hello-0123456789:1`,
        `iam policy arn:aws:iam::123456789012:policy/mnbatch-${runId}-execution`,
        `iam policy arn:aws:iam::123456789012:policy/mnbatch-${runId}-infra-2`,
        `iam role ${sideRoleName(runId, 'infra')}`,
      ]),
    );

    const r = await runner(['--cleanup', runId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`run ${runId}: nothing is left`);
    expect(r.calls).toContain('batch:DeleteComputeEnvironment');
    expect(r.calls).toContain('iam:DeletePolicy');
    expect(describeLeftovers(await inventory(account.sdk, runId))).toEqual([]);
  }, 300_000);
});
