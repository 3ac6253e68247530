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

/** One simulation: actions, the context their statement's condition asks for, and where. */
export interface SimulationRequest {
  readonly actionNames: readonly string[];
  readonly contextEntries: readonly ContextEntry[];
  /** Resources like the ones mnbatch acts on, for grants scoped to resources (none: `*`). */
  readonly resourceArns: readonly string[];
}

/** Where the simulation happens: the caller's account and the region of the checks. */
export interface SimulationPlace {
  readonly account: string;
  readonly region: string;
}

/**
 * A resource ARN that a grant's pattern covers, as mnbatch would act on: the region and account
 * filled in (global services have no region), every other wildcard a plain name. IAM simulates a
 * resource-scoped grant only on resources it names; on `*` it would be denied.
 */
export function exampleArn(pattern: string, place: SimulationPlace): string {
  if (pattern === '*') return '*';
  const [arn, partition, service, region, account, ...rest] = pattern.split(':');
  const name = rest.join(':').replace(/[*?]/g, 'doctor');
  const inRegion = region === '*' ? place.region : region;
  const inAccount = account === '*' ? place.account : account;
  return [arn, partition, service, inRegion, inAccount, name].join(':');
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

/**
 * The simulations covering every allowed action of `docs`: unconditional grants on `*` together,
 * first; then each other grant on example resources of its own, once per condition value.
 */
export function simulationsFor(docs: readonly PolicyDocument[], place: SimulationPlace): SimulationRequest[] {
  const statements = docs.flatMap((d) => d.Statement);
  const anywhere = (s: (typeof statements)[number]) => [s.Resource].flat().every((r) => r === '*');
  const plain = [
    ...new Set(statements.filter((s) => !s.Condition && anywhere(s)).flatMap((s) => s.Action)),
  ].sort();
  const scoped = statements
    .filter((s) => s.Condition || !anywhere(s))
    .flatMap((s) => {
      // A `Null: true` condition asks for the key to be absent: it is left out of the context.
      const keys = Object.entries(s.Condition ?? {}).flatMap(([operator, byKey]) =>
        Object.entries(byKey)
          .filter(([, v]) => !(operator === 'Null' && [v].flat().includes('true')))
          .map(([k, v]) => [k, operator === 'Null' ? ['present'] : [v].flat()] as [string, string[]]),
      );
      const resourceArns = anywhere(s)
        ? []
        : [...new Set([s.Resource].flat().map((r) => exampleArn(r, place)))];
      return combinations(keys).map((contextEntries) => ({
        actionNames: s.Action,
        contextEntries,
        resourceArns,
      }));
    });
  return [
    ...(plain.length > 0 ? [{ actionNames: plain, contextEntries: [], resourceArns: [] }] : []),
    ...scoped,
  ];
}

/** How a denied action reads in the report: `iam:PassRole (iam:PassedToService=batch.amazonaws.com)`. */
export function describeAction(action: string, context: readonly ContextEntry[]): string {
  if (context.length === 0) return action;
  return `${action} (${context.map((c) => `${c.ContextKeyName}=${(c.ContextKeyValues ?? []).join(',')}`).join(', ')})`;
}
