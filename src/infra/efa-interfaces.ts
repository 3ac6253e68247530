/**
 * How many EFA interfaces the stack's launch template attaches to every instance (pure): one per
 * network card, as many as every instance type of the stack has (a family: each of its sizes
 * with EFA), at most infra.yaml's `efaInterfaces`. A launch template serves every type Batch
 * picks, and an instance type refuses a launch with more cards than it has, so the fewest wins.
 */
import { UNTAGGED_STACK_EFA_INTERFACES } from '../contract/stack.js';
import { plural } from '../contract/words.js';
import { MnbatchError } from '../errors.js';
import { efaInterfacesPerCard, filterValueOf, type InstanceFacts, membersOf } from '../instances/facts.js';
import type { InfraConfig } from './config.js';

/** The stack's EFA interfaces per instance, and the line `infra up` prints about them. */
export interface StackEfa {
  readonly interfaces: number;
  readonly line: string;
}

/** The EFA interfaces of `config`'s stack given the facts of its instance types (DescribeInstanceTypes). */
export function stackEfaInterfaces(
  config: Pick<InfraConfig, 'efa' | 'efaInterfaces' | 'instanceTypes'>,
  facts: ReadonlyMap<string, InstanceFacts>,
): StackEfa {
  if (!config.efa) return { interfaces: 0, line: '  EFA: off' };
  const perEntry = config.instanceTypes
    .filter((e) => filterValueOf(e) !== undefined)
    .map((entry) => {
      const counts = membersOf(entry, facts)
        .filter(([, f]) => f.efaSupported)
        .map(([, f]) => efaInterfacesPerCard(f));
      return { entry, counts };
    })
    .filter((e) => e.counts.length > 0);
  if (perEntry.length === 0) {
    const interfaces = config.efaInterfaces ?? UNTAGGED_STACK_EFA_INTERFACES;
    return {
      interfaces,
      line: `  EFA: ${plural(interfaces, 'interface')} per instance (instance types Batch picks: their network cards are unknown)`,
    };
  }
  const most = Math.min(...perEntry.flatMap((e) => e.counts));
  const cap = config.efaInterfaces;
  if (cap !== undefined && cap > most)
    throw new MnbatchError(
      'INFRA_EFA_INTERFACES',
      `efaInterfaces: ${cap} is more than the instance types take: ${perEntry.map(entryText).join(', ')} (one EFA interface per network card)`,
      {
        details: [
          'set efaInterfaces to at most that number, or remove it to attach as many as the types take',
        ],
      },
    );
  const interfaces = cap ?? most;
  const sources = perEntry.map(entryText).join(', ');
  const why =
    cap !== undefined && cap < most
      ? `capped by efaInterfaces (${sources})`
      : perEntry.length > 1 || (perEntry[0]?.counts.length ?? 0) > 1
        ? `one per network card, the fewest of ${sources}`
        : `one per network card of ${sources}`;
  return { interfaces, line: `  EFA: ${plural(interfaces, 'interface')} per instance, ${why}` };
}

/** `p4d.24xlarge 4`, or for a family `p5.* 1 to 32` (its sizes with EFA). */
function entryText(e: { entry: string; counts: readonly number[] }): string {
  const low = Math.min(...e.counts);
  const high = Math.max(...e.counts);
  const name = filterValueOf(e.entry) ?? e.entry;
  return low === high ? `${name} ${low}` : `${name} ${low} to ${high}`;
}
