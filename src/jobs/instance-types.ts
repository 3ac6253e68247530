/**
 * vCPUs, memory and GPUs of instance types for the RUNNABLE diagnosis. EC2's DescribeInstanceTypes
 * answers (src/instances/facts.ts, cached by src/instances/cache.ts) come first; the built-in table below is only the
 * FALLBACK for when EC2 cannot be asked (no permission, no network) or a test gives no facts.
 * Unknown types are simply not judged. Memory is what EC2 installs; ECS registers a little less
 * for jobs (an m4.large's 8192 MiB becomes about 7985).
 */
import { isMnbatchError } from '../errors.js';
import { entryCovers, type InstanceFacts } from '../instances/facts.js';

/** What the diagnosis reads of an instance type: EC2's facts, or the table's. */
export type InstanceTypeFacts = Pick<InstanceFacts, 'vcpus' | 'memoryMiB' | 'gpus'>;

const SIZE_VCPUS: Record<string, number> = {
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
  '8xlarge': 32,
  '9xlarge': 36,
  '12xlarge': 48,
  '16xlarge': 64,
  '18xlarge': 72,
  '24xlarge': 96,
  '32xlarge': 128,
  '48xlarge': 192,
};

// Families whose memory is a fixed number of GiB per vCPU, with the sizes they come in.
const RATIO_FAMILIES: Record<string, { gibPerVcpu: number; sizes: string }> = {
  c5: { gibPerVcpu: 2, sizes: 'large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge' },
  c6i: { gibPerVcpu: 2, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge' },
  c6in: { gibPerVcpu: 2, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge' },
  c6a: {
    gibPerVcpu: 2,
    sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge',
  },
  c7i: { gibPerVcpu: 2, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge' },
  c7a: {
    gibPerVcpu: 2,
    sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge',
  },
  c7g: { gibPerVcpu: 2, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge' },
  m5: { gibPerVcpu: 4, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge' },
  m6i: { gibPerVcpu: 4, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge' },
  m6a: {
    gibPerVcpu: 4,
    sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge 48xlarge',
  },
  m7i: { gibPerVcpu: 4, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge' },
  r5: { gibPerVcpu: 8, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge' },
  r6i: { gibPerVcpu: 8, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 32xlarge' },
  r7i: { gibPerVcpu: 8, sizes: 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge' },
};

// [vCPUs, GiB, GPUs] of types that do not follow a ratio.
const EXPLICIT: Record<string, readonly [number, number, number]> = {
  'c5n.large': [2, 5.25, 0],
  'c5n.xlarge': [4, 10.5, 0],
  'c5n.2xlarge': [8, 21, 0],
  'c5n.4xlarge': [16, 42, 0],
  'c5n.9xlarge': [36, 96, 0],
  'c5n.18xlarge': [72, 192, 0],
  'hpc6a.48xlarge': [96, 384, 0],
  'hpc6id.32xlarge': [64, 1024, 0],
  'hpc7a.96xlarge': [192, 768, 0],
  'hpc7g.16xlarge': [64, 128, 0],
  'p3.2xlarge': [8, 61, 1],
  'p3.8xlarge': [32, 244, 4],
  'p3.16xlarge': [64, 488, 8],
  'p3dn.24xlarge': [96, 768, 8],
  'p4d.24xlarge': [96, 1152, 8],
  'p5.48xlarge': [192, 2048, 8],
  'g4dn.xlarge': [4, 16, 1],
  'g4dn.2xlarge': [8, 32, 1],
  'g4dn.4xlarge': [16, 64, 1],
  'g4dn.8xlarge': [32, 128, 1],
  'g4dn.12xlarge': [48, 192, 4],
  'g4dn.16xlarge': [64, 256, 1],
  'g5.xlarge': [4, 16, 1],
  'g5.2xlarge': [8, 32, 1],
  'g5.4xlarge': [16, 64, 1],
  'g5.8xlarge': [32, 128, 1],
  'g5.12xlarge': [48, 192, 4],
  'g5.16xlarge': [64, 256, 1],
  'g5.24xlarge': [96, 384, 4],
  'g5.48xlarge': [192, 768, 8],
};

function buildTable(): Map<string, InstanceTypeFacts> {
  const table = new Map<string, InstanceTypeFacts>();
  for (const [family, { gibPerVcpu, sizes }] of Object.entries(RATIO_FAMILIES)) {
    for (const size of sizes.split(' ')) {
      const vcpus = SIZE_VCPUS[size]!;
      table.set(`${family}.${size}`, { vcpus, memoryMiB: vcpus * gibPerVcpu * 1024, gpus: 0 });
    }
  }
  for (const [type, [vcpus, gib, gpus]] of Object.entries(EXPLICIT)) {
    table.set(type, { vcpus, memoryMiB: gib * 1024, gpus });
  }
  return table;
}

/** The built-in FALLBACK table: instance type name → facts of the types MPI jobs commonly use. */
export const INSTANCE_TYPES: ReadonlyMap<string, InstanceTypeFacts> = buildTable();

/** Facts of the instance types compute-environment entries (types or families) stand for, by name. */
export type InstanceFactsLookup = (
  entries: readonly string[],
) => Promise<ReadonlyMap<string, InstanceTypeFacts>>;

/**
 * EC2's facts of `entries` (EC2 is the truth: a size it does not list does not exist in the
 * region, so the table is not mixed in); the built-in table when there is no lookup or AWS
 * refuses it (the diagnosis is a hint: it does not fail for want of facts).
 */
export async function instanceTypeFacts(
  lookup: InstanceFactsLookup | undefined,
  entries: readonly string[],
): Promise<ReadonlyMap<string, InstanceTypeFacts>> {
  if (!lookup || entries.length === 0) return INSTANCE_TYPES;
  try {
    return await lookup(entries);
  } catch (e) {
    // AWS said no (access denied, throttled, unreachable: MnbatchError from withAwsErrors); a bug still throws.
    if (!isMnbatchError(e)) throw e;
    return INSTANCE_TYPES;
  }
}

/**
 * The instance types a compute environment's `instanceTypes` entry stands for: itself, or every
 * size of a family ("c5n"). Undefined when unknown (e.g. "optimal", which Batch picks).
 */
export function expandInstanceType(
  entry: string,
  table: ReadonlyMap<string, InstanceTypeFacts> = INSTANCE_TYPES,
): string[] | undefined {
  const members = [...table.keys()].filter((t) => entryCovers(entry, t));
  return members.length > 0 ? members : undefined;
}

/**
 * Families behind the instance type bundles Batch chooses from (ComputeResource.instanceTypes in
 * the Batch API reference). `optimal` meant c4/m4/r4/c5/m5/r5 and from November 2025 moves to
 * default_x86_64's families, so both are accepted for it.
 */
const BUNDLES: Record<string, readonly string[]> = {
  optimal: ['c4', 'm4', 'r4', 'c5', 'm5', 'r5', 'm6i', 'c6i', 'r6i', 'c7i'],
  default_x86_64: ['m6i', 'c6i', 'r6i', 'c7i'],
  default_arm64: ['m6g', 'c6g', 'r6g', 'c7g'],
};

/**
 * Whether a compute environment whose `instanceTypes` are `entries` can launch `type`: listed
 * exactly, or its family ("c5n" for "c5n.18xlarge") is listed, or a bundle with its family is.
 */
export function allowsInstanceType(entries: readonly string[], type: string): boolean {
  const family = type.split('.')[0] ?? type;
  return entries.some((e) => entryCovers(e, type) || (BUNDLES[e] ?? []).includes(family));
}
