import {
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesCommandInput,
  type DescribeInstanceTypesCommandOutput,
  EC2Client,
  type InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ec2FromClient } from '../../src/aws/ec2.js';
import { describeInstanceFacts, filterValueOf, instanceFactsOf } from '../../src/instances/facts.js';
import { assertValidRequest, assertValidResponse } from '../_helpers/aws-model.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = () =>
  ec2FromClient(
    new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  );

/** An entry of DescribeInstanceTypes as EC2 answers it (the members mnbatch reads). */
function info(
  type: string,
  vcpus: number,
  mib: number,
  extra: Partial<InstanceTypeInfo> = {},
): InstanceTypeInfo {
  return {
    InstanceType: type as InstanceTypeInfo['InstanceType'],
    VCpuInfo: { DefaultVCpus: vcpus, DefaultCores: vcpus / 2, DefaultThreadsPerCore: 2 },
    MemoryInfo: { SizeInMiB: mib },
    ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
    NetworkInfo: { EfaSupported: false },
    ...extra,
  };
}

const CATALOG: InstanceTypeInfo[] = [
  info('c5n.9xlarge', 36, 98_304, {
    NetworkInfo: { EfaSupported: true, EfaInfo: { MaximumEfaInterfaces: 1 } },
  }),
  info('c5n.18xlarge', 72, 196_608, {
    NetworkInfo: { EfaSupported: true, EfaInfo: { MaximumEfaInterfaces: 1 } },
  }),
  info('c5n.large', 2, 5_376),
  info('p4d.24xlarge', 96, 1_179_648, {
    GpuInfo: { Gpus: [{ Name: 'A100', Manufacturer: 'NVIDIA', Count: 8 }] },
    NetworkInfo: { EfaSupported: true, EfaInfo: { MaximumEfaInterfaces: 4 } },
  }),
];

/** Answers like EC2: the filter's values (exact or `family.*`), two entries a page. */
function answer(input: DescribeInstanceTypesCommandInput): DescribeInstanceTypesCommandOutput {
  assertValidRequest('ec2', 'DescribeInstanceTypes', input);
  const values = input.Filters?.find((f) => f.Name === 'instance-type')?.Values ?? [];
  const matches = CATALOG.filter((i) =>
    values.some((v) =>
      v.endsWith('.*') ? i.InstanceType?.startsWith(v.slice(0, -1)) : i.InstanceType === v,
    ),
  );
  const start = Number(input.NextToken ?? 0);
  const page = matches.slice(start, start + 2);
  const output = {
    InstanceTypes: page,
    ...(start + 2 < matches.length ? { NextToken: String(start + 2) } : {}),
    $metadata: {},
  };
  assertValidResponse('ec2', 'DescribeInstanceTypes', output);
  return output;
}

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeInstanceTypesCommand).callsFake(answer);
});
afterEach(() => ec2Mock.reset());

describe('instance facts from DescribeInstanceTypes', () => {
  it('given types and a family, when looked up, then one filtered request per page and facts by name', async () => {
    const facts = await describeInstanceFacts(ec2(), ['p4d.24xlarge', 'c5n', 'optimal', 'no-such.type']);
    expect([...facts.keys()].sort()).toEqual(['c5n.18xlarge', 'c5n.9xlarge', 'c5n.large', 'p4d.24xlarge']);
    expect(facts.get('p4d.24xlarge')).toEqual({
      vcpus: 96,
      cores: 48,
      memoryMiB: 1_179_648,
      gpus: 8,
      architectures: ['x86_64'],
      efaSupported: true,
      maxEfaInterfaces: 4,
    });
    const calls = ec2Mock.commandCalls(DescribeInstanceTypesCommand).map((c) => c.args[0].input);
    expect(calls[0]?.Filters).toEqual([
      { Name: 'instance-type', Values: ['p4d.24xlarge', 'c5n.*', 'no-such.type'] },
    ]);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, '2']);
  });

  it('given only bundles Batch picks from, then EC2 is not asked', async () => {
    expect((await describeInstanceFacts(ec2(), ['optimal', 'default_x86_64'])).size).toBe(0);
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(0);
  });

  it('given an entry without vCPUs or memory, then it is left out rather than guessed', () => {
    expect(instanceFactsOf({ InstanceType: 'x1.large' as InstanceTypeInfo['InstanceType'] })).toBeUndefined();
    expect(instanceFactsOf(info('c5n.large', 2, 5_376))?.maxEfaInterfaces).toBe(0);
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
