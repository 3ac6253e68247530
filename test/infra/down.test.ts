import { describe, expect, it } from 'vitest';
import { infraDown } from '../../src/infra/down.js';
import { infraUp } from '../../src/infra/up.js';
import { memoryOutput } from '../../src/ui/output.js';
import { awsError, useFakeInfra } from '../_helpers/fake-aws-infra/index.js';
import { demoConfig } from './_config.js';

const fake = useFakeInfra();

async function fullStack() {
  const config = demoConfig(fake.state, { efs: 'create', s3Endpoint: true, roles: { create: true } });
  await infraUp(fake.services, config, {}, memoryOutput());
  fake.state.mutations.length = 0;
  return config;
}

const ops = (mutations: readonly string[]) => mutations.map((m) => m.split(' ')[0]);

describe('infra down', () => {
  it('deletes the stack in dependency order, disabling and waiting before each Batch delete', async () => {
    await fullStack();
    const before = fake.requests().length;
    const out = memoryOutput();

    const code = await infraDown(fake.services, 'demo', { yes: true }, out);

    expect(code).toBe(0);
    expect(ops(fake.state.mutations)).toEqual([
      'UpdateJobQueue',
      'DeleteJobQueue',
      'UpdateComputeEnvironment',
      'DeleteComputeEnvironment',
      'DeleteLaunchTemplate',
      'DeleteMountTarget',
      'DeleteFileSystem',
      'DeleteVpcEndpoints',
      'DeleteSecurityGroup',
      'DeletePlacementGroup',
      'RemoveRoleFromInstanceProfile',
      'DeleteInstanceProfile',
      'DetachRolePolicy',
      'DeleteRole',
      'DeleteRole',
      'DetachRolePolicy',
      'DeleteRole',
      'DeleteParameter',
    ]);
    expect(fake.state.ssmParameterInfo.size).toBe(0);
    expect(fake.state.mutations[0]).toBe('UpdateJobQueue mnbatch-demo DISABLED');
    // the queue is described (waiting for DISABLED) between disabling and deleting it, and until it is gone
    const sent = fake
      .requests()
      .slice(before)
      .map((r) => r.operation);
    const disable = sent.indexOf('UpdateJobQueue');
    const del = sent.indexOf('DeleteJobQueue');
    expect(sent.slice(disable + 1, del)).toContain('DescribeJobQueues');
    expect(sent.slice(del + 1, sent.indexOf('UpdateComputeEnvironment'))).toContain('DescribeJobQueues');
    // nothing of the stack is left
    expect(fake.state.jobQueues.size + fake.state.computeEnvironments.size).toBe(0);
    expect(
      fake.state.securityGroups.size + fake.state.placementGroups.size + fake.state.fileSystems.size,
    ).toBe(0);
    expect(fake.state.roles.size + fake.state.instanceProfiles.size + fake.state.endpoints.size).toBe(0);
    expect(out.stdout).toContain('stack demo deleted');
    // what down leaves on purpose is named, with how to find it
    expect(out.stdout.join('\n')).toContain(
      'aws resourcegroupstaggingapi get-resources --region us-east-1 --tag-filters Key=mnbatch:stack,Values=demo --resource-type-filters ecr:repository',
    );
  });

  it('deletes only resources tagged with the stack', async () => {
    await fullStack();
    // given resources of the same kinds that are not the stack's
    fake.state.placementGroups.set('theirs', {
      GroupName: 'theirs',
      GroupId: 'pg-0000000000000aaaa',
      Strategy: 'cluster',
      State: 'available',
      Tags: [{ Key: 'mnbatch:stack', Value: 'other' }],
    });
    fake.state.securityGroups.set('sg-0000000000000bbbb', {
      GroupId: 'sg-0000000000000bbbb',
      GroupName: 'default',
      VpcId: 'vpc-0a1b2c3d4e5f60718',
    });

    await infraDown(fake.services, 'demo', { yes: true }, memoryOutput());

    expect([...fake.state.placementGroups.keys()]).toEqual(['theirs']);
    expect([...fake.state.securityGroups.keys()]).toEqual(['sg-0000000000000bbbb']);
    expect(fake.state.mutations.join('\n')).not.toMatch(/theirs|bbbb/);
  });

  it('goes on after a failure, reports what it could not delete and exits non-zero; a second run finishes', async () => {
    await fullStack();
    fake.state.failures.set(
      'DeleteLaunchTemplate',
      awsError('UnauthorizedOperation', 'not allowed to delete lt'),
    );
    const out = memoryOutput();

    const code = await infraDown(fake.services, 'demo', { yes: true }, out);

    expect(code).toBe(1);
    expect(out.stderr.join('\n')).toMatch(
      /1 resource\(s\) of stack demo could not be deleted:\n\s+launch-template mnbatch-demo \(lt-\w+\): not allowed to call ec2:DeleteLaunchTemplate: not allowed to delete lt/,
    );
    expect(fake.state.launchTemplates.size).toBe(1);
    expect(fake.state.placementGroups.size).toBe(0);

    fake.state.mutations.length = 0;
    expect(await infraDown(fake.services, 'demo', { yes: true }, memoryOutput())).toBe(0);
    expect(ops(fake.state.mutations)).toEqual(['DeleteLaunchTemplate']);
  });

  it('deletes a compute environment that is INVALID (DeleteComputeEnvironment only needs it DISABLED)', async () => {
    // given a stack whose compute environment came up INVALID, as after a failed `infra up`
    fake.state.computeEnvironmentInvalidReason = 'CLIENT_ERROR - Instance profile ecsInstanceRole not found';
    await infraUp(fake.services, demoConfig(fake.state), {}, memoryOutput()).catch(() => undefined);
    expect([...fake.state.computeEnvironments.values()][0]?.status).toBe('INVALID');
    fake.state.mutations.length = 0;

    const code = await infraDown(fake.services, 'demo', { yes: true }, memoryOutput());

    expect(code).toBe(0);
    expect(ops(fake.state.mutations).slice(0, 2)).toEqual([
      'UpdateComputeEnvironment',
      'DeleteComputeEnvironment',
    ]);
    expect(fake.state.computeEnvironments.size).toBe(0);
  });

  it('retries a security group still held by network interfaces, within a bound', async () => {
    await fullStack();
    fake.state.failures.set('DeleteSecurityGroup', awsError('DependencyViolation', 'has a dependent object'));

    expect(await infraDown(fake.services, 'demo', { yes: true }, memoryOutput())).toBe(0);

    expect(fake.state.securityGroups.size).toBe(0);
  });

  it('needs --yes, and with --dry-run lists what it would delete and sends no mutating call', async () => {
    await fullStack();
    await expect(infraDown(fake.services, 'demo', {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_NEEDS_CONFIRMATION',
    });
    const out = memoryOutput();
    expect(await infraDown(fake.services, 'demo', { dryRun: true }, out)).toBe(0);
    expect(fake.state.mutations).toEqual([]);
    expect(out.stdout.join('\n')).toMatch(/-\s+job-queue\s+mnbatch-demo/);
    expect(out.stdout).toContain('dry run: nothing was deleted');
  });

  it('says so when there is nothing to delete', async () => {
    fake.state.seedNetwork();
    const out = memoryOutput();
    expect(await infraDown(fake.services, 'demo', { yes: true }, out)).toBe(0);
    expect(out.stdout).toEqual(['stack demo: nothing to delete in us-east-1']);
  });
});
