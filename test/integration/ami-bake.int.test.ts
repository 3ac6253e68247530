/**
 * `mnbatch ami bake` end to end with the built CLI against moto. moto starts no machine, so the
 * shim plays the builder (test/_helpers/moto/shim-ami-builder.ts): when the CLI first looks at
 * the instance, the shim runs the real user data against a sandbox root, stops the instance when
 * the script powered off, and serves what the script wrote as the console output. Everything
 * else (SSM parameter, base image, instance types, RunInstances, CreateImage, DescribeImages,
 * TerminateInstances) is moto's. A bake creates no security group, key pair or instance profile
 * (the builder uses the subnet's defaults and needs no credentials), so "nothing left behind"
 * means: the builder terminated, and no image unless the bake succeeded.
 */
import { readFileSync } from 'node:fs';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Image,
  type Instance,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';
import type { ShimCall } from '../_helpers/moto/shim.js';

const account = useTestAccount();
const EFS = 'fs-0123456789abcdef0';
const TARGET = ['--no-ht', '--instance-type', 'c5n.18xlarge'];

afterEach(() => {
  account.shim.hooks = {};
});

async function withEc2<T>(use: (ec2: EC2Client) => Promise<T>): Promise<T> {
  const ec2 = new EC2Client(account.sdk);
  try {
    return await use(ec2);
  } finally {
    ec2.destroy();
  }
}

/** Every instance launched as an ami bake builder for `name`. */
function builders(name: string): Promise<Instance[]> {
  return withEc2(async (ec2) => {
    const out = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:mnbatch:ami-builder', Values: [name] }] }),
    );
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  });
}

/** The account's own images tagged as baked for `name`. */
function images(name: string): Promise<Image[]> {
  return withEc2(async (ec2) => {
    const out = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:mnbatch:ami', Values: [name] }] }),
    );
    return out.Images ?? [];
  });
}

/** Runs a bake named `name`; returns its result and the calls it made that change something. */
async function bake(name: string, args: readonly string[], options: Parameters<typeof account.cli>[1] = {}) {
  const from = account.shim.calls.length;
  const result = await account.cli(['ami', 'bake', '--name', name, ...args], options);
  const calls = account.shim.calls.slice(from);
  const mutating = calls.filter((c: ShimCall) => c.mutating).map((c) => `${c.service}:${c.operation}`);
  return { ...result, calls, mutating };
}

describe('mnbatch ami bake against moto', () => {
  it('bakes: the builder runs the script and stops, the image is made from it, the builder is terminated', async () => {
    const infra = account.write(
      'infra-bake.yaml',
      '# CFD stack\nstack:   cfd   # name\ninstanceTypes: [c5n.18xlarge]\nami: default # replaced by the bake\n',
    );

    const run = await bake('cfd', [...TARGET, '--efs', EFS, '--json', '--write-infra', infra]);

    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { imageId: string; nrCpus: number; builderInstanceId: string };
    expect(result.nrCpus).toBe(36);
    // Only these three calls change anything: no security group, key pair or profile is made.
    expect(run.mutating).toEqual(['ec2:RunInstances', 'ec2:CreateImage', 'ec2:TerminateInstances']);
    const launch = run.calls.find((c) => c.operation === 'RunInstances')?.params ?? {};
    expect(launch.InstanceInitiatedShutdownBehavior).toBe('stop');

    // The script really ran: nr_cpus through grubby, EFS in fstab, powered off at the end.
    const builder = account.shim.builders.get(result.builderInstanceId);
    expect(builder?.ran?.code).toBe(0);
    expect(builder?.ran?.hooks).toContain('grubby --update-kernel=ALL --args=nr_cpus=36');
    expect(builder?.ran?.hooks.at(-1)).toBe('poweroff');
    expect(builder?.ran?.console).toContain('MNBATCH_AMI_BAKE_OK');
    // The region the CLI resolved reached the user data: the NFS mount names the EFS endpoint in it.
    expect(builder?.ran?.fstab).toContain(`${EFS}.efs.us-east-1.amazonaws.com:/ /efs nfs4 `);

    const [image] = await images('cfd');
    expect(image?.ImageId).toBe(result.imageId);
    expect(image?.State).toBe('available');
    expect(image?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'mnbatch:nr-cpus', Value: '36' },
        { Key: 'mnbatch:efs', Value: EFS },
      ]),
    );
    const snapshotIds = (image?.BlockDeviceMappings ?? []).flatMap((m) => m.Ebs?.SnapshotId ?? []);
    expect(snapshotIds.length).toBeGreaterThan(0);
    const snapshots = await withEc2((ec2) =>
      ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds })),
    );
    for (const s of snapshots.Snapshots ?? [])
      expect(s.Tags).toContainEqual({ Key: 'mnbatch:ami', Value: 'cfd' });

    expect((await builders('cfd')).map((i) => i.State?.Name)).toEqual(['terminated']);
    expect(readFileSync(infra, 'utf8')).toBe(
      `# CFD stack\nstack:   cfd   # name\ninstanceTypes: [c5n.18xlarge]\nami: ${result.imageId} # replaced by the bake\nhyperthreading: offViaAmi\n`,
    );
  }, 120_000);

  it('a failing bake script: its console lines are shown, no image is made, the builder is terminated', async () => {
    // Arch Linux is not a supported builder OS: the script refuses it before changing anything.
    account.shim.hooks = { builder: { os: 'arch' } };

    const run = await bake('fails', TARGET);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: the bake script failed on builder i-[0-9a-f]+/);
    expect(run.stderr).toContain('MNBATCH_AMI_BAKE_FAILED');
    expect(run.mutating).toEqual(['ec2:RunInstances', 'ec2:TerminateInstances']);
    expect(await images('fails')).toEqual([]);
    expect((await builders('fails')).map((i) => i.State?.Name)).toEqual(['terminated']);
  }, 120_000);

  it('a builder that never stops: the bake ends at --timeout and terminates it', async () => {
    account.shim.hooks = { builder: { hang: true } };

    const run = await bake('hangs', [...TARGET, '--timeout', '3s']);

    expect(run.code).toBe(124); // EXIT.timedOut
    expect(run.stderr).toMatch(/error: builder i-[0-9a-f]+ did not stop in time \(still running\)/);
    expect(run.mutating).toEqual(['ec2:RunInstances', 'ec2:TerminateInstances']);
    expect(await images('hangs')).toEqual([]);
    expect((await builders('hangs')).map((i) => i.State?.Name)).toEqual(['terminated']);
  }, 120_000);

  it('Ctrl-C while waiting for the builder: exit 130, the builder is terminated', async () => {
    let pid = 0;
    let pressed = false;
    account.shim.hooks = {
      builder: { hang: true },
      afterCall: (call) => {
        // The first look at the builder: the user presses Ctrl-C.
        if (call.operation === 'DescribeInstances' && pid && !pressed) {
          pressed = true;
          process.kill(pid, 'SIGINT');
        }
        return 'send';
      },
    };

    const run = await bake('interrupted', TARGET, {
      onSpawn: (p) => {
        pid = p;
      },
    });

    expect(run.code).toBe(130);
    expect(run.stderr).toContain('error: interrupted');
    expect(run.mutating).toEqual(['ec2:RunInstances', 'ec2:TerminateInstances']);
    expect(await images('interrupted')).toEqual([]);
    expect((await builders('interrupted')).map((i) => i.State?.Name)).toEqual(['terminated']);
  }, 120_000);
});
