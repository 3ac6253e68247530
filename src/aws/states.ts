/**
 * Lifecycle states as the real services send them. Some differ from the SDK's enums: EC2's
 * DescribeVpcEndpoints sends `available`, `pendingAcceptance`, `deleted` where the SDK's
 * `State` enum spells `Available`, `PendingAcceptance`, `Deleted` (docs/aws-quirks.md). States
 * are therefore compared without regard to case, whatever the enum says.
 */

/** Whether `actual` (as received) is the state `wanted`, in any case. */
export function isState(actual: string | undefined, wanted: string): boolean {
  return actual !== undefined && actual.toLowerCase() === wanted.toLowerCase();
}
