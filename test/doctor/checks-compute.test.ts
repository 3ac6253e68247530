import {
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
} from '@aws-sdk/client-ec2';
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { describe, expect, it } from 'vitest';
import {
  amiCheck,
  architectureCheck,
  efaCheck,
  familyPrefix,
  isStandardFamily,
  offeringsCheck,
  quotaCheck,
} from '../../src/doctor/checks-compute.js';
import { doctorFacts } from '../../src/doctor/input.js';
import { doctorMocks, healthy, infraConfig, sdkError, services, ZONE } from './_mock-sdk.js';

const { ec2Mock, quotasMock } = doctorMocks();

const SUBNET = { SubnetId: 'subnet-0b2', VpcId: 'vpc-0a1', AvailabilityZone: ZONE };
const factsOf = (infra: ReturnType<typeof infraConfig>) => doctorFacts(services(), { infra });

function quota(value: number) {
  quotasMock
    .on(GetServiceQuotaCommand)
    .resolves({ Quota: { ServiceCode: 'ec2', QuotaCode: 'L-1216C47A', Value: value } });
}

describe('quota', () => {
  it('is ok when the Standard On-Demand vCPU quota covers maxVcpus', async () => {
    healthy();
    expect(await quotaCheck(services(), infraConfig())).toMatchObject({
      status: 'ok',
      detail: 'On-Demand Standard vCPU quota 640 ≥ maxVcpus 288',
    });
    expect(quotasMock.commandCalls(GetServiceQuotaCommand)[0]?.args[0].input).toEqual({
      ServiceCode: 'ec2',
      QuotaCode: 'L-1216C47A',
    });
  });

  it('warns when maxVcpus is above the quota', async () => {
    quota(32);
    const result = await quotaCheck(services(), infraConfig());
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('maxVcpus is 288, the On-Demand Standard vCPU quota is 32');
  });

  it('fails when the job alone needs more vCPUs than the quota', async () => {
    quota(32);
    expect(await quotaCheck(services(), infraConfig(), 144)).toMatchObject({
      status: 'fail',
      detail: 'the job needs at least 144 vCPUs, the On-Demand Standard vCPU quota is 32',
    });
  });

  it('says which families it did not check (P, G, … have their own quotas)', async () => {
    quota(640);
    const result = await quotaCheck(
      services(),
      infraConfig({ instanceTypes: ['c5n.18xlarge', 'p4d.24xlarge'] }),
    );
    expect(result.detail).toContain('not checked for p4d.24xlarge (own quotas)');
    const gpuOnly = await quotaCheck(services(), infraConfig({ instanceTypes: ['p4d.24xlarge', 'g5'] }));
    expect(gpuOnly).toMatchObject({ status: 'skip', detail: 'vCPU quota not checked for p4d.24xlarge, g5' });
  });

  it('knows the Standard families', () => {
    expect(
      ['c5n.18xlarge', 'm7i', 'r6i.large', 'hpc7a.96xlarge', 'im4gn.large'].map(isStandardFamily),
    ).toEqual([true, true, true, false, true]);
    expect(familyPrefix('hpc7g.16xlarge')).toBe('hpc');
  });

  it('is skipped (by the runner) when Service Quotas is not allowed: the call throws AccessDenied', async () => {
    quotasMock.on(GetServiceQuotaCommand).rejects(sdkError('AccessDeniedException', 'no', 400));
    await expect(quotaCheck(services(), infraConfig())).rejects.toThrow(
      /not allowed to call servicequotas:GetServiceQuota/,
    );
  });
});

describe('instance-types', () => {
  it('is ok when every type is offered in the subnet’s zone', async () => {
    healthy();
    expect(await offeringsCheck(services(), infraConfig(), SUBNET)).toMatchObject({ status: 'ok' });
    expect(ec2Mock.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input).toEqual({
      LocationType: 'availability-zone',
      Filters: [
        { Name: 'location', Values: [ZONE] },
        { Name: 'instance-type', Values: ['c5n.18xlarge'] },
      ],
    });
  });

  it('fails naming the types not offered, families matched by any size', async () => {
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        { InstanceType: 'c6in.32xlarge', LocationType: 'availability-zone', Location: ZONE },
      ],
    });
    const result = await offeringsCheck(
      services(),
      infraConfig({ instanceTypes: ['c6in', 'hpc7a.96xlarge'] }),
      SUBNET,
    );
    expect(result).toMatchObject({ status: 'fail', detail: `hpc7a.96xlarge not offered in ${ZONE}` });
    expect(
      ec2Mock.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input.Filters?.[1]?.Values,
    ).toEqual(['c6in.*', 'hpc7a.96xlarge']);
  });

  it('given optimal only, then skipped without asking EC2', async () => {
    healthy();
    const infra = infraConfig({ instanceTypes: ['optimal'], efa: false });
    expect(await offeringsCheck(services(), infra, SUBNET)).toMatchObject({
      status: 'skip',
      detail: 'optimal: Batch picks the types',
    });
    expect(await architectureCheck(factsOf(infra))).toMatchObject({ status: 'skip' });
    expect(ec2Mock.commandCalls(DescribeInstanceTypeOfferingsCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(0);
  });
});

describe('efa', () => {
  it('is ok when the types support EFA', async () => {
    healthy();
    expect(await efaCheck(infraConfig(), factsOf(infraConfig()))).toMatchObject({ status: 'ok' });
  });

  it('fails for a type without EFA', async () => {
    healthy();
    const infra = infraConfig({ instanceTypes: ['c5.large'] });
    expect(await efaCheck(infra, factsOf(infra))).toMatchObject({
      status: 'fail',
      detail: 'c5.large do not support EFA',
    });
  });

  it('warns for a family of which only some sizes support EFA', async () => {
    healthy();
    const infra = infraConfig({ instanceTypes: ['c5n'] });
    expect(await efaCheck(infra, factsOf(infra))).toMatchObject({
      status: 'warn',
      detail: 'not every size supports EFA: c5n (only c5n.18xlarge, c5n.9xlarge, c5n.metal)',
    });
    // one request, the family as a filter value
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand).map((c) => c.args[0].input.Filters)).toEqual([
      [{ Name: 'instance-type', Values: ['c5n.*'] }],
    ]);
  });

  it('is skipped when efa is off', async () => {
    const infra = infraConfig({ efa: false });
    expect((await efaCheck(infra, factsOf(infra))).status).toBe('skip');
  });
});

describe('architecture', () => {
  it('names the one architecture of the types', async () => {
    healthy();
    const infra = infraConfig({ ami: 'ami-0d4' });
    expect(await architectureCheck(factsOf(infra))).toMatchObject({ status: 'ok', detail: 'x86_64' });
  });

  it('fails when the types mix x86_64 and arm64', async () => {
    healthy();
    const infra = infraConfig({ instanceTypes: ['c7g.16xlarge', 'c6i.32xlarge'] });
    expect((await architectureCheck(factsOf(infra))).detail).toBe(
      'instance types mix x86_64 (c6i.32xlarge) and arm64 (c7g.16xlarge)',
    );
  });

  it('fails when the AMI is of another architecture', async () => {
    healthy();
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [{ ImageId: 'ami-0d4', Architecture: 'arm64', State: 'available' }],
    });
    const infra = infraConfig({ ami: 'ami-0d4' });
    expect(await architectureCheck(factsOf(infra))).toMatchObject({
      status: 'fail',
      detail: 'the instance types are x86_64, AMI ami-0d4 is arm64',
    });
  });
});

describe('ami', () => {
  it('is ok for an available AMI id', async () => {
    healthy();
    const infra = infraConfig({ ami: 'ami-0d4' });
    expect(await amiCheck(services(), infra, factsOf(infra))).toMatchObject({
      status: 'ok',
      detail: 'ami-0d4 (mnbatch-baked, x86_64)',
    });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({ ImageIds: ['ami-0d4'] });
  });

  it('fails when EC2 does not know the id (it answers with an error)', async () => {
    ec2Mock
      .on(DescribeImagesCommand)
      .rejects(sdkError('InvalidAMIID.NotFound', "The image id '[ami-0d4]' does not exist"));
    const infra = infraConfig({ ami: 'ami-0d4' });
    expect(await amiCheck(services(), infra, factsOf(infra))).toMatchObject({
      status: 'fail',
      detail: 'ami-0d4 does not exist in us-east-1 (or is not shared with this account)',
    });
  });

  it('fails for an AMI that is not available', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-0d4', State: 'pending' }] });
    const infra = infraConfig({ ami: 'ami-0d4' });
    expect((await amiCheck(services(), infra, factsOf(infra))).detail).toBe('ami-0d4 is pending');
  });

  it('is skipped for ami: default', async () => {
    const infra = infraConfig();
    expect((await amiCheck(services(), infra, factsOf(infra))).status).toBe('skip');
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});

describe('quota values', () => {
  it('falls back to the AWS default when the account has no applied value', async () => {
    quotasMock
      .on(GetServiceQuotaCommand)
      .rejects(
        sdkError(
          'NoSuchResourceException',
          'The request failed because the specified service quota does not exist.',
        ),
      );
    quotasMock.on(GetAWSDefaultServiceQuotaCommand).resolves({
      Quota: { ServiceCode: 'ec2', QuotaCode: 'L-1216C47A', Value: 5 },
    });
    expect((await quotaCheck(services(), infraConfig())).detail).toContain(
      'the On-Demand Standard vCPU quota is 5',
    );
  });

  it('is skipped when Service Quotas knows neither value', async () => {
    quotasMock.on(GetServiceQuotaCommand).rejects(sdkError('NoSuchResourceException'));
    quotasMock.on(GetAWSDefaultServiceQuotaCommand).rejects(sdkError('NoSuchResourceException'));
    expect((await quotaCheck(services(), infraConfig())).status).toBe('skip');
  });
});
