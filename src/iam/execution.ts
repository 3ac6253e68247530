/**
 * The execution role's statements (pure): `iam-policy --role
 * execution` prints them; an administrator creates them once as the customer managed policy
 * mnbatch-<stack>-execution, which `infra up` attaches to the role of that name. The infra policy
 * may attach that one policy but never write a policy, so its holder cannot widen the role that
 * `submit` may pass (docs/iam.md, "The execution role").
 */
import { stackExecutionPolicyName } from '../contract/stack.js';
import type { Grant } from './policy.js';
import type { PolicyScope } from './scope.js';

/** Prefix of the SSM parameters a stack keeps its secrets under (the rendezvous secret: issue 11). */
export function stackParameterPrefix(scope: PolicyScope): string {
  return `/mnbatch/${scope.stack ?? '*'}/`;
}

/** ARN of the stack's execution policy (account-wide name, like the role's). */
export function executionPolicyArn(partition: string, account: string, stack: string): string {
  return `arn:${partition}:iam::${account}:policy/${stackExecutionPolicyName(stack)}`;
}

/**
 * The execution role's statements: read the stack's SecureString parameters through the job
 * definition's `secrets` (ECS agent, with this role). Only the stack's own prefix, and KMS only
 * when SSM decrypts for it.
 */
export function executionGrants(scope: PolicyScope): Grant[] {
  return [
    {
      Sid: 'ReadStackSecrets',
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: `arn:aws:ssm:*:*:parameter${stackParameterPrefix(scope)}*`,
      why: "ECS reads the job definition's `secrets` (the stack's rendezvous secret) from SSM under /mnbatch/<stack>/",
    },
    {
      Sid: 'DecryptViaSsm',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { StringLike: { 'kms:ViaService': 'ssm.*.amazonaws.com' } },
      why: "decrypt those SecureStrings, only when SSM asks KMS on the role's behalf (needed with a customer managed key)",
    },
  ];
}
