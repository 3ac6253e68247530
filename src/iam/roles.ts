/**
 * The five things `iam-policy --role` prints: the policies of the two kinds of users (submit,
 * infra) and the three roles AWS runs a job with (job, instance, execution). Pure.
 */

import { executionGrants } from './execution.js';
import { infraGrants } from './grants-infra.js';
import { submitGrants } from './grants-submit.js';
import type { CallerSide } from './needed.js';
import { documentOf, type Grant, managedPolicyParts, type PolicyDocument } from './policy.js';
import { INSTANCE_ROLE_POLICY, type PolicyScope } from './scope.js';

/** The names `--role` accepts. */
export const ROLE_NAMES = ['job', 'instance', 'execution', 'submit', 'infra'] as const;
/** One of ROLE_NAMES. */
export type RoleName = (typeof ROLE_NAMES)[number];

/** A role AWS assumes: who may assume it, the managed policies on it, its own statements. */
export interface RoleView {
  readonly kind: 'role';
  readonly name: RoleName;
  readonly summary: string;
  readonly roleName: string;
  readonly trustedService: string;
  readonly managedPolicyArns: readonly string[];
  readonly grants: readonly Grant[];
  /** How the statements reach the role when an administrator, not mnbatch, writes them. */
  readonly adminPolicy?: string;
}

/** A policy to attach to the user or CI role that runs mnbatch. */
export interface UserPolicyView {
  readonly kind: 'user';
  readonly name: CallerSide;
  readonly summary: string;
  readonly grants: readonly Grant[];
}

/** What `iam-policy --role <name>` shows. */
export type PolicyView = RoleView | UserPolicyView;

/** What `iam-policy --role name` shows for `scope`. */
export function policyView(name: RoleName, scope: PolicyScope): PolicyView {
  // A role's own name cannot hold a wildcard: show where the stack name goes.
  const base = `mnbatch-${scope.stack ?? '<stack>'}`;
  switch (name) {
    case 'submit':
      return {
        kind: 'user',
        name,
        summary: 'for users and CI that submit, follow, list and cancel jobs',
        grants: submitGrants(scope),
      };
    case 'infra':
      return {
        kind: 'user',
        name,
        summary: 'for whoever runs infra up/down/status and ami bake',
        grants: infraGrants(scope),
      };
    case 'job':
      return {
        kind: 'role',
        name,
        summary:
          "the job's containers run with it; mnbatch's agent makes no AWS calls, so it needs nothing: add what your program needs",
        roleName: `${base}-job`,
        trustedService: 'ecs-tasks.amazonaws.com',
        managedPolicyArns: [],
        grants: [],
      };
    case 'instance':
      return {
        kind: 'role',
        name,
        summary: 'the container instances run with it (ECS agent, image pulls from ECR, awslogs)',
        roleName: `${base}-instance`,
        trustedService: 'ec2.amazonaws.com',
        managedPolicyArns: [INSTANCE_ROLE_POLICY],
        grants: [],
      };
    case 'execution':
      return {
        kind: 'role',
        name,
        summary: "ECS reads the job definition's secrets with it",
        roleName: `${base}-execution`,
        trustedService: 'ecs-tasks.amazonaws.com',
        managedPolicyArns: [],
        grants: executionGrants(scope),
        adminPolicy: `an administrator creates these statements once as the managed policy ${base}-execution (\`--document\` prints them); infra up attaches it and never writes it`,
      };
  }
}

/** The permissions document of a view; undefined for a role with no statements of its own. */
export function permissionsDocument(view: PolicyView): PolicyDocument | undefined {
  return view.grants.length > 0 ? documentOf(view.grants) : undefined;
}

/** A role as CloudFormation's AWS::IAM::Role properties spell it: trust, managed policies, inline policy. */
export function roleProperties(view: RoleView) {
  const permissions = permissionsDocument(view);
  return {
    RoleName: view.roleName,
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: view.trustedService }, Action: 'sts:AssumeRole' }],
    },
    ...(view.managedPolicyArns.length > 0 ? { ManagedPolicyArns: [...view.managedPolicyArns] } : {}),
    ...(permissions
      ? { Policies: [{ PolicyName: `mnbatch-${view.name}`, PolicyDocument: permissions }] }
      : {}),
  };
}

/** A customer managed policy an administrator creates and attaches: its name and document. */
export interface ManagedPolicy {
  readonly PolicyName: string;
  readonly PolicyDocument: PolicyDocument;
}

/**
 * The managed policies of user views (submit, infra), each within IAM's size quota for one
 * managed policy: `mnbatch[-<stack>]-<side>`, numbered `-1`, `-2`, … when the side needs several.
 */
export function managedPolicies(views: readonly UserPolicyView[], scope: PolicyScope): ManagedPolicy[] {
  return views.flatMap((view) => {
    const base = `mnbatch${scope.stack ? `-${scope.stack}` : ''}-${view.name}`;
    const parts = managedPolicyParts(documentOf(view.grants));
    return parts.map((PolicyDocument, i) => ({
      PolicyName: parts.length > 1 ? `${base}-${i + 1}` : base,
      PolicyDocument,
    }));
  });
}
