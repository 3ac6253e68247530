/**
 * Checks of the account: who the credentials are, the region, the permissions mnbatch needs
 * (by IAM policy simulation) and Batch's service-linked role.
 */
import { AWS_ERROR, isAwsError } from '../aws/errors.js';
import type { PolicyDocument } from '../iam/policy.js';
import { permissionsDocument, policyView } from '../iam/roles.js';
import { parseScope } from '../iam/scope.js';
import type { InfraConfig } from '../infra/config.js';
import {
  createExecutionPolicyCommands,
  executionPolicyVerdict,
  readExecutionPolicy,
} from '../infra/execution-policy.js';
import type { DoctorFacts, DoctorInput } from './input.js';
import { describeAction, principalOf, simulationsFor } from './permissions.js';
import { type CheckResult, fail, ok, skip, warn } from './report.js';
import type { DoctorServices } from './services.js';

/** The role Batch uses to manage EC2 and ECS for compute environments. */
export const BATCH_SERVICE_LINKED_ROLE = 'AWSServiceRoleForBatch';

/** The accounts infra.yaml names in role and instance profile ARNs. */
export function accountsNamed(input: DoctorInput): string[] {
  const roles = input.infra?.roles;
  const arns = [roles?.instanceProfile, roles?.jobRoleArn].filter((a): a is string => a !== undefined);
  return [...new Set(arns.flatMap((a) => /^arn:[\w-]+:iam::(\d{12}):/.exec(a)?.[1] ?? []))];
}

/**
 * `identity`: whose credentials these are, and that their account is the one infra.yaml's role
 * ARNs name (fails with the credential error's own fix when there are none).
 */
export async function identityCheck(input: DoctorInput, facts: DoctorFacts): Promise<CheckResult> {
  const id = await facts.identity();
  const other = accountsNamed(input).filter((a) => a !== id.account);
  if (other.length > 0)
    return fail(
      'identity',
      `${id.arn} is in account ${id.account}, but ${input.infraFile ?? 'infra.yaml'} names roles of account ${other.join(', ')}`,
      'use credentials of the stack’s account (--profile / AWS_PROFILE), or fix the role ARNs',
    );
  return ok('identity', `${id.arn} (account ${id.account})`);
}

/** `region`: the region the checks run in, and that it is the stack's (infra.yaml) when both are given. */
export function regionCheck(services: DoctorServices, input: DoctorInput): CheckResult {
  const stackRegion = input.infra?.region;
  if (stackRegion && input.regionFlag && stackRegion !== input.regionFlag)
    return fail(
      'region',
      `--region ${input.regionFlag}, but the stack in ${input.infraFile ?? 'infra.yaml'} is in ${stackRegion}`,
      `drop --region or use --region ${stackRegion}`,
    );
  return ok('region', `${services.region} (from ${services.regionSource})`);
}

/** The policies whose actions a run with these files needs. */
export function policiesFor(input: DoctorInput): { readonly docs: PolicyDocument[]; readonly flag: string } {
  const scope = parseScope({ stack: input.infra?.stack });
  const doc = (role: 'submit' | 'infra') => permissionsDocument(policyView(role, scope)) as PolicyDocument;
  const stack = input.infra ? ` --stack ${input.infra.stack}` : '';
  if (input.infra && input.job) return { docs: [doc('submit'), doc('infra')], flag: ` --infra${stack}` };
  if (input.infra) return { docs: [doc('infra')], flag: ` --role infra${stack}` };
  return { docs: [doc('submit')], flag: ' --role submit' };
}

/** The ARN to simulate for the caller; for an assumed role, the role's ARN with its path (GetRole). */
async function principalArn(
  services: DoctorServices,
  callerArn: string,
): Promise<{ arn: string } | { skip: string }> {
  const principal = principalOf(callerArn);
  if (principal.kind === 'unsupported') return { skip: principal.why };
  if (principal.kind === 'user') return { arn: principal.arn };
  try {
    const role = await services.iam.getRole(principal.roleName);
    return { arn: role?.Arn ?? principal.fallbackArn };
  } catch (e) {
    // Roles with a path (SSO roles live under /aws-reserved/…) need GetRole to be found.
    if (isAwsError(e, AWS_ERROR.accessDenied)) return { arn: principal.fallbackArn };
    throw e;
  }
}

/** `permissions`: every action mnbatch needs for the given files, by iam:SimulatePrincipalPolicy. */
export async function permissionsCheck(
  services: DoctorServices,
  input: DoctorInput,
  facts: DoctorFacts,
): Promise<CheckResult> {
  const { docs, flag } = policiesFor(input);
  const fix = `create and attach the managed policies of \`mnbatch iam-policy${flag} --json\` to your user or role`;
  const identity = await facts.identity();
  const who = await principalArn(services, identity.arn);
  if ('skip' in who) return skip('permissions', 'not simulated', who.skip);
  const denied: string[] = [];
  let total = 0;
  try {
    for (const sim of simulationsFor(docs, { account: identity.account, region: services.region })) {
      const results = await services.iam.simulatePrincipalPolicy({
        policySourceArn: who.arn,
        actionNames: sim.actionNames,
        contextEntries: sim.contextEntries,
        ...(sim.resourceArns.length > 0 ? { resourceArns: sim.resourceArns } : {}),
      });
      total += sim.actionNames.length;
      for (const r of results)
        if (r.EvalDecision !== 'allowed')
          denied.push(describeAction(r.EvalActionName ?? '?', sim.contextEntries));
    }
  } catch (e) {
    if (isAwsError(e, AWS_ERROR.accessDenied))
      return skip(
        'permissions',
        'not simulated: iam:SimulatePrincipalPolicy is not allowed',
        `allow iam:SimulatePrincipalPolicy on ${who.arn} to check, or compare with \`mnbatch iam-policy${flag}\``,
      );
    throw e;
  }
  if (denied.length > 0)
    return fail('permissions', `${who.arn} is not allowed: ${[...new Set(denied)].join(', ')}`, fix);
  return ok('permissions', `${who.arn} is allowed all ${total} actions mnbatch needs here`);
}

/**
 * `execution-policy` (infra.yaml `roles.create: true`): the managed policy an administrator
 * creates before the first `infra up` exists and is the one mnbatch expects.
 */
export async function executionPolicyCheck(
  services: DoctorServices,
  infra: InfraConfig,
  facts: DoctorFacts,
): Promise<CheckResult> {
  const { arn, document } = await readExecutionPolicy(services.iam, await facts.identity(), infra.stack);
  const verdict = executionPolicyVerdict(infra.stack, { arn, document });
  if (verdict === 'missing')
    return fail(
      'execution-policy',
      `${arn} does not exist: infra up (roles.create: true) stops before changing anything`,
      `an administrator creates it once: ${createExecutionPolicyCommands(infra.stack).join(' && ')}`,
    );
  if (verdict === 'different')
    return warn(
      'execution-policy',
      `${arn} differs from what mnbatch expects: ECS may not read the stack's rendezvous key`,
      `compare with \`mnbatch iam-policy --role execution --stack ${infra.stack} --document\` and update it (aws iam create-policy-version --set-as-default)`,
    );
  return ok('execution-policy', `${arn} exists, as mnbatch expects it`);
}

/** `service-linked-role`: AWSServiceRoleForBatch exists (Batch makes it on first use, if allowed). */
export async function serviceLinkedRoleCheck(services: DoctorServices): Promise<CheckResult> {
  const role = await services.iam.getRole(BATCH_SERVICE_LINKED_ROLE);
  if (role) return ok('service-linked-role', `${BATCH_SERVICE_LINKED_ROLE} exists`);
  return warn(
    'service-linked-role',
    `${BATCH_SERVICE_LINKED_ROLE} does not exist`,
    'Batch creates it with the first compute environment when you may iam:CreateServiceLinkedRole; else `aws iam create-service-linked-role --aws-service-name batch.amazonaws.com`',
  );
}
