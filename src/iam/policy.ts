/**
 * IAM policy documents and the grants they are built from (pure). A grant is one statement plus
 * the one line that says why mnbatch needs it (printed by `iam-policy`, listed in docs/iam.md).
 */

import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';

/** A statement's condition block: operator → key → value(s). */
export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One statement of a policy. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Condition;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** A statement and why mnbatch needs it. */
export interface Grant extends PolicyStatement {
  readonly why: string;
}

/** The policy document of some grants (their `why` left out). */
export function documentOf(grants: readonly Grant[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: grants.map(({ why: _why, ...statement }) => ({
      ...statement,
      Action: [...statement.Action].sort(),
    })),
  };
}

/** Several documents as one: the statements side by side. */
export function combinedPolicy(...docs: readonly PolicyDocument[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: docs.flatMap((d) => d.Statement) };
}

/** Every action a policy allows. */
export function policyActions(doc: PolicyDocument): Set<string> {
  return new Set(doc.Statement.flatMap((s) => s.Action));
}

/** A statement's resources as a list. */
export function resourcesOf(s: PolicyStatement): readonly string[] {
  return typeof s.Resource === 'string' ? [s.Resource] : s.Resource;
}

/**
 * IAM's quota for one customer managed policy: 6,144 characters, whitespace not counted (IAM
 * User Guide, "IAM and AWS STS quotas"). CreatePolicy refuses a larger document with
 * LimitExceeded "Cannot exceed quota for PolicySize: 6144".
 */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** The characters of `doc` that count against IAM's size quotas (its JSON, whitespace left out). */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).replace(/\s/g, '').length;
}

/**
 * `doc` as documents that each fit one managed policy: its statements in order, each part filled
 * before the next begins. Throws when a single statement does not fit on its own.
 */
export function managedPolicyParts(doc: PolicyDocument, max = MANAGED_POLICY_MAX_CHARS): PolicyDocument[] {
  const parts: PolicyStatement[][] = [];
  for (const statement of doc.Statement) {
    const alone = policySize({ Version: '2012-10-17', Statement: [statement] });
    if (alone > max)
      throw new MnbatchError(
        'IAM_POLICY_TOO_LARGE',
        `statement ${statement.Sid} alone is ${alone} characters, above the ${max} IAM allows in one managed policy`,
        { exitCode: EXIT.usage, details: ['fewer --pass-role ARNs make it smaller'] },
      );
    const last = parts.at(-1);
    if (last && policySize({ Version: '2012-10-17', Statement: [...last, statement] }) <= max)
      last.push(statement);
    else parts.push([statement]);
  }
  return parts.map((Statement) => ({ Version: '2012-10-17', Statement }));
}
