/**
 * The instance type an AMI is baked for: its physical cores (what `nr_cpus` is set to when
 * hyper-threading goes off) and the architectures it runs, from DescribeInstanceTypes through
 * the shared conversion (src/instances/facts.ts).
 */

import type { _InstanceType } from '@aws-sdk/client-ec2';
import type { Ec2 } from '../aws/ec2.js';
import { awsErrorName } from '../aws/errors.js';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { type InstanceFacts, instanceFactsOf } from '../instances/facts.js';

/** Architectures an ECS-optimized AMI exists for. */
export type Architecture = 'x86_64' | 'arm64';

/** What the bake needs to know about an instance type: EC2's facts, with the architectures an ECS AMI exists for. */
export interface AmiInstanceType extends InstanceFacts {
  readonly instanceType: string;
  readonly architectures: readonly Architecture[];
}

/** Looks `instanceType` up; a clear error when the region has no such type. */
export async function describeInstanceType(
  ec2: Pick<Ec2, 'describeInstanceTypes'>,
  instanceType: string,
): Promise<AmiInstanceType> {
  let infos: Awaited<ReturnType<Ec2['describeInstanceTypes']>>;
  try {
    // By name, not by filter: EC2 then says plainly when the type does not exist.
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
  const facts = instanceFactsOf(info);
  const architectures = (facts?.architectures ?? []).filter(
    (a): a is Architecture => a === 'x86_64' || a === 'arm64',
  );
  if (!facts || architectures.length === 0) {
    throw new MnbatchError(
      'AMI_UNSUPPORTED_INSTANCE_TYPE',
      `instance type '${instanceType}' cannot run an ECS-optimized Linux AMI (architectures: ${(facts?.architectures ?? []).join(', ') || 'none'})`,
    );
  }
  return { ...facts, instanceType, architectures };
}

/** The `nr_cpus` to bake: the physical cores with hyper-threading off, else keep the command line. */
export function nrCpusFor(facts: AmiInstanceType | undefined, hyperthreadingOff: boolean): number | 'keep' {
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
