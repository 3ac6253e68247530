/**
 * EFA devices per instance type, for `efa: auto`. Only types that support EFA and whose device
 * count is certain are listed; for any other type the job says the number itself (`efa: 2`).
 */
export const EFA_DEVICES: Readonly<Record<string, number>> = {
  'c5n.18xlarge': 1,
  'c5n.9xlarge': 1,
  'c5n.metal': 1,
  'c6gn.16xlarge': 1,
  'c6i.32xlarge': 1,
  'c6in.32xlarge': 1,
  'c7gn.16xlarge': 1,
  'g4dn.metal': 1,
  'g5.48xlarge': 1,
  'hpc6a.48xlarge': 1,
  'hpc6id.32xlarge': 1,
  'hpc7g.4xlarge': 1,
  'hpc7g.8xlarge': 1,
  'hpc7g.16xlarge': 1,
  'm5n.24xlarge': 1,
  'm6i.32xlarge': 1,
  'p3dn.24xlarge': 1,
  'p4d.24xlarge': 4,
  'p4de.24xlarge': 4,
  'p5.48xlarge': 32,
  'r5n.24xlarge': 1,
  'trn1.32xlarge': 8,
  'trn1n.32xlarge': 16,
};

/** EFA devices of `instanceType`, or undefined when mnbatch does not know the type. */
export function efaDevicesOf(instanceType: string | undefined): number | undefined {
  return instanceType === undefined ? undefined : EFA_DEVICES[instanceType];
}
