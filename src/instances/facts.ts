/**
 * What EC2 says about instance types (DescribeInstanceTypes): vCPUs, cores, memory, GPUs,
 * architectures and EFA. The answers are plain values, so planning and diagnosis code takes
 * them as input and stays pure; src/instances/cache.ts keeps them between runs.
 */
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { Ec2 } from '../aws/ec2.js';

/** One instance type as mnbatch uses it. */
export interface InstanceFacts {
  readonly vcpus: number;
  /** Physical cores (VCpuInfo.DefaultCores; the vCPUs when EC2 does not say). */
  readonly cores: number;
  /** Hardware threads per core (VCpuInfo.DefaultThreadsPerCore; else vCPUs over cores). */
  readonly threadsPerCore: number;
  /** Installed memory; ECS registers a little less for jobs. */
  readonly memoryMiB: number;
  readonly gpus: number;
  readonly architectures: readonly string[];
  readonly efaSupported: boolean;
  /**
   * Most EFA interfaces the type takes (EfaInfo.MaximumEfaInterfaces, one per network card:
   * p4d.24xlarge 4, p5.48xlarge 32); 0 without EFA.
   */
  readonly maxEfaInterfaces: number;
  /** Physical network cards (NetworkInfo.MaximumNetworkCards; 1 when EC2 does not say). */
  readonly networkCards: number;
}

/**
 * EFA interfaces an instance of the type can have with one per network card (the EC2 User Guide's
 * "Maximize network bandwidth … with multiple network cards"): the fewer of its cards and its
 * MaximumEfaInterfaces; 0 without EFA.
 */
export function efaInterfacesPerCard(
  facts: Pick<InstanceFacts, 'maxEfaInterfaces' | 'networkCards'>,
): number {
  return Math.min(facts.maxEfaInterfaces, facts.networkCards);
}

/** Facts of instance types by name as far as they are known, and where they come from. */
export interface InstanceKnowledge {
  readonly factsOf: (instanceType: string) => InstanceFacts | undefined;
  /**
   * `ec2`: EC2 was asked (through the cache), so a type without facts does not exist in the
   * region; `cache`: only what earlier runs kept was read (offline), so it may simply be unknown.
   */
  readonly source: 'ec2' | 'cache';
}

/** The knowledge of `facts` (a lookup's answer) from `source`. */
export function knowledgeOf(
  facts: ReadonlyMap<string, InstanceFacts>,
  source: InstanceKnowledge['source'],
): InstanceKnowledge {
  return { factsOf: (type) => facts.get(type), source };
}

/** The facts of one DescribeInstanceTypes entry, or undefined when it lacks the basics. */
export function instanceFactsOf(info: InstanceTypeInfo): InstanceFacts | undefined {
  const vcpus = info.VCpuInfo?.DefaultVCpus;
  const memoryMiB = info.MemoryInfo?.SizeInMiB;
  if (!info.InstanceType || !vcpus || !memoryMiB) return undefined;
  const efa = info.NetworkInfo?.EfaInfo;
  const cores = info.VCpuInfo?.DefaultCores ?? vcpus;
  return {
    vcpus,
    cores,
    threadsPerCore: info.VCpuInfo?.DefaultThreadsPerCore ?? Math.max(1, Math.round(vcpus / cores)),
    memoryMiB,
    gpus: (info.GpuInfo?.Gpus ?? []).reduce((n, g) => n + (g.Count ?? 0), 0),
    architectures: info.ProcessorInfo?.SupportedArchitectures ?? [],
    efaSupported: info.NetworkInfo?.EfaSupported ?? false,
    maxEfaInterfaces: info.NetworkInfo?.EfaSupported ? (efa?.MaximumEfaInterfaces ?? 1) : 0,
    networkCards: Math.max(1, info.NetworkInfo?.MaximumNetworkCards ?? 1),
  };
}

/**
 * The instance-type filter value an entry of a compute environment's `instanceTypes` stands for:
 * a type as it is, a family ("c5n") as all its sizes ("c5n.*"); undefined for the bundles Batch
 * picks from (optimal, default_x86_64, …), which name no family EC2 knows.
 */
export function filterValueOf(entry: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)?$/.test(entry) || entry === 'optimal' || entry.startsWith('default_'))
    return undefined;
  return entry.includes('.') ? entry : `${entry}.*`;
}

/** Whether `type` is what `entry` stands for (itself, or a size of the family). */
export function entryCovers(entry: string, type: string): boolean {
  return entry === type || (!entry.includes('.') && type.startsWith(`${entry}.`));
}

/** The types (with their facts) among `facts` that `entry` stands for. */
export function membersOf(
  entry: string,
  facts: ReadonlyMap<string, InstanceFacts>,
): [type: string, facts: InstanceFacts][] {
  return [...facts].filter(([type]) => entryCovers(entry, type));
}

/** Filter values per DescribeInstanceTypes request (a filter takes a bounded list of values). */
const VALUES_PER_REQUEST = 50;

/**
 * Facts of every instance type the entries stand for, by name. Unknown names simply yield
 * nothing (a filter, unlike InstanceTypes, does not fail on them).
 */
export async function describeInstanceFacts(
  ec2: Pick<Ec2, 'describeInstanceTypes'>,
  entries: readonly string[],
): Promise<Map<string, InstanceFacts>> {
  const values = [...new Set(entries.map(filterValueOf).filter((v): v is string => v !== undefined))];
  const facts = new Map<string, InstanceFacts>();
  for (let i = 0; i < values.length; i += VALUES_PER_REQUEST) {
    const infos = await ec2.describeInstanceTypes({
      Filters: [{ Name: 'instance-type', Values: values.slice(i, i + VALUES_PER_REQUEST) }],
    });
    for (const info of infos) {
      const f = instanceFactsOf(info);
      if (f && info.InstanceType) facts.set(info.InstanceType, f);
    }
  }
  return facts;
}
