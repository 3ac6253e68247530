/**
 * How many EFA devices the job maps: `efa: N` as given, `efa: auto` as many as both the instance
 * type takes (EC2's EfaInfo.MaximumEfaInterfaces) and the stack's launch template attaches (its
 * queue's EFA_INTERFACES_TAG, read by `submit`; UNTAGGED_STACK_EFA_INTERFACES for a stack without
 * the tag, and for `plan` and `validate`, which ask no one). The facts come in as inputs (EC2
 * through the cache for `submit`, the cache alone for `plan` and `validate`): planning asks no one.
 */
import { EFA_INTERFACES_TAG, UNTAGGED_STACK_EFA_INTERFACES } from '../contract/stack.js';
import { plural } from '../contract/words.js';
import type { InstanceKnowledge } from '../instances/facts.js';
import { EFA_AUTO_NEEDS_TYPE, type JobSpec } from '../spec/index.js';
import { PlanRuleError } from './rule-error.js';

/** What the job queue's stack attaches (read by `submit` from the queue's tags). */
export interface StackEfaInterfaces {
  readonly queue: string;
  /** EFA interfaces per instance. */
  readonly interfaces: number;
  /** Whether the queue has EFA_INTERFACES_TAG (else `interfaces` is the untagged default). */
  readonly tagged: boolean;
}

/** The devices to map, or why `efa: auto` waits for `submit` to ask EC2. */
export type EfaDevices =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'at-submit'; readonly note: string };

/** The EFA devices of `spec`; PlanRuleError when the facts of its instance type contradict it. */
export function efaDevicesOf(
  spec: Pick<JobSpec, 'efa' | 'instanceType'>,
  instances: InstanceKnowledge | undefined,
  stack?: StackEfaInterfaces,
): EfaDevices {
  const devices = typeDevices(spec, instances, stack?.interfaces ?? UNTAGGED_STACK_EFA_INTERFACES);
  const { efa } = spec;
  // A container whose mapped device is missing does not start: refused before anything is sent.
  if (stack && typeof efa === 'number' && efa > stack.interfaces)
    throw new PlanRuleError(
      ['efa'],
      `${efa} EFA devices, but the instances of queue ${stack.queue} have ${plural(stack.interfaces, 'EFA interface')} (${stack.tagged ? `its ${EFA_INTERFACES_TAG} tag` : `no ${EFA_INTERFACES_TAG} tag: made by an mnbatch that attached one`}), and a container whose device is missing does not start: set efa: auto or at most ${stack.interfaces}, or run \`mnbatch infra up\` with efa: true (it attaches one per network card)`,
      'value',
    );
  return devices;
}

/** The devices of `spec` as its instance type allows, `efa: auto` at most `attached`. */
function typeDevices(
  spec: Pick<JobSpec, 'efa' | 'instanceType'>,
  instances: InstanceKnowledge | undefined,
  attached: number,
): EfaDevices {
  const { efa, instanceType: type } = spec;
  if (efa === 'off') return { kind: 'count', count: 0 };
  if (type === undefined) {
    if (efa === 'auto') throw new PlanRuleError(['efa'], EFA_AUTO_NEEDS_TYPE, 'value');
    return { kind: 'count', count: efa };
  }
  const facts = instances?.factsOf(type);
  if (!facts) {
    if (efa !== 'auto') return { kind: 'count', count: efa }; // nothing to check it against
    if (instances?.source === 'ec2')
      throw new PlanRuleError(['instanceType'], `EC2 knows no instance type ${type} in this region`, 'value');
    return {
      kind: 'at-submit',
      note: `efa: auto: the EFA devices of ${type} are resolved at submit time (not in the instance-type cache); this plan maps none, so its job definition name differs from the one submit registers`,
    };
  }
  if (!facts.efaSupported)
    throw new PlanRuleError(
      ['efa'],
      `${type} does not support EFA: set efa: off, or use an EFA instance type`,
      'value',
    );
  if (efa === 'auto') return { kind: 'count', count: Math.min(facts.maxEfaInterfaces, attached) };
  if (efa > facts.maxEfaInterfaces)
    throw new PlanRuleError(['efa'], `${type} has ${plural(facts.maxEfaInterfaces, 'EFA device')}`, 'value');
  return { kind: 'count', count: efa };
}
