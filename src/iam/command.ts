/**
 * `mnbatch iam-policy`: prints one policy (`--role`), readable with the reason for each
 * statement, or as JSON: the policy document to attach (submit, infra) or the role's trust,
 * managed policies and inline policy (job, instance, execution).
 */

import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import type { Output } from '../ui/output.js';
import { combinedPolicy, type Grant } from './policy.js';
import {
  type PolicyView,
  permissionsDocument,
  policyView,
  ROLE_NAMES,
  type RoleName,
  roleProperties,
} from './roles.js';
import { parseScope } from './scope.js';

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
export function selectedViews(flags: IamPolicyFlags): PolicyView[] {
  const scope = parseScope(flags);
  const role = roleName(flags);
  if (flags.infra) return [policyView('submit', scope), policyView('infra', scope)];
  return [policyView(role, scope)];
}

/** What `--json` prints for the selected views. */
export function jsonOf(views: readonly PolicyView[]): unknown {
  const [first] = views;
  if (views.length === 1 && first?.kind === 'role') return roleProperties(first);
  return combinedPolicy(...views.flatMap((v) => permissionsDocument(v) ?? []));
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
  const views = selectedViews(flags);
  if (flags.document) {
    const documents = views.flatMap((v) => permissionsDocument(v) ?? []);
    if (documents.length === 0)
      throw new MnbatchError(
        'IAM_NO_DOCUMENT',
        `--document: the ${views.map((v) => v.name).join(' and ')} role has no statements of its own (only trust and managed policies: see --json)`,
        { exitCode: EXIT.usage },
      );
    for (const line of JSON.stringify(combinedPolicy(...documents), null, 2).split('\n')) out.out(line);
    return 0;
  }
  if (flags.json) {
    for (const line of JSON.stringify(jsonOf(views), null, 2).split('\n')) out.out(line);
    return 0;
  }
  views.forEach((view, i) => {
    if (i > 0) out.out('');
    printView(out, view);
  });
  out.out('');
  out.out('(--json prints the document to attach; docs/iam.md explains every statement)');
  return 0;
}
