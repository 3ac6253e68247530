/**
 * `mnbatch iam-policy`: prints one policy (`--role`), readable with the reason for each
 * statement, or as JSON: the managed policies to create and attach (submit, infra; as many as
 * IAM's size quota needs) or the role's trust, managed policies and inline policy (job,
 * instance, execution).
 */

import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import type { Output } from '../ui/output.js';
import {
  combinedPolicy,
  type Grant,
  MANAGED_POLICY_MAX_CHARS,
  managedPolicyParts,
  policySize,
} from './policy.js';
import {
  managedPolicies,
  type PolicyView,
  permissionsDocument,
  policyView,
  ROLE_NAMES,
  type RoleName,
  roleProperties,
  type UserPolicyView,
} from './roles.js';
import { type PolicyScope, parseScope } from './scope.js';

/** The flags of `iam-policy`. */
export interface IamPolicyFlags {
  readonly role?: string | undefined;
  /** Old spelling: the submit and infra policies together (what an infra admin needs). */
  readonly infra?: boolean | undefined;
  readonly stack?: string | undefined;
  readonly passRole?: readonly string[] | undefined;
  readonly json?: boolean | undefined;
  /** Only the permissions document (JSON), e.g. for `aws iam create-policy`. */
  readonly document?: boolean | undefined;
  /** With `--document`: which part of a document above IAM's size quota (1-based). */
  readonly part?: string | undefined;
}

function roleName(flags: IamPolicyFlags): RoleName {
  if (flags.infra && flags.role !== undefined) {
    throw new MnbatchError('IAM_ROLE_UNKNOWN', '--infra and --role cannot be combined: use --role infra', {
      exitCode: EXIT.usage,
    });
  }
  const role = flags.role ?? 'submit';
  if (!(ROLE_NAMES as readonly string[]).includes(role)) {
    throw new MnbatchError('IAM_ROLE_UNKNOWN', `--role ${role}: must be one of ${ROLE_NAMES.join(', ')}`, {
      exitCode: EXIT.usage,
    });
  }
  return role as RoleName;
}

/** The views `iam-policy` prints for these flags (two for --infra). */
export function selectedViews(flags: IamPolicyFlags, scope = parseScope(flags)): PolicyView[] {
  const role = roleName(flags);
  if (flags.infra) return [policyView('submit', scope), policyView('infra', scope)];
  return [policyView(role, scope)];
}

const userViews = (views: readonly PolicyView[]) =>
  views.filter((v): v is UserPolicyView => v.kind === 'user');

/** What `--json` prints: a role's properties, or the managed policies of the user views. */
export function jsonOf(views: readonly PolicyView[], scope: PolicyScope): unknown {
  const [first] = views;
  if (views.length === 1 && first?.kind === 'role') return roleProperties(first);
  return managedPolicies(userViews(views), scope);
}

const usage = (message: string, details: string[] = []) =>
  new MnbatchError('IAM_DOCUMENT_PART', message, { exitCode: EXIT.usage, details });

/** The document `--document [--part N]` prints: the whole when it fits one managed policy, else part N. */
function documentToPrint(views: readonly PolicyView[], part: string | undefined) {
  const names = views.map((v) => v.name).join(' and ');
  const documents = views.flatMap((v) => permissionsDocument(v) ?? []);
  if (documents.length === 0)
    throw new MnbatchError(
      'IAM_NO_DOCUMENT',
      `--document: the ${names} role has no statements of its own (only trust and managed policies: see --json)`,
      { exitCode: EXIT.usage },
    );
  const whole = combinedPolicy(...documents);
  const parts = managedPolicyParts(whole);
  const what = `the ${names} policy`;
  if (part === undefined) {
    if (parts.length === 1) return whole;
    throw usage(
      `--document: ${what} is ${policySize(whole)} characters, above the ${MANAGED_POLICY_MAX_CHARS} IAM allows in one managed policy: print its ${parts.length} parts with ${parts.map((_, i) => `--part ${i + 1}`).join(', ')}`,
      [
        'create one managed policy from each part and attach them all (docs/iam.md, "Attaching the policies")',
      ],
    );
  }
  const n = Number(part);
  const chosen = Number.isInteger(n) ? parts[n - 1] : undefined;
  if (!chosen)
    throw usage(
      `--part ${part}: ${what} has ${parts.length === 1 ? 'one part' : `parts 1 to ${parts.length}`}`,
    );
  return chosen;
}

function printSizes(out: Output, views: readonly PolicyView[], scope: PolicyScope): void {
  const users = userViews(views);
  if (users.length === 0) return;
  const policies = managedPolicies(users, scope);
  out.out(
    `attach as ${policies.length === 1 ? 'one managed policy' : `${policies.length} managed policies`} (IAM allows ${MANAGED_POLICY_MAX_CHARS} characters in one): ${policies
      .map((p) => `${p.PolicyName} (${policySize(p.PolicyDocument)})`)
      .join(', ')}`,
  );
}

function printGrant(out: Output, g: Grant): void {
  const resources = typeof g.Resource === 'string' ? [g.Resource] : g.Resource;
  out.out(`${g.Sid}: ${g.why}`);
  out.out(`  actions    ${[...g.Action].sort().join(', ')}`);
  out.out(`  resources  ${resources.join(', ')}`);
  if (g.Condition) out.out(`  when       ${JSON.stringify(g.Condition)}`);
}

function printView(out: Output, view: PolicyView): void {
  out.out(`# ${view.name}: ${view.summary}`);
  if (view.kind === 'role') {
    out.out(`role ${view.roleName}, assumed by ${view.trustedService}`);
    for (const arn of view.managedPolicyArns) out.out(`managed policy ${arn}`);
    if (view.adminPolicy) out.out(view.adminPolicy);
    if (view.grants.length === 0 && view.managedPolicyArns.length === 0) out.out('(no permissions)');
  }
  for (const g of view.grants) printGrant(out, g);
}

/** Runs `iam-policy`; returns 0. */
export function iamPolicyCommand(out: Output, flags: IamPolicyFlags): number {
  const scope = parseScope(flags);
  const views = selectedViews(flags, scope);
  if (flags.part !== undefined && !flags.document) throw usage('--part goes with --document');
  if (flags.document) {
    for (const line of JSON.stringify(documentToPrint(views, flags.part), null, 2).split('\n')) out.out(line);
    return 0;
  }
  if (flags.json) {
    for (const line of JSON.stringify(jsonOf(views, scope), null, 2).split('\n')) out.out(line);
    return 0;
  }
  views.forEach((view, i) => {
    if (i > 0) out.out('');
    printView(out, view);
  });
  out.out('');
  printSizes(out, views, scope);
  out.out('(--json prints what to create and attach; docs/iam.md explains every statement)');
  return 0;
}
