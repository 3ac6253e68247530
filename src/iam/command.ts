/**
 * `mnbatch iam-policy`: prints the generated policy (see policies.generated.ts) as a readable
 * list or as the JSON document to attach.
 */
import type { Output } from '../cli/output.js';
import { INFRA_POLICY, SUBMIT_POLICY } from './policies.generated.js';
import { combinedPolicy, type PolicyDocument } from './policy.js';

/** The policy `iam-policy` prints for these flags. */
export function selectedPolicy(flags: { readonly infra?: boolean | undefined }): PolicyDocument {
  return flags.infra ? combinedPolicy(SUBMIT_POLICY, INFRA_POLICY) : SUBMIT_POLICY;
}

/** Runs `iam-policy`; returns 0. */
export function iamPolicyCommand(
  out: Output,
  flags: { readonly infra?: boolean | undefined; readonly json?: boolean | undefined },
): number {
  const policy = selectedPolicy(flags);
  if (flags.json) {
    for (const line of JSON.stringify(policy, null, 2).split('\n')) out.out(line);
    return 0;
  }
  for (const s of policy.Statement) {
    const condition = s.Condition ? `  when ${JSON.stringify(s.Condition)}` : '';
    out.out(`${s.Sid} (Resource ${s.Resource})${condition}`);
    for (const a of s.Action) out.out(`  ${a}`);
  }
  out.out('');
  out.out('(--json prints the policy document to attach to a user or role)');
  return 0;
}
