import type { DescribeInstanceTypesCommandInput, InstanceTypeInfo } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { describeInstanceType, nrCpusFor } from '../../src/ami/instance-type.js';
import { describeInstanceTypesAnswer, instanceTypeInfo } from '../_helpers/instance-types.js';

/** EC2's DescribeInstanceTypes by name over the real entries, with `extra` entries. */
function ec2(extra: InstanceTypeInfo[] = []) {
  return {
    describeInstanceTypes: async (input: DescribeInstanceTypesCommandInput) => [
      ...(describeInstanceTypesAnswer(input).InstanceTypes ?? []),
      ...extra.filter((i) => input.InstanceTypes?.includes(i.InstanceType!)),
    ],
  };
}

describe('the instance type an AMI is baked for (shared instance facts)', () => {
  it("given a real answer, then EC2's cores, threads and architectures, and nr_cpus the physical cores", async () => {
    const target = await describeInstanceType(ec2(), 'c5n.18xlarge');
    expect(target).toMatchObject({
      instanceType: 'c5n.18xlarge',
      vcpus: 72,
      cores: 36,
      threadsPerCore: 2,
      architectures: ['x86_64'],
    });
    expect(nrCpusFor(target, true)).toBe(36);
    expect(nrCpusFor(target, false)).toBe('keep');
    expect((await describeInstanceType(ec2(), 'hpc7g.16xlarge')).architectures).toEqual(['arm64']);
  });

  it('given a type that runs no ECS-optimized Linux AMI (a Mac), then a clear error naming its architectures', async () => {
    const mac = {
      ...instanceTypeInfo('c5n.metal'),
      InstanceType: 'mac1.metal',
      ProcessorInfo: { SupportedArchitectures: ['x86_64_mac'] },
    } as InstanceTypeInfo;
    await expect(describeInstanceType(ec2([mac]), 'mac1.metal')).rejects.toMatchObject({
      code: 'AMI_UNSUPPORTED_INSTANCE_TYPE',
      message: "instance type 'mac1.metal' cannot run an ECS-optimized Linux AMI (architectures: x86_64_mac)",
    });
  });

  it('given a type EC2 does not list, then unknown in this region', async () => {
    await expect(describeInstanceType(ec2(), 'zz9.large')).rejects.toMatchObject({
      code: 'AMI_UNKNOWN_INSTANCE_TYPE',
    });
  });
});
