/**
 * Which IAM principal to simulate for a caller, and the simulations that cover a policy document
 * (pure). Conditional statements are simulated once per allowed value of their condition key,
 * with that value as context, so `iam:PassRole` is asked about exactly the services mnbatch
 * passes roles to.
 */
import type { ContextEntry } from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../iam/policy.js';

/** What to simulate for a caller ARN. */
export type Principal =
  | { readonly kind: 'user'; readonly arn: string }
  /** An assumed role: the role's ARN is `fallbackArn` unless GetRole gives the one with its path. */
  | { readonly kind: 'role'; readonly roleName: string; readonly fallbackArn: string }
  | { readonly kind: 'unsupported'; readonly why: string };

/** The principal behind a caller ARN from GetCallerIdentity. */
export function principalOf(callerArn: string): Principal {
  const m = /^arn:([\w-]+):(iam|sts)::(\d{12}):(.+)$/.exec(callerArn);
  if (!m) return { kind: 'unsupported', why: `cannot read the caller ARN ${callerArn}` };
  const [, partition, service, account, resource = ''] = m;
  if (service === 'iam' && resource.startsWith('user/')) return { kind: 'user', arn: callerArn };
  if (service === 'iam' && resource === 'root')
    return {
      kind: 'unsupported',
      why: 'the account root user is allowed everything; use an IAM user or role for mnbatch',
    };
  const role = /^assumed-role\/([^/]+)\//.exec(resource);
  if (service === 'sts' && role?.[1])
    return {
      kind: 'role',
      roleName: role[1],
      fallbackArn: `arn:${partition}:iam::${account}:role/${role[1]}`,
    };
  return { kind: 'unsupported', why: `IAM cannot simulate the policies of ${callerArn}` };
}

/** One simulation: actions, and the context their statement's condition asks for. */
export interface SimulationRequest {
  readonly actionNames: readonly string[];
  readonly contextEntries: readonly ContextEntry[];
}

/** Every combination of one value per key. */
function combinations(keys: readonly [string, readonly string[]][]): ContextEntry[][] {
  return keys.reduce<ContextEntry[][]>(
    (acc, [key, values]) =>
      acc.flatMap((entries) =>
        values.map((v) => [
          ...entries,
          { ContextKeyName: key, ContextKeyValues: [v], ContextKeyType: 'string' as const },
        ]),
      ),
    [[]],
  );
}

/** The simulations covering every allowed action of `docs`: unconditional ones together, first. */
export function simulationsFor(docs: readonly PolicyDocument[]): SimulationRequest[] {
  const statements = docs.flatMap((d) => d.Statement);
  const plain = [...new Set(statements.filter((s) => !s.Condition).flatMap((s) => s.Action))].sort();
  const conditional = statements
    .filter((s) => s.Condition)
    .flatMap((s) => {
      const keys = Object.values(s.Condition ?? {}).flatMap((byKey) =>
        Object.entries(byKey).map(([k, v]) => [k, [v].flat()] as [string, string[]]),
      );
      return combinations(keys).map((contextEntries) => ({ actionNames: s.Action, contextEntries }));
    });
  return [...(plain.length > 0 ? [{ actionNames: plain, contextEntries: [] }] : []), ...conditional];
}

/** How a denied action reads in the report: `iam:PassRole (iam:PassedToService=batch.amazonaws.com)`. */
export function describeAction(action: string, context: readonly ContextEntry[]): string {
  if (context.length === 0) return action;
  return `${action} (${context.map((c) => `${c.ContextKeyName}=${(c.ContextKeyValues ?? []).join(',')}`).join(', ')})`;
}
