import {
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  type DescribeInstanceTypesCommandOutput,
  EC2Client,
  type InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { ec2FromClient } from '../../src/aws/ec2.js';
import {
  describeInstanceFacts,
  efaInterfacesPerCard,
  filterValueOf,
  instanceFactsOf,
} from '../../src/instances/facts.js';
import { assertValidRequest, assertValidResponse } from '../_helpers/aws-model.js';
import { describeInstanceTypesAnswer, instanceTypeInfo } from '../_helpers/instance-types.js';
import { sdkMock } from '../_helpers/sdk-mock.js';

const ec2Mock = sdkMock(EC2Client, 'ec2');
const ec2 = () =>
  ec2FromClient(
    new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  );

/** Answers like EC2 from the real entries, two a page, with request and answer checked against the model. */
function answer(input: DescribeInstanceTypesCommandInput): DescribeInstanceTypesCommandOutput {
  assertValidRequest('ec2', 'DescribeInstanceTypes', input);
  const output = describeInstanceTypesAnswer(input, 2);
  assertValidResponse('ec2', 'DescribeInstanceTypes', output);
  return output;
}

beforeEach(() => {
  ec2Mock.on(DescribeInstanceTypesCommand).callsFake(answer);
});

describe('instance facts from DescribeInstanceTypes', () => {
  it('given types and a family, when looked up, then one filtered request per page and facts by name', async () => {
    const facts = await describeInstanceFacts(ec2(), ['p4d.24xlarge', 'c5n', 'optimal', 'no-such.type']);
    expect([...facts.keys()].sort()).toEqual([
      'c5n.18xlarge',
      'c5n.2xlarge',
      'c5n.4xlarge',
      'c5n.9xlarge',
      'c5n.large',
      'c5n.metal',
      'c5n.xlarge',
      'p4d.24xlarge',
    ]);
    expect(facts.get('p4d.24xlarge')).toEqual({
      vcpus: 96,
      cores: 48,
      threadsPerCore: 2,
      memoryMiB: 1_179_648,
      gpus: 8,
      architectures: ['x86_64'],
      efaSupported: true,
      maxEfaInterfaces: 4,
      networkCards: 4,
    });
    const calls = ec2Mock.commandCalls(DescribeInstanceTypesCommand).map((c) => c.args[0].input);
    expect(calls[0]?.Filters).toEqual([
      { Name: 'instance-type', Values: ['p4d.24xlarge', 'c5n.*', 'no-such.type'] },
    ]);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, '2', '4', '6']);
  });

  it('given only bundles Batch picks from, then EC2 is not asked', async () => {
    expect((await describeInstanceFacts(ec2(), ['optimal', 'default_x86_64'])).size).toBe(0);
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(0);
  });

  it('given an entry without vCPUs or memory, then it is left out rather than guessed', () => {
    expect(instanceFactsOf({ InstanceType: 'x1.large' as InstanceTypeInfo['InstanceType'] })).toBeUndefined();
    expect(instanceFactsOf(instanceTypeInfo('c5n.large'))?.maxEfaInterfaces).toBe(0);
  });

  it('given the types with several network cards, then as many EFA interfaces as EC2 says (one per card)', () => {
    const of = (t: string) => instanceFactsOf(instanceTypeInfo(t));
    expect(of('p5.48xlarge')).toMatchObject({ efaSupported: true, maxEfaInterfaces: 32, networkCards: 32 });
    expect(of('trn1n.32xlarge')?.maxEfaInterfaces).toBe(16);
    expect(of('hpc7a.96xlarge')?.maxEfaInterfaces).toBe(2);
    expect(of('c5n.18xlarge')?.maxEfaInterfaces).toBe(1);
    const perCard = (t: string) => efaInterfacesPerCard(of(t) ?? { maxEfaInterfaces: -1, networkCards: -1 });
    expect(
      ['p5.48xlarge', 'p4d.24xlarge', 'hpc7a.96xlarge', 'c5n.18xlarge', 'c5n.large'].map(perCard),
    ).toEqual([32, 4, 2, 1, 0]);
  });

  it('given a type with more EFA interfaces than network cards, then one per card counts', () => {
    expect(efaInterfacesPerCard({ maxEfaInterfaces: 4, networkCards: 2 })).toBe(2);
    const info = instanceTypeInfo('c5n.18xlarge');
    const noCards = { ...info, NetworkInfo: { ...info.NetworkInfo, MaximumNetworkCards: undefined } };
    expect(instanceFactsOf(noCards)?.networkCards).toBe(1);
  });

  it('given an EFA type whose answer lacks EfaInfo, then one interface, not none', () => {
    const info = instanceTypeInfo('c5n.18xlarge');
    const bare = { ...info, NetworkInfo: { ...info.NetworkInfo, EfaInfo: undefined } };
    expect(instanceFactsOf(bare)?.maxEfaInterfaces).toBe(1);
  });

  it('given hyper-threading facts, then threads per core as EC2 says, else vCPUs over cores', () => {
    expect(instanceFactsOf(instanceTypeInfo('hpc7g.16xlarge'))).toMatchObject({
      cores: 64,
      threadsPerCore: 1,
    });
    const info = instanceTypeInfo('c5n.18xlarge');
    const noThreads = { ...info, VCpuInfo: { DefaultVCpus: 72, DefaultCores: 36 } };
    expect(instanceFactsOf(noThreads)?.threadsPerCore).toBe(2);
  });

  it('maps compute environment entries to filter values', () => {
    expect(['c5n.18xlarge', 'c5n', 'optimal', 'default_arm64', 'Bad*'].map(filterValueOf)).toEqual([
      'c5n.18xlarge',
      'c5n.*',
      undefined,
      undefined,
      undefined,
    ]);
  });
});
