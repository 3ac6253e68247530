/**
 * `mnbatch infra up / status / down` of every shipped example stack, end to end with the built
 * CLI against moto (behind the shim that corrects it where it differs from AWS).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchClient, DescribeJobQueuesCommand } from '@aws-sdk/client-batch';
import {
  DescribeInstanceTypesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { REPO, type TestNetwork, useTestAccount } from '../_helpers/moto/aws-test-account.js';
import { stackState } from '../_helpers/moto/stack-state.js';

const account = useTestAccount();
const EXAMPLES = join(REPO, 'examples', 'infra');
const stackFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

/** The example with its VPC and subnet replaced by the test account's; returns path and stack name. */
function stackFile(name: string, net: TestNetwork): { path: string; stack: string } {
  const text = readFileSync(join(EXAMPLES, name), 'utf8')
    .replace(/vpc-0123456789abcdef0/, net.vpcId)
    .replace(/subnet-0123456789abcdef0/, net.subnetId);
  const stack = /^stack: *(\S+)/m.exec(text)?.[1] ?? '';
  return { path: account.write(name, text), stack };
}

/** Mutating calls the CLI made while running `args`, and what it printed. */
async function run(args: string[]) {
  const before = account.shim.calls.length;
  const r = await account.cli(args);
  const mutating = account.shim.calls.slice(before).filter((c) => c.mutating);
  return { ...r, text: r.stdout + r.stderr, mutating: mutating.map((c) => `${c.service}:${c.operation}`) };
}

describe('the example stacks', () => {
  it('there is at least one', () => {
    expect(stackFiles).toContain('stack.yaml');
  });

  it.each(stackFiles)(
    '%s: up creates it, a second up changes nothing, status shows it, down removes it',
    async (name) => {
      await account.reset();
      const net = await account.network();
      await account.instanceProfile('ecsInstanceRole');
      const { path, stack } = stackFile(name, net);
      // The administrator's step before a stack with roles.create: true (docs/iam.md).
      if (/^\s*create: true/m.test(readFileSync(path, 'utf8'))) await account.executionPolicy(stack);
      const empty = await stackState(account, stack, net);

      const dry = await run(['infra', 'up', '-f', path, '--dry-run']);
      expect(dry.code, dry.text).toBe(0);
      expect(dry.text).toContain('dry run: nothing was changed');
      expect(dry.mutating).toEqual([]);

      const up = await run(['infra', 'up', '-f', path, '--yes']);
      expect(up.code, up.text).toBe(0);
      expect(up.text).toContain(`stack ${stack} is ready: job queue mnbatch-${stack}`);
      expect(up.mutating).toEqual(
        expect.arrayContaining([
          'batch:CreateComputeEnvironment',
          'batch:CreateJobQueue',
          'ec2:CreateLaunchTemplate',
        ]),
      );
      const made = await stackState(account, stack, net);

      const again = await run(['infra', 'up', '-f', path]);
      expect(again.code, again.text).toBe(0);
      expect(again.text).toContain('nothing to do');
      expect(again.mutating).toEqual([]);
      expect(await stackState(account, stack, net)).toEqual(made);

      const status = await run(['infra', 'status', '-f', path]);
      expect(status.code, status.text).toBe(0);
      for (const kind of [
        'placement-group',
        'security-group',
        'launch-template',
        'compute-environment',
        'job-queue',
      ])
        expect(status.stdout).toMatch(new RegExp(`^\\s*${kind}\\s+mnbatch-${stack}`, 'm'));
      expect(status.mutating).toEqual([]);

      const down = await run(['infra', 'down', '-f', path, '--yes']);
      expect(down.code, down.text).toBe(0);
      expect(await stackState(account, stack, net)).toEqual(empty);
      const after = await run(['infra', 'status', '--stack', stack]);
      expect(after.code).toBe(1);
      expect(after.stdout).toContain(`stack ${stack}: no resources in us-east-1`);
    },
    600_000,
  );
});

describe('settings that change in place', () => {
  it('rootVolumeGiB makes a new launch template version; runnableTimeLimit updates the queue; status shows both', async () => {
    await account.reset();
    const net = await account.network();
    await account.instanceProfile('ecsInstanceRole');
    const { path, stack } = stackFile('stack.yaml', net);
    const up = await run(['infra', 'up', '-f', path, '--yes']);
    expect(up.code, up.text).toBe(0);
    expect(up.stdout).toContain('root volume: 100 GiB gp3');
    expect(up.stdout).toContain('stuck RUNNABLE jobs: cancelled after 3600 s');
    const status = await run(['infra', 'status', '-f', path]);
    expect(status.stdout).toMatch(/launch-template\s+mnbatch-demo\s+\S+\s+version 1, root 100 GiB/);
    expect(status.stdout).toMatch(
      /job-queue\s+mnbatch-demo\s+\S+\s+VALID\/ENABLED, cancels RUNNABLE after 3600 s/,
    );

    const text = readFileSync(path, 'utf8')
      .replace(/^rootVolumeGiB: 100/m, 'rootVolumeGiB: 200')
      .replace(/^runnableTimeLimit:.*\n.*\n/m, '');
    account.write('stack.yaml', text);
    const change = await run(['infra', 'up', '-f', path, '--yes']);
    expect(change.code, change.text).toBe(0);
    expect(change.mutating).toEqual([
      'ec2:CreateLaunchTemplateVersion',
      'batch:UpdateComputeEnvironment',
      'batch:UpdateJobQueue',
    ]);
    expect(change.stdout).toContain('stuck RUNNABLE jobs: left waiting');
    const after = await run(['infra', 'status', '-f', path]);
    expect(after.stdout).toMatch(/launch-template\s+mnbatch-demo\s+\S+\s+version 2, root 200 GiB/);
    expect(after.stdout).toMatch(/job-queue\s+mnbatch-demo\s+\S+\s+VALID\/ENABLED\n/);
    const again = await run(['infra', 'up', '-f', path]);
    expect(again.mutating).toEqual([]);
    expect(stack).toBe('demo');
  }, 300_000);
});

describe('EFA on every network card', () => {
  it('p4d.24xlarge: moto knows its 4 cards as AWS does; up makes 4 EFA interfaces and tags the queue 4; then c5n.18xlarge: a new version with 1, tag 1', async () => {
    await account.reset();
    const net = await account.network();
    await account.instanceProfile('ecsInstanceRole');
    const ec2 = new EC2Client(account.sdk);
    const batch = new BatchClient(account.sdk);
    // moto's DescribeInstanceTypes data has the network cards AWS documents (docs/aws-quirks.md).
    const [p4d] =
      (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['p4d.24xlarge'] }))).InstanceTypes ??
      [];
    expect(p4d?.NetworkInfo).toMatchObject({ MaximumNetworkCards: 4, EfaInfo: { MaximumEfaInterfaces: 4 } });

    const { path } = stackFile('stack.yaml', net);
    const p4dText = readFileSync(path, 'utf8').replace(
      /^instanceTypes: \[c5n\.18xlarge\]/m,
      'instanceTypes: [p4d.24xlarge]',
    );
    account.write('stack.yaml', p4dText);
    const up = await run(['infra', 'up', '-f', path, '--yes']);
    expect(up.code, up.text).toBe(0);
    expect(up.stdout).toContain('EFA: 4 interfaces per instance, one per network card of p4d.24xlarge 4');
    const latest = async () =>
      (
        await ec2.send(
          new DescribeLaunchTemplateVersionsCommand({
            LaunchTemplateName: 'mnbatch-demo',
            Versions: ['$Latest'],
          }),
        )
      ).LaunchTemplateVersions?.[0];
    const v1 = await latest();
    expect(v1?.VersionNumber).toBe(1);
    expect(
      v1?.LaunchTemplateData?.NetworkInterfaces?.map(
        (n) => `${n.NetworkCardIndex ?? 0}/${n.DeviceIndex}:${n.InterfaceType}:${n.Groups?.length}`,
      ),
    ).toEqual(['0/0:efa:1', '1/0:efa-only:1', '2/0:efa-only:1', '3/0:efa-only:1']);
    const queueTags = async () =>
      (await batch.send(new DescribeJobQueuesCommand({ jobQueues: ['mnbatch-demo'] }))).jobQueues?.[0]?.tags;
    expect(await queueTags()).toMatchObject({ 'mnbatch:stack': 'demo', 'mnbatch:efa-interfaces': '4' });
    const again = await run(['infra', 'up', '-f', path]);
    expect(again.mutating).toEqual([]);

    account.write(
      'stack.yaml',
      p4dText.replace('instanceTypes: [p4d.24xlarge]', 'instanceTypes: [c5n.18xlarge]'),
    );
    const back = await run(['infra', 'up', '-f', path, '--yes']);
    expect(back.code, back.text).toBe(0);
    expect(back.mutating).toEqual(
      expect.arrayContaining([
        'ec2:CreateLaunchTemplateVersion',
        'batch:UpdateComputeEnvironment',
        'batch:TagResource',
      ]),
    );
    const v2 = await latest();
    expect(v2?.VersionNumber).toBe(2);
    expect(v2?.LaunchTemplateData?.NetworkInterfaces).toHaveLength(1);
    expect((await queueTags())?.['mnbatch:efa-interfaces']).toBe('1');
  }, 300_000);
});
