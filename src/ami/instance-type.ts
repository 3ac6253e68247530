/**
 * The instance type an AMI is baked for: its physical cores (what `nr_cpus` is set to when
 * hyper-threading goes off) and the architectures it runs, from DescribeInstanceTypes.
 */

import type { _InstanceType } from '@aws-sdk/client-ec2';
import type { Ec2 } from '../aws/ec2.js';
import { awsErrorName } from '../aws/errors.js';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';

/** Architectures an ECS-optimized AMI exists for. */
export type Architecture = 'x86_64' | 'arm64';

/** What the bake needs to know about an instance type. */
export interface InstanceTypeFacts {
  readonly instanceType: string;
  readonly vcpus: number;
  /** Physical cores (VCpuInfo.DefaultCores). */
  readonly cores: number;
  readonly threadsPerCore: number;
  readonly architectures: readonly Architecture[];
}

/** Looks `instanceType` up; a clear error when the region has no such type. */
export async function describeInstanceType(
  ec2: Pick<Ec2, 'describeInstanceTypes'>,
  instanceType: string,
): Promise<InstanceTypeFacts> {
  let infos: Awaited<ReturnType<Ec2['describeInstanceTypes']>>;
  try {
    infos = await ec2.describeInstanceTypes({ InstanceTypes: [instanceType as _InstanceType] });
  } catch (e) {
    if (awsErrorName(e) === 'InvalidInstanceType') infos = [];
    else throw e;
  }
  const info = infos.find((i) => i.InstanceType === instanceType);
  if (!info) {
    throw new MnbatchError(
      'AMI_UNKNOWN_INSTANCE_TYPE',
      `unknown instance type '${instanceType}' in this region`,
      {
        details: ['check the name (e.g. c5n.18xlarge, hpc7g.16xlarge) and --region'],
      },
    );
  }
  const vcpus = info.VCpuInfo?.DefaultVCpus;
  const cores = info.VCpuInfo?.DefaultCores ?? vcpus;
  const architectures = (info.ProcessorInfo?.SupportedArchitectures ?? []).filter(
    (a): a is Architecture => a === 'x86_64' || a === 'arm64',
  );
  if (!vcpus || !cores || architectures.length === 0) {
    throw new MnbatchError(
      'AMI_UNSUPPORTED_INSTANCE_TYPE',
      `instance type '${instanceType}' cannot run an ECS-optimized Linux AMI (architectures: ${(info.ProcessorInfo?.SupportedArchitectures ?? []).join(', ') || 'none'})`,
    );
  }
  return {
    instanceType,
    vcpus,
    cores,
    threadsPerCore: info.VCpuInfo?.DefaultThreadsPerCore ?? Math.max(1, Math.round(vcpus / cores)),
    architectures,
  };
}

/** The `nr_cpus` to bake: the physical cores with hyper-threading off, else keep the command line. */
export function nrCpusFor(facts: InstanceTypeFacts | undefined, hyperthreadingOff: boolean): number | 'keep' {
  if (!hyperthreadingOff) return 'keep';
  if (!facts) {
    throw new MnbatchError(
      'AMI_NEEDS_INSTANCE_TYPE',
      '--no-ht needs --instance-type: nr_cpus is that type’s core count',
      { exitCode: EXIT.usage },
    );
  }
  return facts.cores;
}
