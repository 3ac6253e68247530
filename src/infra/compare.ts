/**
 * Comparisons between wanted request values and described resources (pure).
 */
import type {
  ComputeEnvironmentDetail,
  CreateComputeEnvironmentCommandInput,
  JobStateTimeLimitAction,
} from '@aws-sdk/client-batch';
import type {
  IpPermission,
  RequestLaunchTemplateData,
  ResponseLaunchTemplateData,
  SecurityGroup,
} from '@aws-sdk/client-ec2';

/** The wanted rules that the group does not have yet (matched on protocol, ports and source group). */
export function missingIngressRules(group: SecurityGroup, wanted: readonly IpPermission[]): IpPermission[] {
  const have = group.IpPermissions ?? [];
  return wanted.filter((w) => {
    const source = w.UserIdGroupPairs?.[0]?.GroupId;
    return !have.some(
      (h) =>
        h.IpProtocol === w.IpProtocol &&
        (w.IpProtocol === '-1' || (h.FromPort === w.FromPort && h.ToPort === w.ToPort)) &&
        (h.UserIdGroupPairs ?? []).some((p) => p.GroupId === source),
    );
  });
}

/** Whether a launch template version already has the wanted user data and network interfaces. */
export function sameLaunchTemplateData(
  want: RequestLaunchTemplateData,
  have: ResponseLaunchTemplateData | undefined,
): boolean {
  if (!have) return false;
  if ((want.UserData ?? '') !== (have.UserData ?? '')) return false;
  const disks = (
    bdms:
      | readonly {
          DeviceName?: string | undefined;
          Ebs?: { VolumeSize?: number | undefined; VolumeType?: string | undefined } | undefined;
        }[]
      | undefined,
  ) =>
    (bdms ?? [])
      .map((b) => `${b.DeviceName}:${b.Ebs?.VolumeSize ?? ''}:${b.Ebs?.VolumeType ?? ''}`)
      .sort()
      .join(';');
  if (disks(want.BlockDeviceMappings) !== disks(have.BlockDeviceMappings)) return false;
  return interfacesKey(want.NetworkInterfaces) === interfacesKey(have.NetworkInterfaces);
}

/**
 * What matters of a launch template's network interfaces, in card order: network card (0 when
 * not given), device index, type and security groups.
 */
function interfacesKey(
  nis:
    | readonly {
        NetworkCardIndex?: number | undefined;
        DeviceIndex?: number | undefined;
        InterfaceType?: string | undefined;
        Groups?: string[] | undefined;
      }[]
    | undefined,
): string {
  return (nis ?? [])
    .map(
      (n) =>
        `${n.NetworkCardIndex ?? 0}/${n.DeviceIndex ?? ''}:${n.InterfaceType ?? ''}:${[...(n.Groups ?? [])].sort().join(',')}`,
    )
    .sort()
    .join(';');
}

/** What differs in tag `key` between a resource's tags and the wanted ones ('' when the same). */
export function tagDifference(
  have: Readonly<Record<string, string>> | undefined,
  want: Readonly<Record<string, string>>,
  key: string,
): string {
  const h = have?.[key];
  const w = want[key];
  return h === w ? '' : `tag ${key} ${h ?? '(none)'} → ${w ?? '(none)'}`;
}

/** What differs between a queue's jobStateTimeLimitActions and the wanted ones ('' when the same). */
export function timeLimitDifference(
  have: readonly JobStateTimeLimitAction[] | undefined,
  want: readonly JobStateTimeLimitAction[],
): string {
  const key = (list: readonly JobStateTimeLimitAction[] | undefined) =>
    (list ?? [])
      .map((a) => `${a.reason}/${a.state}/${a.maxTimeSeconds}/${a.action}`.toUpperCase())
      .sort()
      .join(',');
  if (key(have) === key(want)) return '';
  return want.length === 0
    ? 'runnableTimeLimit off: no more cancelling of stuck RUNNABLE jobs'
    : `cancel jobs RUNNABLE longer than ${want[0]?.maxTimeSeconds} s (${want.map((a) => a.reason).join(', ')})`;
}

/** Whether two instance profile references (name or ARN) name the same profile. */
export function sameInstanceProfile(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.endsWith(`/${b}`) || b.endsWith(`/${a}`) || a.split('/').at(-1) === b.split('/').at(-1);
}

/** Why an existing compute environment must be replaced, or undefined when it can be updated. */
export function ceReplaceReason(
  ce: ComputeEnvironmentDetail,
  dependencyReplaced: boolean,
): string | undefined {
  // Batch does not validate an INVALID environment again by itself (e.g. after an instance
  // profile that was not visible yet at creation has become visible): recreating it does.
  if (ce.status === 'INVALID') return `INVALID (${ce.statusReason ?? 'no reason given'}): recreate it`;
  if (ce.type !== 'MANAGED') return `type ${ce.type} → MANAGED`;
  const cr = ce.computeResources;
  if (cr?.type !== 'EC2') return `compute type ${cr?.type} → EC2 (MNP jobs cannot run on Spot or Fargate)`;
  if (cr.allocationStrategy !== 'BEST_FIT_PROGRESSIVE')
    return `allocation strategy ${cr.allocationStrategy} → BEST_FIT_PROGRESSIVE`;
  if (dependencyReplaced) return 'its placement group or security group is replaced';
  return undefined;
}

/** What differs between an existing compute environment and the wanted one (fields that can be updated). */
export function ceDifferences(
  ce: ComputeEnvironmentDetail,
  want: CreateComputeEnvironmentCommandInput,
): string[] {
  const have = ce.computeResources;
  const w = want.computeResources;
  if (!have || !w) return [];
  const out: string[] = [];
  const list = (v: readonly string[] | undefined) => [...(v ?? [])].sort().join(',');
  if (have.maxvCpus !== w.maxvCpus) out.push(`maxvCpus ${have.maxvCpus} → ${w.maxvCpus}`);
  if (list(have.instanceTypes) !== list(w.instanceTypes))
    out.push(`instance types ${list(have.instanceTypes)} → ${list(w.instanceTypes)}`);
  if (list(have.subnets) !== list(w.subnets)) out.push(`subnets → ${list(w.subnets)}`);
  if (list(have.securityGroupIds) !== list(w.securityGroupIds))
    out.push(`security groups → ${list(w.securityGroupIds) || 'none (EFA interface)'}`);
  if (!sameInstanceProfile(have.instanceRole, w.instanceRole)) out.push(`instance role → ${w.instanceRole}`);
  if (have.placementGroup !== w.placementGroup) out.push(`placement group → ${w.placementGroup}`);
  const hl = have.launchTemplate;
  const wl = w.launchTemplate;
  if (hl?.launchTemplateId !== wl?.launchTemplateId || hl?.version !== wl?.version)
    out.push(`launch template → ${wl?.launchTemplateId} version ${wl?.version}`);
  const imageTypes = (c: typeof have.ec2Configuration) => list(c?.map((e) => e.imageType ?? ''));
  if (imageTypes(have.ec2Configuration) !== imageTypes(w.ec2Configuration))
    out.push(`image types ${imageTypes(have.ec2Configuration)} → ${imageTypes(w.ec2Configuration)}`);
  const hImage = have.ec2Configuration?.[0]?.imageIdOverride;
  const wImage = w.ec2Configuration?.[0]?.imageIdOverride;
  if (hImage !== wImage) out.push(`AMI ${hImage ?? 'default'} → ${wImage ?? 'default'}`);
  if (ce.state !== 'ENABLED') out.push(`state ${ce.state} → ENABLED`);
  return out;
}
