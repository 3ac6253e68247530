/**
 * What a policy is scoped to: the names mnbatch gives its resources (src/infra/names.ts), the
 * tags it puts on them (src/contract/stack.ts, src/ami/plan.ts, src/plan/plan-job.ts) and the
 * roles the user lets it pass. Pure; `iam-policy --stack/--pass-role` fill it in.
 */

import { AMI_TAG, BUILDER_TAG } from '../ami/plan.js';
import { EXIT } from '../contract/exit-codes.js';
import { STACK_NAME, STACK_NAME_RULE, STACK_TAG } from '../contract/stack.js';
import { MnbatchError } from '../errors.js';
import { INSTANCE_ROLE_POLICY } from '../infra/requests.js';

export { AMI_TAG, BUILDER_TAG, INSTANCE_ROLE_POLICY, STACK_TAG };

/** Tag on every job definition and job mnbatch registers or submits (src/plan/plan-job.ts). */
export const JOB_TAG = 'mnbatch:job';
/** The instance profile's role when infra.yaml keeps `roles.instanceProfile` at its default. */
export const DEFAULT_INSTANCE_ROLE = 'ecsInstanceRole';

/** What one set of policies is scoped to. */
export interface PolicyScope {
  /** One stack, or every stack (`*`) when undefined. */
  readonly stack?: string | undefined;
  /** Role ARNs the user names (their own job or instance roles) that may be passed as well. */
  readonly passRoles: readonly string[];
}

/** Every stack, no extra roles: what the committed iam/*.json files show. */
export const DEFAULT_SCOPE: PolicyScope = { passRoles: [] };

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|\*):role\/[\w+=,.@/-]{1,512}$/;

/** A scope from `iam-policy` flags; throws a user error naming the bad flag. */
export function parseScope(flags: {
  readonly stack?: string | undefined;
  readonly passRole?: readonly string[] | undefined;
}): PolicyScope {
  if (flags.stack !== undefined && !STACK_NAME.test(flags.stack)) {
    throw new MnbatchError('IAM_SCOPE_INVALID', `--stack ${flags.stack}: ${STACK_NAME_RULE}`, {
      exitCode: EXIT.usage,
    });
  }
  for (const arn of flags.passRole ?? []) {
    if (!ROLE_ARN.test(arn) || arn.includes('*', arn.indexOf(':role/'))) {
      throw new MnbatchError(
        'IAM_SCOPE_INVALID',
        `--pass-role ${arn}: must be one role's ARN, like arn:aws:iam::123456789012:role/my-job-role`,
        { exitCode: EXIT.usage },
      );
    }
  }
  return { stack: flags.stack, passRoles: [...(flags.passRole ?? [])] };
}

/** `mnbatch-<stack>` (or `mnbatch-*`): the name of the stack's placement group, CE, queue, ... */
export function baseName(scope: PolicyScope): string {
  return `mnbatch-${scope.stack ?? '*'}`;
}

/** The value the `mnbatch:stack` tag must have: the stack, or any (`*`, tag present). */
export function stackTagValue(scope: PolicyScope): string {
  return scope.stack ?? '*';
}

type Condition = Record<string, Record<string, string | string[]>>;

/** The request carries the stack tag (create calls). */
export function requestTagged(scope: PolicyScope): Condition {
  return { StringLike: { [`aws:RequestTag/${STACK_TAG}`]: stackTagValue(scope) } };
}

/** The resource carries the stack tag (calls that change or delete). */
export function resourceTagged(scope: PolicyScope): Condition {
  return { StringLike: { [`aws:ResourceTag/${STACK_TAG}`]: stackTagValue(scope) } };
}

/** The request carries tag `key` (any value). */
export function requestHasTag(key: string): Condition {
  return { StringLike: { [`aws:RequestTag/${key}`]: '*' } };
}

/** The resource carries tag `key` (any value). */
export function resourceHasTag(key: string): Condition {
  return { StringLike: { [`aws:ResourceTag/${key}`]: '*' } };
}
