import { CreateComputeEnvironmentCommand, DescribeComputeEnvironmentsCommand } from '@aws-sdk/client-batch';
import { CreateFileSystemCommand } from '@aws-sdk/client-efs';
import { describe, expect, it } from 'vitest';
import { infraUp } from '../../src/infra/up.js';
import { memoryOutput } from '../../src/ui/output.js';
import { useFakeInfra } from '../_helpers/fake-aws-infra/index.js';
import { demoConfig } from './_config.js';

const fake = useFakeInfra();

const MUTATING = /^(Create|Update|Delete|Authorize|Attach|Add|Remove|Detach|Modify|Run|Terminate|Stop)/;

describe('infra up on an empty account', () => {
  it('creates every resource in dependency order and waits until each is usable', async () => {
    // given a VPC with a private subnet and a stack with EFS and an S3 endpoint
    const config = demoConfig(fake.state, { efs: 'create', s3Endpoint: true });
    const out = memoryOutput();

    // when
    const code = await infraUp(fake.services, config, {}, out);

    // then
    expect(code).toBe(0);
    expect(fake.state.mutations.map((m) => m.split(' ')[0])).toEqual([
      'PutParameter',
      'CreatePlacementGroup',
      'CreateSecurityGroup',
      'AuthorizeSecurityGroupIngress',
      'CreateFileSystem',
      'CreateMountTarget',
      'CreateVpcEndpoint',
      'CreateLaunchTemplate',
      'CreateComputeEnvironment',
      'CreateJobQueue',
    ]);
    expect(fake.state.computeEnvironments.get('mnbatch-demo')).toMatchObject({
      status: 'VALID',
      state: 'ENABLED',
    });
    expect(fake.state.jobQueues.get('mnbatch-demo')).toMatchObject({ status: 'VALID', state: 'ENABLED' });
    expect(fake.state.mountTargets.size).toBe(1);
    expect([...fake.state.mountTargets.values()][0]?.LifeCycleState).toBe('available');
    expect(out.stdout.join('\n')).toContain('stack demo is ready: job queue mnbatch-demo');
  });

  it('builds a compute environment that MNP jobs can use: managed EC2, no Spot, one subnet, cluster placement group', async () => {
    const config = demoConfig(fake.state, { efs: 'create' });
    await infraUp(fake.services, config, {}, memoryOutput());

    const ce = fake.state.computeEnvironments.get('mnbatch-demo');
    const sg = [...fake.state.securityGroups.values()][0];
    expect(ce?.type).toBe('MANAGED');
    expect(ce?.computeResources).toMatchObject({
      type: 'EC2',
      minvCpus: 0,
      maxvCpus: 288,
      subnets: [config.subnetId],
      securityGroupIds: [sg?.GroupId],
      placementGroup: 'mnbatch-demo',
      // Batch picks the NVIDIA image for GPU instance types, the plain one for the others.
      ec2Configuration: [{ imageType: 'ECS_AL2023' }, { imageType: 'ECS_AL2023_NVIDIA' }],
      instanceRole: 'ecsInstanceRole',
    });
    expect(fake.state.placementGroups.get('mnbatch-demo')?.Strategy).toBe('cluster');
    // the security group lets the nodes talk to each other freely, and NFS for EFS
    expect(sg?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: '-1',
        UserIdGroupPairs: [expect.objectContaining({ GroupId: sg?.GroupId })],
      }),
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049 }),
    ]);
    // every resource carries the stack tag
    expect(fake.state.placementGroups.get('mnbatch-demo')?.Tags).toContainEqual({
      Key: 'mnbatch:stack',
      Value: 'demo',
    });
    expect(sg?.Tags).toContainEqual({ Key: 'mnbatch:stack', Value: 'demo' });
    expect([...fake.state.fileSystems.values()][0]?.Tags).toContainEqual({
      Key: 'mnbatch:stack',
      Value: 'demo',
    });
    expect(ce?.tags).toEqual({ 'mnbatch:stack': 'demo' });
    // without EFA the queue records that its instances have no EFA interface (submit reads it)
    expect(fake.state.jobQueues.get('mnbatch-demo')?.tags).toEqual({
      'mnbatch:stack': 'demo',
      'mnbatch:efa-interfaces': '0',
    });
  });

  it('puts MIME multipart user data in the launch template: EFS mount and hyper-threading off', async () => {
    const config = demoConfig(fake.state, { efs: 'create', hyperthreading: 'offViaUserData' });
    await infraUp(fake.services, config, {}, memoryOutput());

    const lt = [...fake.state.launchTemplates.values()][0];
    const userData = Buffer.from(lt?.versions[0]?.LaunchTemplateData?.UserData ?? '', 'base64').toString();
    const fsId = [...fake.state.fileSystems.keys()][0];
    expect(userData).toMatch(/^MIME-Version: 1.0\nContent-Type: multipart\/mixed; boundary="/);
    expect(userData).toContain(`${fsId}.efs.$region.amazonaws.com:/ /efs nfs4`);
    expect(userData).toContain('thread_siblings_list');
    expect(userData.trimEnd()).toMatch(/--$/);
  });

  it('with EFA puts the security group on an EFA interface of the launch template, not on the compute environment', async () => {
    const config = demoConfig(fake.state, { efa: true });
    await infraUp(fake.services, config, {}, memoryOutput());

    const sgId = [...fake.state.securityGroups.keys()][0];
    const lt = [...fake.state.launchTemplates.values()][0];
    expect(lt?.versions[0]?.LaunchTemplateData?.NetworkInterfaces).toEqual([
      expect.objectContaining({ DeviceIndex: 0, InterfaceType: 'efa', Groups: [sgId] }),
    ]);
    expect(
      fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.securityGroupIds,
    ).toBeUndefined();
  });

  it('creates the IAM roles and instance profile only when asked, and uses the profile', async () => {
    const config = demoConfig(fake.state, { roles: { create: true } });
    await infraUp(fake.services, config, {}, memoryOutput());

    expect([...fake.state.roles.keys()]).toEqual([
      'mnbatch-demo-instance',
      'mnbatch-demo-job',
      'mnbatch-demo-execution',
    ]);
    // the execution role is ECS's, and may read only the stack's parameters
    expect(
      JSON.parse(fake.state.roles.get('mnbatch-demo-execution')?.AssumeRolePolicyDocument ?? ''),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    // its permissions are the administrator's managed policy (test/infra/rendezvous-key.test.ts)
    expect(fake.state.attachedPolicies.get('mnbatch-demo-execution')).toEqual([
      'arn:aws:iam::123456789012:policy/mnbatch-demo-execution',
    ]);
    expect(fake.state.instanceProfiles.get('mnbatch-demo-instance')?.Roles?.[0]?.RoleName).toBe(
      'mnbatch-demo-instance',
    );
    expect(fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.instanceRole).toBe(
      'arn:aws:iam::123456789012:instance-profile/mnbatch-demo-instance',
    );
  });

  it('works for a user without IAM read access when the roles are given', async () => {
    fake.state.seedNetwork();
    fake.state.denied.add('GetRole');
    fake.state.denied.add('GetInstanceProfile');
    expect(await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput())).toBe(0);
    expect(fake.state.jobQueues.has('mnbatch-demo')).toBe(true);
  });

  it('warns when the subnet is public (MNP needs a private subnet with NAT)', async () => {
    fake.state.seedNetwork({ publicSubnet: true });
    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state), {}, out);
    expect(out.stderr.join('\n')).toMatch(/warning: subnet subnet-\w+ is public .*NAT gateway/);
  });
});

describe('infra up, run again', () => {
  it('sends no mutating call and says there is nothing to do', async () => {
    // given a complete stack
    const config = demoConfig(fake.state, { efs: 'create', s3Endpoint: true, roles: { create: true } });
    await infraUp(fake.services, config, {}, memoryOutput());
    const before = fake.requests().length;

    // when
    const out = memoryOutput();
    const code = await infraUp(fake.services, config, {}, out);

    // then
    expect(code).toBe(0);
    const second = fake.requests().slice(before);
    expect(second.filter((r) => MUTATING.test(r.operation))).toEqual([]);
    expect(out.stdout).toContain('nothing to do');
    expect(out.stdout.join('\n')).toMatch(/=\s+nothing\s+compute-environment/);
  });

  it('updates in place what can be updated (maxVcpus) and nothing else', async () => {
    await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput());
    fake.state.mutations.length = 0;

    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state, { maxVcpus: 576 }), {}, out);

    expect(fake.state.mutations).toEqual(['UpdateComputeEnvironment mnbatch-demo ENABLED']);
    expect(fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.maxvCpus).toBe(576);
    expect(out.stdout.join('\n')).toMatch(
      /~\s+update\s+compute-environment\s+mnbatch-demo.*maxvCpus 288 → 576/,
    );
  });
});

describe('infra up after an interrupted run', () => {
  it('creates only what is missing', async () => {
    // given a first run that failed right after the security group
    const config = demoConfig(fake.state, { efs: 'create' });
    fake.state.failures.set('CreateFileSystem', new Error('connection reset'));
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toThrow('connection reset');
    expect(fake.state.mutations.map((m) => m.split(' ')[0])).toEqual([
      'PutParameter',
      'CreatePlacementGroup',
      'CreateSecurityGroup',
      'AuthorizeSecurityGroupIngress',
    ]);
    fake.state.mutations.length = 0;

    // when
    await infraUp(fake.services, config, {}, memoryOutput());

    // then
    expect(fake.state.mutations.map((m) => m.split(' ')[0])).toEqual([
      'CreateFileSystem',
      'CreateMountTarget',
      'CreateLaunchTemplate',
      'CreateComputeEnvironment',
      'CreateJobQueue',
    ]);
  });

  it('adds the self rule to a security group created before the interruption', async () => {
    const config = demoConfig(fake.state);
    fake.state.failures.set('AuthorizeSecurityGroupIngress', new Error('throttled'));
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toThrow('throttled');
    fake.state.mutations.length = 0;

    await infraUp(fake.services, config, {}, memoryOutput());

    expect(fake.state.mutations[0]).toMatch(/^AuthorizeSecurityGroupIngress sg-/);
    expect(fake.state.mutations.filter((m) => m.startsWith('CreateSecurityGroup'))).toEqual([]);
  });

  it('waits for a file system still being created instead of creating another', async () => {
    const config = demoConfig(fake.state, { efs: 'create' });
    fake.state.failures.set('DescribeFileSystems', new Error('interrupted'));
    // the first DescribeFileSystems is the observation: let that one pass
    fake.state.failures.delete('DescribeFileSystems');
    fake.state.failures.set('CreateMountTarget', new Error('interrupted'));
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toThrow('interrupted');
    fake.state.mutations.length = 0;

    await infraUp(fake.services, config, {}, memoryOutput());

    expect(fake.state.mutations.filter((m) => m.startsWith('CreateFileSystem'))).toEqual([]);
    expect(fake.state.mutations[0]).toMatch(/^CreateMountTarget fs-/);
  });
});

describe('infra up after an interrupted down', () => {
  it('waits for a compute environment still being deleted, then creates it again', async () => {
    // given a stack whose queue is gone and whose compute environment is being deleted
    await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput());
    fake.state.jobQueues.clear();
    const ce = fake.state.computeEnvironments.get('mnbatch-demo');
    if (ce) Object.assign(ce, { status: 'DELETING', state: 'DISABLED' });
    fake.state.computeEnvironmentPending.set('mnbatch-demo', { polls: 3, next: undefined });
    fake.state.mutations.length = 0;

    // when
    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state), {}, out);

    // then
    expect(out.stdout.join('\n')).toMatch(/\+\s+create\s+compute-environment\s+mnbatch-demo\s+being deleted/);
    expect(fake.state.mutations).toEqual([
      'CreateComputeEnvironment mnbatch-demo',
      'CreateJobQueue mnbatch-demo',
    ]);
    expect(fake.state.computeEnvironments.get('mnbatch-demo')?.status).toBe('VALID');
  });
});

describe('infra up with a resource in the way', () => {
  it('refuses a compute environment of the same name that is not part of the stack, and creates nothing', async () => {
    // given someone else's compute environment named like ours
    fake.state.computeEnvironments.set('mnbatch-demo', {
      computeEnvironmentName: 'mnbatch-demo',
      computeEnvironmentArn: 'arn:aws:batch:us-east-1:123456789012:compute-environment/mnbatch-demo',
      type: 'MANAGED',
      status: 'VALID',
      state: 'ENABLED',
      ecsClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/x',
    });

    // when / then
    const err = await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput()).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'INFRA_CONFLICT' });
    expect((err as { details: string[] }).details.join('\n')).toMatch(
      /compute environment mnbatch-demo .* is not part of stack demo: it has no mnbatch:stack tag/,
    );
    expect(fake.state.mutations).toEqual([]);
  });

  it('refuses a placement group that belongs to another stack', async () => {
    fake.state.placementGroups.set('mnbatch-demo', {
      GroupName: 'mnbatch-demo',
      GroupId: 'pg-0123456789abcdef0',
      Strategy: 'cluster',
      State: 'available',
      Tags: [{ Key: 'mnbatch:stack', Value: 'other' }],
    });
    await expect(infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_CONFLICT',
      details: [expect.stringContaining('it belongs to stack other')],
    });
    expect(fake.state.mutations).toEqual([]);
  });
});

describe('infra up waiting for slow resources', () => {
  it('waits while the EFS mount target stays creating for several polls, then goes on', async () => {
    fake.state.mountTargetCreatingPolls = 6;
    const code = await infraUp(fake.services, demoConfig(fake.state, { efs: 'create' }), {}, memoryOutput());
    expect(code).toBe(0);
    // backoff: the sleeps grow
    expect(fake.clock.sleeps.join(',')).toContain('2000,4000,8000,16000');
    expect(fake.state.mutations.at(-1)).toBe('CreateJobQueue mnbatch-demo');
  });

  it('gives up with a clear error when the mount target stays creating past the bound', async () => {
    fake.state.mountTargetCreatingPolls = 10_000;
    const err = await infraUp(
      fake.services,
      demoConfig(fake.state, { efs: 'create' }),
      {},
      memoryOutput(),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INFRA_WAIT_TIMEOUT' });
    expect((err as Error).message).toMatch(
      /gave up waiting for EFS mount target fsmt-\w+ after 900 s \(still creating\)/,
    );
    expect(fake.clock.now()).toBeLessThan(16 * 60_000);
    // nothing after the mount target was attempted
    expect(fake.state.mutations.filter((m) => m.startsWith('CreateComputeEnvironment'))).toEqual([]);
  });

  it('fails with the statusReason of an INVALID compute environment', async () => {
    fake.state.computeEnvironmentInvalidReason =
      'CLIENT_ERROR - Instance profile arn:aws:iam::123456789012:instance-profile/ecsInstanceRole not found';
    await expect(infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_BATCH_INVALID',
      message: expect.stringMatching(
        /compute environment mnbatch-demo is INVALID: CLIENT_ERROR - Instance profile .* not found/,
      ),
    });
    expect(fake.state.jobQueues.size).toBe(0);
  });
});

describe('infra up interrupted by Ctrl-C', () => {
  it('stops waiting at once, keeps what exists, and the next run goes on from there', async () => {
    // given a mount target that takes long, and Ctrl-C during the wait
    fake.state.mountTargetCreatingPolls = 100;
    const ctrlC = new AbortController();
    const clock = {
      now: () => fake.clock.now(),
      sleep: async (ms: number) => {
        await fake.clock.sleep(ms);
        if (fake.clock.sleeps.length === 4) ctrlC.abort();
      },
    };
    const services = { ...fake.services, clock, signal: ctrlC.signal };

    // when / then
    await expect(
      infraUp(services, demoConfig(fake.state, { efs: 'create' }), {}, memoryOutput()),
    ).rejects.toMatchObject({
      code: 'INTERRUPTED',
      exitCode: 130,
      message: expect.stringMatching(/^interrupted while waiting for EFS mount target fsmt-/),
    });
    expect(fake.clock.sleeps).toHaveLength(4);
    expect(fake.state.computeEnvironments.size).toBe(0);

    fake.state.mutations.length = 0;
    fake.state.mountTargetPending.forEach((p) => {
      p.polls = 0;
    });
    await infraUp(fake.services, demoConfig(fake.state, { efs: 'create' }), {}, memoryOutput());
    expect(fake.state.mutations.map((m) => m.split(' ')[0])).toEqual([
      'CreateLaunchTemplate',
      'CreateComputeEnvironment',
      'CreateJobQueue',
    ]);
  });
});

describe('infra up --dry-run', () => {
  it('prints the plan and sends no mutating call', async () => {
    const out = memoryOutput();
    const code = await infraUp(
      fake.services,
      demoConfig(fake.state, { efs: 'create', s3Endpoint: true }),
      { dryRun: true },
      out,
    );
    expect(code).toBe(0);
    expect(fake.requests().filter((r) => MUTATING.test(r.operation))).toEqual([]);
    expect(fake.stub('batch')).not.toHaveReceivedCommand(CreateComputeEnvironmentCommand);
    expect(fake.stub('efs')).not.toHaveReceivedCommand(CreateFileSystemCommand);
    expect(fake.stub('batch')).toHaveReceivedCommandWith(DescribeComputeEnvironmentsCommand, {
      computeEnvironments: ['mnbatch-demo'],
    });
    const text = out.stdout.join('\n');
    for (const kind of [
      'placement-group',
      'security-group',
      'file-system',
      'mount-target',
      's3-endpoint',
      'launch-template',
      'compute-environment',
      'job-queue',
    ])
      expect(text).toMatch(new RegExp(`\\+\\s+create\\s+${kind}`));
    expect(text).toContain('dry run: nothing was changed');
  });
});

describe('infra up when a resource is no longer wanted', () => {
  it('shows the deletion, does it only with --yes, and updates what referred to it', async () => {
    await infraUp(fake.services, demoConfig(fake.state, { efs: 'create' }), {}, memoryOutput());
    fake.state.mutations.length = 0;

    const out = memoryOutput();
    await expect(
      infraUp(fake.services, demoConfig(fake.state, { efs: 'none' }), {}, out),
    ).rejects.toMatchObject({
      code: 'INFRA_NEEDS_CONFIRMATION',
    });
    expect(out.stdout.join('\n')).toMatch(/-\s+delete\s+file-system\s+mnbatch-demo\s+fs-\w+\s+efs: none/);
    expect(fake.state.mutations).toEqual([]);

    await infraUp(fake.services, demoConfig(fake.state, { efs: 'none' }), { yes: true }, memoryOutput());
    expect(fake.state.mutations.map((m) => m.split(' ')[0])).toEqual([
      'DeleteMountTarget',
      'DeleteFileSystem',
      'CreateLaunchTemplateVersion',
      'UpdateComputeEnvironment',
    ]);
    const lt = [...fake.state.launchTemplates.values()][0];
    expect(lt?.versions.at(-1)?.LaunchTemplateData?.UserData).toBeUndefined();
    expect(
      fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.launchTemplate?.version,
    ).toBe('2');
  });
});

describe('infra up with a change that needs replacement', () => {
  it('recreates a compute environment left INVALID (e.g. a new instance profile not yet visible), only with --yes', async () => {
    // given an `up` whose compute environment came up INVALID
    fake.state.computeEnvironmentInvalidReason = 'CLIENT_ERROR - Instance profile not found';
    await expect(infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_BATCH_INVALID',
    });
    // and the cause gone since (IAM caught up)
    fake.state.computeEnvironmentInvalidReason = undefined;
    fake.state.mutations.length = 0;

    // when `up` runs again, it shows the recreation and waits for --yes
    const out = memoryOutput();
    await expect(infraUp(fake.services, demoConfig(fake.state), {}, out)).rejects.toMatchObject({
      code: 'INFRA_NEEDS_CONFIRMATION',
    });
    expect(out.stdout.join('\n')).toMatch(
      /!\s+replace\s+compute-environment\s+mnbatch-demo.*INVALID \(CLIENT_ERROR - Instance profile not found\)/,
    );
    expect(fake.state.mutations).toEqual([]);

    // then with --yes it is recreated, VALID, and the queue is made
    await infraUp(fake.services, demoConfig(fake.state), { yes: true }, memoryOutput());
    expect(fake.state.computeEnvironments.get('mnbatch-demo')?.status).toBe('VALID');
    expect(fake.state.mutations.filter((m) => m.startsWith('Create'))).toEqual([
      'CreateComputeEnvironment mnbatch-demo',
      'CreateJobQueue mnbatch-demo',
    ]);
  });

  it('replaces a Spot compute environment of the stack (MNP jobs cannot run on Spot), and its queue', async () => {
    await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput());
    const ce = fake.state.computeEnvironments.get('mnbatch-demo');
    if (ce?.computeResources) ce.computeResources.type = 'SPOT';
    fake.state.mutations.length = 0;

    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state), { yes: true }, out);

    expect(out.stdout.join('\n')).toMatch(
      /!\s+replace\s+compute-environment\s+mnbatch-demo.*compute type SPOT → EC2/,
    );
    expect(out.stdout.join('\n')).toMatch(
      /!\s+replace\s+job-queue\s+mnbatch-demo.*its compute environment is replaced/,
    );
    expect(fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.type).toBe('EC2');
    expect(fake.state.mutations.filter((m) => m.startsWith('Create'))).toEqual([
      'CreateComputeEnvironment mnbatch-demo',
      'CreateJobQueue mnbatch-demo',
    ]);
  });

  it('shows the replacement and does it only with --yes', async () => {
    await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput());
    const pg = fake.state.placementGroups.get('mnbatch-demo');
    if (pg) pg.Strategy = 'spread';
    fake.state.mutations.length = 0;

    const out = memoryOutput();
    await expect(infraUp(fake.services, demoConfig(fake.state), {}, out)).rejects.toMatchObject({
      code: 'INFRA_NEEDS_CONFIRMATION',
    });
    expect(out.stdout.join('\n')).toMatch(
      /!\s+replace\s+placement-group\s+mnbatch-demo.*strategy spread → cluster/,
    );
    expect(fake.state.mutations).toEqual([]);

    await infraUp(fake.services, demoConfig(fake.state), { yes: true }, memoryOutput());
    expect(fake.state.placementGroups.get('mnbatch-demo')?.Strategy).toBe('cluster');
    // the compute environment and queue that use the placement group are rebuilt around it
    expect(fake.state.mutations.map((m) => m.split(' ')[0])).toEqual([
      'UpdateJobQueue',
      'DeleteJobQueue',
      'UpdateComputeEnvironment',
      'DeleteComputeEnvironment',
      'DeletePlacementGroup',
      'CreatePlacementGroup',
      'CreateComputeEnvironment',
      'CreateJobQueue',
    ]);
  });
});
