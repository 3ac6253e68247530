/**
 * `mnbatch ami bake` at the SDK boundary: the real CLI parsing, bake logic and adapters, with
 * EC2 and SSM clients mocked and an instant clock. Every request sent is checked against the
 * botocore models after each test (test/_helpers/sdk-mock.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  GetConsoleOutputCommand,
  type Image,
  type InstanceStateName,
  type InstanceTypeInfo,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { registerAmi } from '../../src/cli/commands/ami.js';
import { memoryOutput } from '../../src/ui/output.js';
import { assertValidRequest } from '../_helpers/aws-model.js';
import { FakeClock } from '../_helpers/fake-clock.js';
import { instanceTypeInfo } from '../_helpers/instance-types.js';
import { sdkMock } from '../_helpers/sdk-mock.js';

const ec2 = sdkMock(EC2Client, 'ec2');
const ssm = sdkMock(SSMClient, 'ssm');

const BASE = 'ami-0aaaaaaaaaaaaaaa1';
const BASE_ARM = 'ami-0aaaaaaaaaaaaaaa2';
const BAKED = 'ami-0bbbbbbbbbbbbbbb1';
const BUILDER = 'i-0ccccccccccccccc1';
const EFS = 'fs-0123456789abcdef0';
const START = Date.parse('2026-11-21T10:00:00Z');

/** Real DescribeInstanceTypes entries of the types the bakes use. */
const TYPES: Record<string, InstanceTypeInfo> = Object.fromEntries(
  ['c5n.18xlarge', 'm5.large', 'c7g.16xlarge', 'm6g.large'].map((t) => [t, instanceTypeInfo(t)]),
);

const IMAGES: Record<string, Image> = {
  [BASE]: {
    ImageId: BASE,
    Name: 'al2023-ami-ecs-hvm-2023.0.20241115-kernel-6.1-x86_64',
    Architecture: 'x86_64',
    State: 'available',
    RootDeviceType: 'ebs',
  },
  [BASE_ARM]: {
    ImageId: BASE_ARM,
    Name: 'al2023-ami-ecs-hvm-2023.0.20241115-kernel-6.1-arm64',
    Architecture: 'arm64',
    State: 'available',
    RootDeviceType: 'ebs',
  },
};

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

/** Instance states DescribeInstances reports, one per call; the last one repeats. */
let builderStates: InstanceStateName[];
/** Image states DescribeImages reports for the baked image, one per call; the last repeats. */
let imageStates: Image['State'][];
let consoleText: string;

function nextOf<T>(list: T[]): T {
  return (list.length > 1 ? list.shift() : list[0]) as T;
}

beforeEach(() => {
  builderStates = ['pending', 'running', 'running', 'stopping', 'stopped'];
  imageStates = ['pending', 'pending', 'available'];
  consoleText = 'cloud-init[1234]: mnbatch-ami: bake finished\nmnbatch-ami: MNBATCH_AMI_BAKE_OK\n';
  ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => ({
    Parameter: { Name: input.Name, Value: input.Name.includes('/arm64/') ? BASE_ARM : BASE },
  }));
  ec2.on(DescribeInstanceTypesCommand).callsFake((input: { InstanceTypes: string[] }) => {
    const t = TYPES[input.InstanceTypes[0] ?? ''];
    // Like a region that does not offer the type.
    if (!t)
      throw awsError(
        'InvalidInstanceType',
        `The following supplied instance types do not exist: [${input.InstanceTypes[0]}]`,
      );
    return { InstanceTypes: [t] };
  });
  ec2.on(DescribeImagesCommand).callsFake((input: { ImageIds: string[] }) => {
    const id = input.ImageIds[0] ?? '';
    if (id === BAKED)
      return {
        Images: [
          {
            ImageId: BAKED,
            State: nextOf(imageStates),
            StateReason: { Code: 'x', Message: 'snapshot failed' },
          },
        ],
      };
    return { Images: IMAGES[id] ? [IMAGES[id]] : [] };
  });
  ec2.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: BUILDER }] });
  ec2.on(DescribeInstancesCommand).callsFake(() => ({
    Reservations: [{ Instances: [{ InstanceId: BUILDER, State: { Name: nextOf(builderStates) } }] }],
  }));
  ec2.on(GetConsoleOutputCommand).callsFake(() => ({
    InstanceId: BUILDER,
    Output: Buffer.from(consoleText).toString('base64'),
  }));
  ec2.on(CreateImageCommand).resolves({ ImageId: BAKED });
  ec2.on(TerminateInstancesCommand).resolves({});
  ec2.on(DeregisterImageCommand).resolves({});
});

/** An instant clock; `onSleep(n)` runs at the n-th sleep (1-based). */
function fakeClock(onSleep?: (n: number) => void) {
  const fake = new FakeClock(START);
  let sleeps = 0;
  return {
    elapsed: () => fake.now() - START,
    clock: {
      now: () => fake.now(),
      sleep: (ms: number, signal?: AbortSignal) => {
        sleeps += 1;
        onSleep?.(sleeps);
        return fake.sleep(ms, signal);
      },
    },
  };
}

async function bake(
  args: string[],
  options: { clock?: ReturnType<typeof fakeClock>; signal?: AbortSignal; cwd?: string } = {},
) {
  const output = memoryOutput();
  const clock = options.clock ?? fakeClock();
  const code = await exec(['ami', 'bake', '--region', 'eu-west-1', ...args], {
    output,
    cwd: options.cwd ?? '.',
    ...(options.signal ? { signal: options.signal } : {}),
    commands: [registerAmi({ clock: clock.clock, clientToken: 'mnbatch-ami-test-token' })],
  });
  return { code, output, clock };
}

const ops = () =>
  ec2
    .calls()
    .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));
const MUTATING = [
  'RunInstances',
  'CreateImage',
  'TerminateInstances',
  'StopInstances',
  'DeregisterImage',
  'CreateTags',
];
const FULL = [
  '--efs',
  EFS,
  '--no-ht',
  '--instance-type',
  'c5n.18xlarge',
  '--subnet',
  'subnet-0abc123',
  '--security-group',
  'sg-0abc123',
];

describe('mnbatch ami bake', () => {
  it('bakes: launches the builder, waits for stop, creates the image, waits, terminates, prints the AMI id', async () => {
    const { code, output } = await bake(FULL);

    expect(code, output.text()).toBe(0);
    expect(output.stdout).toEqual([BAKED]);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
    });
    const mutating = ops().filter((o) => !o.startsWith('Describe') || o === 'DescribeInstances');
    expect(mutating.filter((o, i) => o !== mutating[i - 1])).toEqual([
      'RunInstances',
      'DescribeInstances',
      'GetConsoleOutput',
      'CreateImage',
      'TerminateInstances',
    ]);
    expect(ops().lastIndexOf('DescribeImages')).toBeLessThan(ops().indexOf('TerminateInstances'));
    expect(ec2).toHaveReceivedCommandWith(RunInstancesCommand, {
      ImageId: BASE,
      InstanceType: 'm5.large',
      SubnetId: 'subnet-0abc123',
      SecurityGroupIds: ['sg-0abc123'],
      InstanceInitiatedShutdownBehavior: 'stop',
      ClientToken: 'mnbatch-ami-test-token',
      MinCount: 1,
      MaxCount: 1,
    });
    const run = ec2.commandCalls(RunInstancesCommand)[0]!.args[0].input;
    expect(run.TagSpecifications?.[0]?.Tags).toContainEqual({
      Key: 'mnbatch:ami-builder',
      Value: 'mnbatch-ecs-efs-c5n.18xlarge-nr36',
    });
    const userData = Buffer.from(run.UserData ?? '', 'base64').toString('utf8');
    expect(userData).toContain(
      `--efs-id ${EFS} --region eu-west-1 --mount-path /efs --mount-mode nfs4 --nr-cpus 36 --poweroff`,
    );
    expect(ec2).toHaveReceivedCommandWith(CreateImageCommand, {
      InstanceId: BUILDER,
      Name: 'mnbatch-ecs-efs-c5n.18xlarge-nr36-20261121T100000Z',
    });
    const image = ec2.commandCalls(CreateImageCommand)[0]!.args[0].input;
    expect(image.TagSpecifications?.map((t) => t.ResourceType)).toEqual(['image', 'snapshot']);
    expect(image.TagSpecifications?.[0]?.Tags).toContainEqual({ Key: 'mnbatch:nr-cpus', Value: '36' });
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('prints the result as JSON with --json', async () => {
    const { code, output } = await bake([...FULL, '--json', '--name', 'hpc-base']);

    expect(code, output.text()).toBe(0);
    expect(JSON.parse(output.stdout.join('\n'))).toMatchObject({
      imageId: BAKED,
      name: 'hpc-base',
      imageName: 'hpc-base-20261121T100000Z',
      region: 'eu-west-1',
      baseImageId: BASE,
      nrCpus: 36,
      builderInstanceId: BUILDER,
    });
  });

  it('bounds the wait for a builder that never stops, terminates it, and fails clearly', async () => {
    builderStates = ['running'];

    const { code, output, clock } = await bake([...FULL, '--timeout', '20m']);

    expect(code).toBe(124); // EXIT.timedOut
    expect(output.stderr.join('\n')).toMatch(
      /error: builder i-0ccccccccccccccc1 did not stop in time \(still running\)/,
    );
    expect(clock.elapsed()).toBe(20 * 60_000);
    expect(ec2).not.toHaveReceivedCommand(CreateImageCommand);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('terminates the builder when CreateImage fails', async () => {
    ec2.on(CreateImageCommand).rejects(awsError('InvalidAMIName.Duplicate', 'AMI name is already in use'));

    const { code, output } = await bake(FULL);

    expect(code).toBe(1);
    expect(output.stderr).toContain(
      'error: ec2:CreateImage failed (InvalidAMIName.Duplicate): AMI name is already in use',
    );
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('reports a builder that cannot be launched, with nothing to terminate', async () => {
    ec2
      .on(RunInstancesCommand)
      .rejects(
        awsError('InsufficientInstanceCapacity', 'We currently do not have sufficient m5.large capacity'),
      );

    const { code, output } = await bake(FULL);

    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain('ec2:RunInstances failed (InsufficientInstanceCapacity)');
    expect(ec2).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });

  it('reports an image that goes failed, deregisters it and terminates the builder', async () => {
    imageStates = ['pending', 'failed'];

    const { code, output } = await bake(FULL);

    expect(code).toBe(1);
    expect(output.stderr).toContain(`error: image ${BAKED} is failed`);
    expect(output.stderr).toContain('  snapshot failed');
    expect(ec2).toHaveReceivedCommandWith(DeregisterImageCommand, { ImageId: BAKED });
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
    expect(output.stdout).toEqual([]);
  });

  it('does not create an image when the bake script reported a failure', async () => {
    consoleText = [
      '[   12.3] cloud-init[1523]: mnbatch-ami: installing amazon-efs-utils',
      '[   14.1] cloud-init[1523]: Error: Failed to download metadata for repo amazonlinux',
      '[   14.2] cloud-init[1523]: mnbatch-ami: MNBATCH_AMI_BAKE_FAILED exit=1',
      '[   15.0] reboot: Power down',
    ].join('\r\n');

    const { code, output } = await bake(FULL);

    expect(code).toBe(1);
    expect(output.stderr).toContain(`error: the bake script failed on builder ${BUILDER}`);
    expect(output.stderr).toContain(
      '  [   14.1] cloud-init[1523]: Error: Failed to download metadata for repo amazonlinux',
    );
    expect(output.stderr.join('\n')).not.toContain('Power down');
    expect(ec2).not.toHaveReceivedCommand(CreateImageCommand);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('does not create an image when the console never shows the script’s result', async () => {
    consoleText = '';

    const { code, output } = await bake(FULL);

    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain('its console output shows no result of the bake script');
    expect(ec2).not.toHaveReceivedCommand(CreateImageCommand);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('bounds the wait for the image by --timeout too, and says how to find or remove it', async () => {
    imageStates = ['pending'];

    const { code, output, clock } = await bake([...FULL, '--timeout', '1h']);

    expect(code).toBe(124); // EXIT.timedOut
    expect(clock.elapsed()).toBe(60 * 60_000);
    expect(output.stderr).toContain(`error: image ${BAKED} was not available in time`);
    expect(output.stderr).toContain(`  or remove it: aws ec2 deregister-image --image-id ${BAKED}`);
    expect(ec2).not.toHaveReceivedCommand(DeregisterImageCommand);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('on Ctrl-C mid-wait terminates the builder and exits 130', async () => {
    builderStates = ['running'];
    const interrupt = new AbortController();
    const clock = fakeClock((n) => {
      if (n === 3) interrupt.abort('SIGINT');
    });

    const { code, output } = await bake(FULL, { clock, signal: interrupt.signal });

    expect(code).toBe(130);
    expect(output.stderr).toContain('error: interrupted');
    expect(ec2).not.toHaveReceivedCommand(CreateImageCommand);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('on Ctrl-C while the image is pending terminates the builder and says where the image is', async () => {
    imageStates = ['pending'];
    const interrupt = new AbortController();
    const clock = fakeClock((n) => {
      if (ec2.commandCalls(CreateImageCommand).length > 0 && n > 5) interrupt.abort('SIGINT');
    });

    const { code, output } = await bake(FULL, { clock, signal: interrupt.signal });

    expect(code).toBe(130);
    expect(output.stderr.join('\n')).toContain(`image ${BAKED} was still pending`);
    expect(ec2).toHaveReceivedCommandExactlyOnceWith(TerminateInstancesCommand, { InstanceIds: [BUILDER] });
  });

  it('says how to clean up by hand when the builder cannot be terminated', async () => {
    ec2.on(TerminateInstancesCommand).rejects(awsError('UnauthorizedOperation', 'not allowed'));

    const { code, output } = await bake(FULL);

    expect(code).toBe(1);
    expect(output.stdout).toEqual([]);
    expect(output.stderr.join('\n')).toContain(`aws ec2 terminate-instances --instance-ids ${BUILDER}`);
  });

  it('bakes for an arm64 type from the arm64 ECS-optimized AMI on an arm64 builder', async () => {
    const { code, output } = await bake(['--no-ht', '--instance-type', 'c7g.16xlarge']);

    expect(code, output.text()).toBe(0);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
    });
    expect(ec2).toHaveReceivedCommandWith(RunInstancesCommand, {
      ImageId: BASE_ARM,
      InstanceType: 'm6g.large',
    });
  });

  it('uses the Amazon Linux 2 parameter with --base al2 and an explicit image with --base-ami', async () => {
    await bake(['--efs', EFS, '--base', 'al2']);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id',
    });

    ssm.resetHistory();
    const { code } = await bake(['--efs', EFS, '--base-ami', BASE]);
    expect(code).toBe(0);
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
    expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, { ImageIds: [BASE] });
  });
});

describe('mnbatch ami bake refuses before launching anything', () => {
  it.each([
    [['--no-ht', '--instance-type', 'p4de.24xlarge'], "unknown instance type 'p4de.24xlarge'"],
    [
      ['--no-ht', '--instance-type', 'c5n.18xlarge', '--base-ami', BASE_ARM],
      'is arm64, but the instance type runs x86_64',
    ],
    [['--efs', EFS, '--base-ami', 'ami-0ddddddddddddddd1'], 'base AMI ami-0ddddddddddddddd1 not found'],
    [['--no-ht'], '--no-ht needs --instance-type', 2],
    [[], 'nothing to bake', 2],
    [['--efs', 'vol-1'], "--efs 'vol-1' is not valid", 2],
    [['--efs', EFS, '--timeout', 'soon'], "--timeout 'soon' must be a duration", 2],
    [['--efs', EFS, '--base', 'al2', '--base-ami', BASE], 'give --base-ami or --base, not both', 2],
  ])('%j → %s', async (args, message, exitCode = 1) => {
    const { code, output } = await bake(args);

    // A bad command line is a usage error (2); what AWS says about the values is an error (1).
    expect(code).toBe(exitCode);
    expect(output.stderr.join('\n')).toContain(message);
    expect(ec2).not.toHaveReceivedCommand(RunInstancesCommand);
  });

  it('refuses a Windows base image', async () => {
    IMAGES['ami-0eeeeeeeeeeeeeee1'] = {
      ImageId: 'ami-0eeeeeeeeeeeeeee1',
      Name: 'Windows_Server-2022',
      Platform: 'windows' as Image['Platform'],
      Architecture: 'x86_64',
      State: 'available',
      RootDeviceType: 'ebs',
    };

    const { code, output } = await bake(['--efs', EFS, '--base-ami', 'ami-0eeeeeeeeeeeeeee1']);

    expect(code).toBe(1);
    expect(output.stderr.join('\n')).toContain('is a Windows image');
    expect(ec2).not.toHaveReceivedCommand(RunInstancesCommand);
  });
});

describe('mnbatch ami bake --dry-run', () => {
  it('prints the plan and sends no mutating call', async () => {
    const { code, output } = await bake([...FULL, '--dry-run']);

    expect(code, output.text()).toBe(0);
    expect(ops().filter((o) => MUTATING.includes(o) || o === 'DescribeInstances')).toEqual([]);
    const text = output.stdout.join('\n');
    expect(text).toContain(`base AMI      ${BASE}`);
    expect(text).toContain('nr_cpus       36 (physical cores of c5n.18xlarge)');
    expect(text).toMatch(/user data {5}\d+ bytes \(EC2 limit 16384\)/);
    expect(text).toContain('"InstanceInitiatedShutdownBehavior": "stop"');
  });

  it('--json gives the whole RunInstances request, valid for EC2', async () => {
    const { code, output } = await bake([...FULL, '--dry-run', '--json']);

    expect(code, output.text()).toBe(0);
    const plan = JSON.parse(output.stdout.join('\n'));
    expect(plan).toMatchObject({ dryRun: true, builderType: 'm5.large', variables: { nrCpus: 36 } });
    assertValidRequest('ec2', 'RunInstances', plan.runInstances);
    expect(plan.userDataBytes).toBeLessThan(16 * 1024);
    expect(ops().filter((o) => MUTATING.includes(o))).toEqual([]);
  });
  it('passes --efs-tls, --mount-path and repeated --security-group through to the plan', async () => {
    const { code, output } = await bake([
      '--efs',
      EFS,
      '--efs-tls',
      '--mount-path',
      '/scratch',
      '--security-group',
      'sg-0aaa111',
      '--security-group',
      'sg-0bbb222',
      '--dry-run',
      '--json',
    ]);

    expect(code, output.text()).toBe(0);
    const plan = JSON.parse(output.stdout.join('\n'));
    expect(plan.variables).toEqual({
      efs: { fileSystemId: EFS, region: 'eu-west-1', mountPath: '/scratch', mode: 'efs-tls' },
      nrCpus: 'keep',
    });
    expect(plan.runInstances.SecurityGroupIds).toEqual(['sg-0aaa111', 'sg-0bbb222']);
    expect(plan.runInstances).not.toHaveProperty('SubnetId');
    const userData = Buffer.from(plan.runInstances.UserData, 'base64').toString('utf8');
    expect(userData).toContain('--mount-path /scratch --mount-mode efs-tls --nr-cpus keep --poweroff');
    assertValidRequest('ec2', 'RunInstances', plan.runInstances);
  });
});

describe('mnbatch ami bake --write-infra', () => {
  it('sets ami and hyperthreading in infra.yaml and keeps every other byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnbatch-ami-infra-'));
    try {
      writeFileSync(
        join(dir, 'infra.yaml'),
        '# my cluster\nstack: cfd # the stack name\nami: default\ninstanceTypes: [c5n.18xlarge]\n',
      );

      const { code, output } = await bake([...FULL, '--write-infra', 'infra.yaml'], { cwd: dir });

      expect(code, output.text()).toBe(0);
      expect(readFileSync(join(dir, 'infra.yaml'), 'utf8')).toBe(
        `# my cluster\nstack: cfd # the stack name\nami: ${BAKED}\ninstanceTypes: [c5n.18xlarge]\nhyperthreading: offViaAmi\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
