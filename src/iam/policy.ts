/**
 * IAM policy documents and the grants they are built from (pure). A grant is one statement plus
 * the one line that says why mnbatch needs it (printed by `iam-policy`, listed in docs/iam.md).
 */

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
