/**
 * `infra up` and `infra down` converge from any interrupted state: the run is killed right after
 * its k-th mutating request has changed the account (the answer never reaches it), for every k;
 * the next run then ends in the same state as one uninterrupted run.
 */
import { BatchClient, UpdateComputeEnvironmentCommand, UpdateJobQueueCommand } from '@aws-sdk/client-batch';
import {
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteMountTargetCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import {
  DetachRolePolicyCommand,
  IAMClient,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { type TestNetwork, useTestAccount } from '../_helpers/moto/aws-test-account.js';
import { stackState } from '../_helpers/moto/stack-state.js';

const account = useTestAccount();
const STACK = 'conv';

/** The example stack, with the roles created by the stack too (the role steps are interrupted as well). */
function stackYaml(net: TestNetwork): string {
  return [
    `stack: ${STACK}`,
    'region: us-east-1',
    `vpcId: ${net.vpcId}`,
    `subnetId: ${net.subnetId}`,
    'instanceTypes: [c5n.18xlarge]',
    'maxVcpus: 288',
    'efs: create',
    'efa: true',
    's3Endpoint: true',
    'hyperthreading: offViaUserData',
    'roles:',
    '  create: true',
    '',
  ].join('\n');
}

/** A fresh account with a network and the stack file; returns both. */
async function freshAccount(): Promise<{ net: TestNetwork; file: string }> {
  await account.reset();
  const net = await account.network();
  await account.executionPolicy(STACK);
  return { net, file: account.write(`${STACK}.yaml`, stackYaml(net)) };
}

/** Runs the CLI, killing it right after its k-th mutating request; returns the mutating calls made. */
async function runKilledAt(k: number, args: string[]): Promise<{ code: number; mutating: number }> {
  let pid = 0;
  let mutating = 0;
  account.shim.hooks = {
    afterCall: (call) => {
      if (!call.mutating) return 'send';
      mutating += 1;
      if (mutating !== k) return 'send';
      process.kill(pid, 'SIGKILL');
      return 'drop';
    },
  };
  try {
    const r = await account.cli(args, { onSpawn: (p) => (pid = p) });
    return { code: r.code, mutating };
  } finally {
    account.shim.hooks = {};
  }
}

/** Mutating calls of an uninterrupted run of `args`. */
async function countMutating(args: string[]): Promise<number> {
  const before = account.shim.calls.length;
  const r = await account.cli(args);
  expect(r.code, r.stderr).toBe(0);
  return account.shim.calls.slice(before).filter((c) => c.mutating).length;
}

describe('infra up and down converge after being killed at any step', () => {
  it('up killed after its k-th change, then run again, equals one uninterrupted up', async () => {
    const { net, file } = await freshAccount();
    const up = ['infra', 'up', '-f', file, '--yes'];
    const steps = await countMutating(up);
    const want = await stackState(account, STACK, net);
    expect(steps).toBeGreaterThan(10);
    // A second up changes nothing.
    expect(await countMutating(up)).toBe(0);

    for (let k = 1; k <= steps; k++) {
      const fresh = await freshAccount();
      const args = ['infra', 'up', '-f', fresh.file, '--yes'];
      const killed = await runKilledAt(k, args);
      expect(killed.code, `run killed at step ${k}`).not.toBe(0);
      expect(killed.mutating).toBe(k);
      const again = await account.cli(args);
      expect(again.code, `rerun after step ${k}:\n${again.stderr}`).toBe(0);
      expect(await stackState(account, STACK, fresh.net), `state after a kill at step ${k}`).toEqual(want);
    }
  }, 900_000);

  it('down killed after its k-th change, then run again, leaves nothing of the stack', async () => {
    const { net, file } = await freshAccount();
    const empty = await stackState(account, STACK, net);
    const up = ['infra', 'up', '-f', file, '--yes'];
    await countMutating(up);
    const steps = await countMutating(['infra', 'down', '-f', file, '--yes']);
    expect(await stackState(account, STACK, net)).toEqual(empty);
    expect(steps).toBeGreaterThan(8);

    for (let k = 1; k <= steps; k++) {
      const fresh = await freshAccount();
      await countMutating(['infra', 'up', '-f', fresh.file, '--yes']);
      const down = ['infra', 'down', '-f', fresh.file, '--yes'];
      const killed = await runKilledAt(k, down);
      expect(killed.code, `down killed at step ${k}`).not.toBe(0);
      const again = await account.cli(down);
      expect(again.code, `rerun after step ${k}:\n${again.stderr}`).toBe(0);
      expect(await stackState(account, STACK, fresh.net), `state after a kill at step ${k}`).toEqual(empty);
    }
  }, 900_000);

  it('up repairs what was changed by hand: disabled queue and CE, detached policies, lost profile role, revoked rules, deleted mount target', async () => {
    const { net, file } = await freshAccount();
    const up = ['infra', 'up', '-f', file, '--yes'];
    await countMutating(up);
    const want = await stackState(account, STACK, net);
    const prefix = `mnbatch-${STACK}`;
    const batch = new BatchClient(account.sdk);
    const iam = new IAMClient(account.sdk);
    const ec2 = new EC2Client(account.sdk);
    const efs = new EFSClient(account.sdk);
    try {
      await batch.send(new UpdateJobQueueCommand({ jobQueue: prefix, state: 'DISABLED' }));
      await batch.send(
        new UpdateComputeEnvironmentCommand({ computeEnvironment: prefix, state: 'DISABLED' }),
      );
      await iam.send(
        new DetachRolePolicyCommand({
          RoleName: `${prefix}-instance`,
          PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role',
        }),
      );
      await iam.send(
        new DetachRolePolicyCommand({
          RoleName: `${prefix}-execution`,
          PolicyArn: `arn:aws:iam::123456789012:policy/${prefix}-execution`,
        }),
      );
      await iam.send(
        new RemoveRoleFromInstanceProfileCommand({
          InstanceProfileName: `${prefix}-instance`,
          RoleName: `${prefix}-instance`,
        }),
      );
      const [group] =
        (
          await ec2.send(
            new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [prefix] }] }),
          )
        ).SecurityGroups ?? [];
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: group?.GroupId,
          IpPermissions: group?.IpPermissions,
        }),
      );
      const fs = ((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).find((f) =>
        f.CreationToken?.includes(STACK),
      );
      const [mt] =
        (await efs.send(new DescribeMountTargetsCommand({ FileSystemId: fs?.FileSystemId }))).MountTargets ??
        [];
      await efs.send(new DeleteMountTargetCommand({ MountTargetId: mt?.MountTargetId }));
    } finally {
      for (const c of [batch, iam, ec2, efs]) c.destroy();
    }
    expect(await stackState(account, STACK, net)).not.toEqual(want);

    const repair = await account.cli(up);
    expect(repair.code, repair.stderr).toBe(0);
    for (const line of [
      'updating job-queue',
      'updating compute-environment',
      'updating instance-role',
      'updating instance-profile',
      'updating security-group',
      'creating mount-target',
    ])
      expect(repair.stderr).toContain(line);
    expect(await stackState(account, STACK, net)).toEqual(want);
    expect(await countMutating(up)).toBe(0);
  }, 300_000);
});
