import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeComputeEnvironmentsCommand, DescribeJobQueuesCommand } from '@aws-sdk/client-batch';
import {
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';
import { doctorMocks, healthy, jobYaml, sdkError, ZONE } from './_mock-sdk.js';

const { batchMock, ec2Mock, iamMock, quotasMock, stsMock } = doctorMocks();

const dir = mkdtempSync(join(tmpdir(), 'mnbatch-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INFRA = [
  'stack: demo',
  'region: us-east-1',
  'vpcId: vpc-0a1',
  'subnetId: subnet-0b2',
  'instanceTypes: [c5n.18xlarge]',
  'maxVcpus: 288',
  'ami: ami-0d4',
  'efa: true',
  '',
].join('\n');
writeFileSync(join(dir, 'infra.yaml'), INFRA);
writeFileSync(join(dir, 'job.yaml'), jobYaml());

async function doctor(...args: string[]) {
  const output = memoryOutput();
  const code = await exec(['doctor', ...args], { output, cwd: dir, env: {} });
  return { code, output };
}

/** Breaks nearly everything doctor checks, each in its own way. */
function broken(): void {
  healthy();
  iamMock.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
    EvaluationResults: input.ActionNames.map((a) => ({
      EvalActionName: a,
      EvalDecision: a === 'batch:CreateComputeEnvironment' ? 'implicitDeny' : 'allowed',
    })),
  }));
  iamMock.on(GetRoleCommand).rejects(sdkError('NoSuchEntityException', 'The role cannot be found.', 404));
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-private',
        Associations: [{ Main: false, SubnetId: 'subnet-0b2', RouteTableId: 'rtb-private' }],
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-0e5', State: 'active' }],
      },
    ],
  });
  ec2Mock.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  quotasMock
    .on(GetServiceQuotaCommand)
    .resolves({ Quota: { ServiceCode: 'ec2', QuotaCode: 'L-1216C47A', Value: 32 } });
  ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [] });
  ec2Mock.on(DescribeImagesCommand).resolves({
    Images: [{ ImageId: 'ami-0d4', Architecture: 'arm64', State: 'available', Name: 'arm' }],
  });
  batchMock.on(DescribeComputeEnvironmentsCommand).resolves({ computeEnvironments: [] });
  batchMock.on(DescribeJobQueuesCommand).resolves({ jobQueues: [] });
}

describe('mnbatch doctor', () => {
  it('on a healthy setup: every check ok (or skipped for a reason), exit 0', async () => {
    healthy();
    const { code, output } = await doctor('-f', 'infra.yaml', 'job.yaml');
    expect(output.stdout.at(-1)).toBe('0 failed, 0 warnings, 13 ok, 0 skipped');
    expect(code).toBe(0);
  });

  it('on a broken setup names every problem at once, each with its fix, and exits 1', async () => {
    broken();
    const { code, output } = await doctor('-f', 'infra.yaml', 'job.yaml', '--region', 'eu-west-1');
    expect(code).toBe(1);
    const statusOf = Object.fromEntries(
      output.stdout
        .filter((l) => /^(ok|warn|fail|skip) /.test(l))
        .map((l) => [l.split(/\s+/)[1], l.split(/\s+/)[0]]),
    );
    expect(statusOf).toEqual({
      identity: 'ok',
      region: 'fail',
      permissions: 'fail',
      'service-linked-role': 'warn',
      subnet: 'ok',
      route: 'warn',
      quota: 'fail',
      'instance-types': 'fail',
      efa: 'ok',
      architecture: 'fail',
      ami: 'ok',
      stack: 'fail',
      job: 'fail',
    });
    const text = output.stdout.join('\n');
    expect(text).toContain('is not allowed: batch:CreateComputeEnvironment');
    expect(text).toContain(`c5n.18xlarge not offered in ${ZONE}`);
    expect(text).toContain('the job needs at least 144 vCPUs, the On-Demand Standard vCPU quota is 32');
    expect(output.stdout.filter((l) => /^\s+fix: /.test(l))).toHaveLength(9);
    expect(output.stdout.at(-1)).toBe('7 failed, 2 warnings, 4 ok, 0 skipped');
  });

  it('without files checks the account only, against the submit policy', async () => {
    healthy();
    const { code, output } = await doctor('--region', 'us-east-1', '--json');
    const report = JSON.parse(output.stdout.join('\n')) as { checks: { check: string }[] };
    expect(report.checks.map((c) => c.check)).toEqual([
      'identity',
      'region',
      'permissions',
      'service-linked-role',
    ]);
    expect(code).toBe(0);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('--json prints the checks for scripts', async () => {
    broken();
    const { code, output } = await doctor('-f', 'infra.yaml', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(output.stdout.join('\n')) as {
      ok: boolean;
      summary: Record<string, number>;
      checks: { check: string; status: string; fix?: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.check === 'stack')).toEqual({
      check: 'stack',
      status: 'fail',
      detail: 'stack demo has no compute environment mnbatch-demo and job queue mnbatch-demo in us-east-1',
      fix: 'mnbatch infra up -f infra.yaml',
    });
    expect(report.checks.map((c) => c.check)).not.toContain('job');
  });

  it('without working credentials: identity fails, the AWS checks are skipped, exit 1', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(sdkError('ExpiredToken', 'The security token is expired', 403));
    const { code, output } = await doctor('-f', 'infra.yaml');
    expect(code).toBe(1);
    expect(output.stdout[0]).toMatch(/^fail {2}identity +AWS credentials expired or missing/);
    expect(output.stdout[1]).toMatch(/^ +fix: log in again, or choose other credentials/);
    expect(output.stdout.filter((l) => l.startsWith('skip'))).toHaveLength(10);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('credentials of another account than infra.yaml names fail identity; the other checks still run', async () => {
    healthy();
    writeFileSync(
      join(dir, 'other.yaml'),
      `${INFRA}roles:\n  instanceProfile: arn:aws:iam::210987654321:instance-profile/ecsInstanceRole\n`,
    );
    const { code, output } = await doctor('-f', 'other.yaml');
    expect(code).toBe(1);
    expect(output.stdout[0]).toMatch(/^fail {2}identity .* names roles of account 210987654321/);
    expect(output.stdout.at(-1)).toBe('1 failed, 0 warnings, 11 ok, 0 skipped');
  });

  it('a check whose call is not allowed is skipped with a note; the others still run', async () => {
    healthy();
    quotasMock
      .on(GetServiceQuotaCommand)
      .rejects(sdkError('AccessDeniedException', 'User is not authorized', 400));
    const { code, output } = await doctor('-f', 'infra.yaml', '--json');
    const report = JSON.parse(output.stdout.join('\n')) as {
      checks: { check: string; status: string; detail: string }[];
    };
    expect(report.checks.find((c) => c.check === 'quota')).toMatchObject({
      status: 'skip',
      detail: 'not checked: not allowed to call servicequotas:GetServiceQuota: User is not authorized',
    });
    expect(code).toBe(0);
  });

  it('with an invalid infra.yaml says where, and calls no AWS API', async () => {
    writeFileSync(join(dir, 'bad.yaml'), INFRA.replace('maxVcpus: 288', 'maxVcpus: lots'));
    const { code, output } = await doctor('-f', 'bad.yaml');
    expect(code).not.toBe(0);
    expect(output.stderr.join('\n')).toMatch(/bad\.yaml:6:\d+.*maxVcpus/);
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('checks the instance types of a family through DescribeInstanceTypes wildcards', async () => {
    healthy();
    writeFileSync(join(dir, 'family.yaml'), INFRA.replace('[c5n.18xlarge]', '[c5n]'));
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        { InstanceType: 'c5n.9xlarge', LocationType: 'availability-zone', Location: ZONE },
      ],
    });
    const { output } = await doctor('-f', 'family.yaml', '--json');
    const report = JSON.parse(output.stdout.join('\n')) as { checks: { check: string; status: string }[] };
    expect(report.checks.find((c) => c.check === 'instance-types')?.status).toBe('ok');
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'instance-type', Values: ['c5n.*'] }],
    });
  });
});
