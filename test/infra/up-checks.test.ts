import { DescribeInstanceTypesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { infraUp } from '../../src/infra/up.js';
import { memoryOutput } from '../../src/ui/output.js';
import { useFakeInfra } from '../_helpers/fake-aws-infra/index.js';
import { demoConfig } from './_config.js';

const fake = useFakeInfra();

describe('infra up checks the account before planning', () => {
  it('refuses a subnet of another VPC', async () => {
    fake.state.seedNetwork();
    const config = demoConfig(fake.state, { vpcId: 'vpc-0ffffffffffffffff' });
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_SUBNET',
      message: expect.stringMatching(
        /subnet subnet-\w+ is in vpc-0a1b2c3d4e5f60718, not in vpc-0ffffffffffffffff/,
      ),
    });
    expect(fake.state.mutations).toEqual([]);
  });

  it('refuses EFA on an instance type without EFA', async () => {
    const config = demoConfig(fake.state, { efa: true, instanceTypes: ['m5.large'] });
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_INSTANCE_TYPE',
      message: 'efa: true, but m5.large do not support EFA',
    });
  });

  it('refuses an instance type or family EC2 does not know, before changing anything', async () => {
    const config = demoConfig(fake.state, { instanceTypes: ['c5n.18xlarge', 'zz9.large', 'zz9'] });
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_INSTANCE_TYPE',
      message: 'zz9.large, zz9: no such instance type in us-east-1',
    });
    expect(fake.state.mutations).toEqual([]);
  });

  it('takes a family with EFA sizes for efa: true, and asks EC2 by filter (family.*)', async () => {
    const config = demoConfig(fake.state, { efa: true, instanceTypes: ['c5n', 'hpc7g.16xlarge', 'optimal'] });
    await infraUp(fake.services, config, {}, memoryOutput());
    const asked = fake
      .stub('ec2')
      .commandCalls(DescribeInstanceTypesCommand)
      .map((c) => c.args[0].input);
    expect(asked.at(-1)?.Filters).toEqual([{ Name: 'instance-type', Values: ['c5n.*', 'hpc7g.16xlarge'] }]);
    expect(fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.instanceTypes).toEqual([
      'c5n',
      'hpc7g.16xlarge',
      'optimal',
    ]);
  });

  it('uses a baked AMI that exists, and refuses one that does not', async () => {
    await infraUp(
      fake.services,
      demoConfig(fake.state, { ami: 'ami-0b0b0000000000001' }),
      {},
      memoryOutput(),
    );
    expect(fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.ec2Configuration).toEqual([
      { imageType: 'ECS_AL2023', imageIdOverride: 'ami-0b0b0000000000001' },
    ]);
    await expect(
      infraUp(fake.services, demoConfig(fake.state, { ami: 'ami-0404040404040404' }), {}, memoryOutput()),
    ).rejects.toMatchObject({ code: 'INFRA_AMI' });
  });

  it('updates a compute environment without the GPU image type, so GPU instances get NVIDIA drivers', async () => {
    // given a stack whose compute environment lists only the non-GPU AL2023 image
    await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput());
    const ce = fake.state.computeEnvironments.get('mnbatch-demo')!;
    ce.computeResources = { ...ce.computeResources!, ec2Configuration: [{ imageType: 'ECS_AL2023' }] };
    fake.state.mutations.length = 0;

    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state), {}, out);

    expect(out.stdout.join('\n')).toMatch(/image types ECS_AL2023 → ECS_AL2023,ECS_AL2023_NVIDIA/);
    expect(fake.state.mutations).toContain('UpdateComputeEnvironment mnbatch-demo ENABLED');
    expect(ce.computeResources?.ec2Configuration).toEqual([
      { imageType: 'ECS_AL2023' },
      { imageType: 'ECS_AL2023_NVIDIA' },
    ]);
  });

  it('names the current ECS-optimized AMI when the default is used', async () => {
    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state), { dryRun: true }, out);
    expect(out.stdout[0]).toBe(
      'stack demo in us-east-1, AMI: ECS-optimized Amazon Linux 2023 chosen by Batch (currently ami-0ecs0al2023000000)',
    );
  });
});

describe('infra up with an existing EFS file system', () => {
  function existingFileSystem(withMountTarget: boolean): string {
    const net = fake.state.seedNetwork();
    fake.state.fileSystems.set('fs-0e0e0e0e0e0e0e0e0', {
      FileSystemId: 'fs-0e0e0e0e0e0e0e0e0',
      OwnerId: '123456789012',
      CreationToken: 'someone-else',
      CreationTime: new Date(0),
      LifeCycleState: 'available',
      NumberOfMountTargets: withMountTarget ? 1 : 0,
      SizeInBytes: { Value: 0 },
      PerformanceMode: 'generalPurpose',
      Tags: [],
    });
    if (withMountTarget)
      fake.state.mountTargets.set('fsmt-0e0e0e0e0e0e0e0e0', {
        MountTargetId: 'fsmt-0e0e0e0e0e0e0e0e0',
        FileSystemId: 'fs-0e0e0e0e0e0e0e0e0',
        SubnetId: net.subnetId,
        AvailabilityZoneId: 'use1-az1',
        LifeCycleState: 'available',
      });
    return 'fs-0e0e0e0e0e0e0e0e0';
  }

  it('mounts it through the existing mount target and never touches it', async () => {
    const fsId = existingFileSystem(true);
    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state, { efs: fsId }), {}, out);

    expect(fake.state.mutations.filter((m) => /FileSystem|MountTarget/.test(m))).toEqual([]);
    expect(out.stdout.join('\n')).toMatch(/=\s+nothing\s+mount-target.*not managed by the stack/);
    const lt = [...fake.state.launchTemplates.values()][0];
    expect(Buffer.from(lt?.versions[0]?.LaunchTemplateData?.UserData ?? '', 'base64').toString()).toContain(
      `${fsId}.efs.$region.amazonaws.com:/ /efs nfs4`,
    );

    // and down leaves it alone
    fake.state.mutations.length = 0;
    const { infraDown } = await import('../../src/infra/down.js');
    await infraDown(fake.services, 'demo', { yes: true }, memoryOutput());
    expect(fake.state.fileSystems.has(fsId)).toBe(true);
    expect(fake.state.mountTargets.has('fsmt-0e0e0e0e0e0e0e0e0')).toBe(true);
  });

  it('says what to do when it has no mount target in the subnet zone', async () => {
    const fsId = existingFileSystem(false);
    await expect(
      infraUp(fake.services, demoConfig(fake.state, { efs: fsId }), {}, memoryOutput()),
    ).rejects.toMatchObject({
      code: 'INFRA_CONFLICT',
      details: [
        `file system ${fsId} has no mount target in the subnet's zone use1-az1: create one, or use efs: create`,
      ],
    });
  });
});

describe('infra up with an S3 gateway endpoint that is not the stack', () => {
  it('leaves an endpoint already on the route table alone', async () => {
    const net = fake.state.seedNetwork();
    fake.state.endpoints.set('vpce-0d0d0d0d0d0d0d0d0', {
      VpcEndpointId: 'vpce-0d0d0d0d0d0d0d0d0',
      VpcEndpointType: 'Gateway',
      VpcId: net.vpcId,
      ServiceName: 'com.amazonaws.us-east-1.s3',
      RouteTableIds: [net.routeTableId],
      State: 'Available',
    });
    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state, { s3Endpoint: true }), {}, out);

    expect(fake.state.mutations.filter((m) => m.startsWith('CreateVpcEndpoint'))).toEqual([]);
    expect(out.stdout.join('\n')).toMatch(
      /already has S3 endpoint vpce-0d0d0d0d0d0d0d0d0 \(not managed by the stack\)/,
    );
  });
});
