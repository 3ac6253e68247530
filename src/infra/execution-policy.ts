/**
 * The stack's execution policy: the customer managed policy mnbatch-<stack>-execution that an
 * administrator creates once from `iam-policy --role execution --document`, and that `infra up`
 * attaches to the execution role. `infra up` never writes a policy, so the infra policy needs no
 * iam:PutRolePolicy or iam:CreatePolicy, whose content IAM cannot condition (issue 11).
 */

import type { CallerIdentity } from '../aws/sts.js';
import { MnbatchError } from '../errors.js';
import { executionGrants, executionPolicyArn } from '../iam/execution.js';
import { documentOf } from '../iam/policy.js';
import { canonicalJson } from '../plan/hash.js';
import type { InfraConfig } from './config.js';
import { stackNames } from './names.js';
import type { InfraServices } from './services.js';

/** What the account holds of the execution policy. */
export interface ExecutionPolicyState {
  readonly arn: string;
  /** Its default version's document (JSON text); undefined when the policy does not exist. */
  readonly document: string | undefined;
}

/** The document the policy should have: the statements of `iam-policy --role execution --stack <stack>`. */
export function expectedExecutionPolicy(stack: string): string {
  return JSON.stringify(documentOf(executionGrants({ stack, passRoles: [] })));
}

/** Reads stack `stack`'s policy in the caller's account (`infra up` and `doctor`). */
export async function readExecutionPolicy(
  iam: Pick<InfraServices['iam'], 'getPolicyDocument'>,
  me: Pick<CallerIdentity, 'partition' | 'account'>,
  stack: string,
): Promise<ExecutionPolicyState> {
  const arn = executionPolicyArn(me.partition, me.account, stack);
  return { arn, document: await iam.getPolicyDocument(arn) };
}

/** Looks the policy up (only with `roles.create: true`: otherwise the roles are the user's). */
export async function lookUpExecutionPolicy(
  s: Pick<InfraServices, 'sts' | 'iam'>,
  config: InfraConfig,
): Promise<ExecutionPolicyState | undefined> {
  if (!config.roles.create) return undefined;
  return readExecutionPolicy(s.iam, await s.sts.getCallerIdentity(), config.stack);
}

/** What the account holds: no policy, another document than mnbatch's, or mnbatch's. */
export function executionPolicyVerdict(
  stack: string,
  state: ExecutionPolicyState,
): 'missing' | 'different' | 'expected' {
  if (state.document === undefined) return 'missing';
  return sameDocument(state.document, expectedExecutionPolicy(stack)) ? 'expected' : 'different';
}

function sameDocument(have: string, want: string): boolean {
  try {
    return canonicalJson(JSON.parse(have)) === canonicalJson(JSON.parse(want));
  } catch {
    return false;
  }
}

/** The shell commands an administrator runs once to create the policy. */
export function createExecutionPolicyCommands(stack: string): string[] {
  const name = stackNames(stack).executionPolicy;
  return [
    `mnbatch iam-policy --role execution --stack ${stack} --document > ${name}.json`,
    `aws iam create-policy --policy-name ${name} --policy-document file://${name}.json`,
  ];
}

/** Throws before anything is changed when the policy `infra up` must attach does not exist. */
export function requireExecutionPolicy(config: InfraConfig, state: ExecutionPolicyState | undefined): void {
  if (!state || executionPolicyVerdict(config.stack, state) !== 'missing') return;
  throw new MnbatchError(
    'INFRA_EXECUTION_POLICY_MISSING',
    `stack ${config.stack}: the managed policy ${state.arn} does not exist, nothing was changed`,
    {
      details: [
        `roles.create is true, so infra up creates the execution role ${stackNames(config.stack).executionRole} and attaches that policy to it; the infra policy may attach it but never write one (docs/iam.md, "The execution role")`,
        'an administrator creates it once:',
        ...createExecutionPolicyCommands(config.stack).map((c) => `  ${c}`),
        'or set roles.create: false and provide the roles yourself (docs/iam.md)',
      ],
    },
  );
}

/** A warning when the administrator's policy is not the one mnbatch expects (jobs may not start). */
export function executionPolicyWarning(
  config: InfraConfig,
  state: ExecutionPolicyState | undefined,
): string | undefined {
  if (!state || executionPolicyVerdict(config.stack, state) !== 'different') return;
  return `warning: ${state.arn} differs from \`mnbatch iam-policy --role execution --stack ${config.stack} --document\`: if ECS cannot read ${stackNames(config.stack).rendezvousKey} with it, jobs fail to start; an administrator can update it with aws iam create-policy-version --set-as-default`;
}
