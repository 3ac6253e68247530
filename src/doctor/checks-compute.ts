/**
 * Checks of the instances the stack will start: the vCPU quota against `maxVcpus`, the instance
 * types offered in the subnet's zone, EFA support, one architecture (matching the AMI's), and
 * that the AMI exists.
 */
import type { Image, Subnet } from '@aws-sdk/client-ec2';
import { isState } from '../aws/states.js';
import type { InfraConfig } from '../infra/config.js';
import { entryCovers, filterValueOf, type InstanceFacts, membersOf } from '../instances/facts.js';
import type { DoctorFacts } from './input.js';
import { type CheckResult, fail, ok, skip, warn } from './report.js';
import type { DoctorServices } from './services.js';

/** Service Quotas' code of "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" (vCPUs). */
export const STANDARD_VCPU_QUOTA = 'L-1216C47A';

/** Family prefixes counted against the Standard On-Demand quota (others have their own quotas). */
const STANDARD_PREFIXES = new Set(['a', 'c', 'd', 'h', 'i', 'im', 'is', 'm', 'r', 't', 'z']);

/** The letters of an instance type or family before its generation (`c5n.large` → `c`, `hpc7g` → `hpc`). */
export function familyPrefix(type: string): string {
  return /^([a-z]+)/.exec(type)?.[1] ?? type;
}

/** Whether `type` (or family) counts against the Standard On-Demand vCPU quota. */
export function isStandardFamily(type: string): boolean {
  return STANDARD_PREFIXES.has(familyPrefix(type));
}

/** `quota`: the Standard On-Demand vCPU quota against maxVcpus (and the job's vCPUs when given). */
export async function quotaCheck(
  services: DoctorServices,
  infra: InfraConfig,
  jobVcpus?: number,
): Promise<CheckResult> {
  const types = infra.instanceTypes.filter((t) => t !== 'optimal');
  const others = types.filter((t) => !isStandardFamily(t));
  const notChecked = others.length > 0 ? `; not checked for ${others.join(', ')} (own quotas)` : '';
  if (types.length === others.length)
    return skip(
      'quota',
      `vCPU quota not checked for ${types.join(', ') || 'optimal'}`,
      'see Service Quotas › EC2 for their quota',
    );
  const quota = await services.quotas.getServiceQuota('ec2', STANDARD_VCPU_QUOTA);
  if (quota === undefined) return skip('quota', `Service Quotas has no value for ${STANDARD_VCPU_QUOTA}`);
  const raise = `request more in Service Quotas › EC2 › Running On-Demand Standard instances (${STANDARD_VCPU_QUOTA})`;
  if (jobVcpus !== undefined && jobVcpus > quota)
    return fail(
      'quota',
      `the job needs at least ${jobVcpus} vCPUs, the On-Demand Standard vCPU quota is ${quota}${notChecked}`,
      raise,
    );
  if (infra.maxVcpus > quota)
    return warn(
      'quota',
      `maxVcpus is ${infra.maxVcpus}, the On-Demand Standard vCPU quota is ${quota}: jobs beyond ${quota} vCPUs stay RUNNABLE${notChecked}`,
      `${raise}, or lower maxVcpus`,
    );
  return ok('quota', `On-Demand Standard vCPU quota ${quota} ≥ maxVcpus ${infra.maxVcpus}${notChecked}`);
}

/** infra.yaml's entries that name types or families (not the bundles Batch picks from). */
function namedEntries(infra: InfraConfig): string[] {
  return infra.instanceTypes.filter((e) => filterValueOf(e) !== undefined);
}

/** `instance-types`: each instance type (or some size of each family) is offered in the subnet's zone. */
export async function offeringsCheck(
  services: DoctorServices,
  infra: InfraConfig,
  subnet: Subnet | undefined,
): Promise<CheckResult> {
  const zone = subnet?.AvailabilityZone;
  if (!zone) return skip('instance-types', 'no subnet, so no zone to look in (see subnet)');
  const entries = namedEntries(infra);
  const patterns = entries.map((e) => filterValueOf(e)!);
  if (patterns.length === 0)
    return skip('instance-types', `${infra.instanceTypes.join(', ')}: Batch picks the types`);
  const offered = (
    await services.ec2.describeInstanceTypeOfferings({
      LocationType: 'availability-zone',
      Filters: [
        { Name: 'location', Values: [zone] },
        { Name: 'instance-type', Values: patterns },
      ],
    })
  ).map((o) => o.InstanceType ?? '');
  const missing = entries.filter((e) => !offered.some((t) => entryCovers(e, t)));
  if (missing.length > 0)
    return fail(
      'instance-types',
      `${missing.join(', ')} not offered in ${zone}`,
      `choose instance types offered in ${zone} (aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=location,Values=${zone}), or a subnet in another zone`,
    );
  return ok('instance-types', `${infra.instanceTypes.join(', ')} offered in ${zone}`);
}

/** `efa`: with `efa: true`, every instance type supports EFA (for a family: every size Batch may pick). */
export async function efaCheck(infra: InfraConfig, facts: DoctorFacts): Promise<CheckResult> {
  if (!infra.efa) return skip('efa', 'efa is off in infra.yaml');
  const known = await facts.instanceTypes();
  const problems: string[] = [];
  const partial: string[] = [];
  for (const entry of namedEntries(infra)) {
    const members = membersOf(entry, known);
    if (members.length === 0) continue; // unknown to EC2: the instance-types check says so
    const capable = members.filter(([, f]) => f.efaSupported).map(([type]) => type);
    if (capable.length === 0) problems.push(entry);
    else if (capable.length < members.length) partial.push(`${entry} (only ${capable.sort().join(', ')})`);
  }
  const fix = 'use EFA instance types (c5n.18xlarge, hpc7a.96xlarge, p4d.24xlarge, …) or set efa: false';
  if (problems.length > 0) return fail('efa', `${problems.join(', ')} do not support EFA`, fix);
  if (partial.length > 0)
    return warn(
      'efa',
      `not every size supports EFA: ${partial.join('; ')}`,
      'list the EFA sizes instead of the family',
    );
  return ok('efa', `${infra.instanceTypes.join(', ')} support EFA`);
}

/** The architecture of an instance type: arm64 or x86_64. */
function architectureOf(facts: InstanceFacts): string {
  const archs = facts.architectures;
  return archs.find((a) => a === 'arm64' || a === 'x86_64') ?? archs[0] ?? '?';
}

/** `architecture`: the instance types share one architecture, and the AMI (when an id) has it too. */
export async function architectureCheck(facts: DoctorFacts): Promise<CheckResult> {
  const known = await facts.instanceTypes();
  if (known.size === 0) return skip('architecture', 'no instance type known to EC2 (see instance-types)');
  const byArch = new Map<string, string[]>();
  for (const [type, f] of known)
    byArch.set(architectureOf(f), [...(byArch.get(architectureOf(f)) ?? []), type]);
  if (byArch.size > 1)
    return fail(
      'architecture',
      `instance types mix ${[...byArch].map(([a, t]) => `${a} (${t.slice(0, 3).join(', ')}${t.length > 3 ? ', …' : ''})`).join(' and ')}`,
      'use instance types of one architecture: the job image is built for one',
    );
  const [arch = '?'] = byArch.keys();
  const image = await facts.image();
  if (image?.Architecture && image.Architecture !== arch)
    return fail(
      'architecture',
      `the instance types are ${arch}, AMI ${image.ImageId} is ${image.Architecture}`,
      `use an ${arch} AMI (mnbatch ami bake on a ${arch} instance type) or ${image.Architecture} instance types`,
    );
  return ok('architecture', arch);
}

/** `ami`: infra.yaml's AMI id exists in the region and is available. */
export async function amiCheck(
  services: DoctorServices,
  infra: InfraConfig,
  facts: DoctorFacts,
): Promise<CheckResult> {
  if (infra.ami === 'default') return skip('ami', 'default: the ECS-optimized AMI that infra up looks up');
  const image: Image | undefined = await facts.image();
  if (!image)
    return fail(
      'ami',
      `${infra.ami} does not exist in ${services.region} (or is not shared with this account)`,
      'set ami to an AMI of this region (mnbatch ami bake), or ami: default',
    );
  if (!isState(image.State, 'available'))
    return fail(
      'ami',
      `${infra.ami} is ${image.State}`,
      'wait for it to become available, or use another AMI',
    );
  return ok('ami', `${infra.ami} (${image.Name ?? 'no name'}, ${image.Architecture ?? '?'})`);
}
