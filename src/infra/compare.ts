/**
 * Comparisons between wanted request values and described resources (pure).
 */
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
  const key = (
    nis: readonly { InterfaceType?: string | undefined; Groups?: string[] | undefined }[] | undefined,
  ) => (nis ?? []).map((n) => `${n.InterfaceType ?? ''}:${[...(n.Groups ?? [])].sort().join(',')}`).join(';');
  return key(want.NetworkInterfaces) === key(have.NetworkInterfaces);
}

/** Whether two instance profile references (name or ARN) name the same profile. */
export function sameInstanceProfile(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.endsWith(`/${b}`) || b.endsWith(`/${a}`) || a.split('/').at(-1) === b.split('/').at(-1);
}
