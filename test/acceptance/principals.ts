/**
 * Who runs each step of an acceptance run. The target's own credentials are the administrator's:
 * they create, for the run, two roles that hold exactly the managed policies `mnbatch iam-policy
 * --role submit|infra --stack <run> --json` prints, and the suite runs `infra up/down` as the
 * infra role and `submit`, `status`, `logs` and `cancel` as the submit role. On AWS, a step that
 * needs a permission the generated policies lack fails with AccessDenied, so the run proves the
 * policies are enough (moto does not evaluate policies: there it proves the mechanics).
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { partitionOf } from '../../src/aws/sts.js';
import type { ManagedPolicy } from '../../src/iam/roles.js';
import type { CliResult } from '../_helpers/cli-process.js';
import type { SdkConfig } from './target.js';

/** The generated policies a run's commands run under. */
export const SIDES = ['submit', 'infra'] as const;
export type Side = (typeof SIDES)[number];

/** Name of the role of run `runId` that holds `side`'s generated policies. */
export function sideRoleName(runId: string, side: Side): string {
  return `mnbatch-${runId}-as-${side}`;
}

/** Whether `name` is one of the run's side roles (teardown deletes them; infra down does not own them). */
export function isSideRole(runId: string, name: string): boolean {
  return SIDES.some((side) => sideRoleName(runId, side) === name);
}

/** Credentials as the CLI reads them from its environment. */
export type CredentialsEnv = Readonly<
  Record<'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_SESSION_TOKEN', string>
>;

interface Deps {
  readonly sdk: SdkConfig;
  /** The CLI as the administrator (the target's own credentials). */
  readonly cli: (args: readonly string[]) => Promise<CliResult>;
  readonly say: (line: string) => void;
}

/** The administrator's account and partition. */
async function caller(sts: STSClient): Promise<{ partition: string; account: string }> {
  const me = await sts.send(new GetCallerIdentityCommand({}));
  return { partition: partitionOf(me.Arn ?? ''), account: me.Account ?? '' };
}

/** As the administrator: the two side roles, each with its generated managed policies attached. */
export async function createSideRoles(deps: Deps, runId: string): Promise<void> {
  const sts = new STSClient(deps.sdk);
  const iam = new IAMClient(deps.sdk);
  try {
    const { partition, account } = await caller(sts);
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    for (const side of SIDES) {
      const printed = await deps.cli(['iam-policy', '--role', side, '--stack', runId, '--json']);
      if (printed.code !== 0)
        throw new Error(`iam-policy --role ${side} exited ${printed.code}: ${printed.stderr}`);
      const role = sideRoleName(runId, side);
      await iam.send(
        new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify(trust) }),
      );
      for (const { PolicyName, PolicyDocument } of JSON.parse(printed.stdout) as ManagedPolicy[]) {
        const made = await iam.send(
          new CreatePolicyCommand({ PolicyName, PolicyDocument: JSON.stringify(PolicyDocument) }),
        );
        await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: made.Policy?.Arn ?? '' }));
      }
      deps.say(`created role ${role} with the generated ${side} policies (as the administrator)`);
    }
  } finally {
    sts.destroy();
    iam.destroy();
  }
}

/**
 * Fresh credentials of `side`'s role (an hour long; each step asks anew). A role IAM made
 * seconds ago may not be assumable yet: AccessDenied is retried for up to `patienceMs`.
 */
export async function sideCredentials(
  sdk: SdkConfig,
  runId: string,
  side: Side,
  patienceMs = 120_000,
): Promise<CredentialsEnv> {
  const sts = new STSClient(sdk);
  const deadline = Date.now() + patienceMs;
  try {
    const { partition, account } = await caller(sts);
    const RoleArn = `arn:${partition}:iam::${account}:role/${sideRoleName(runId, side)}`;
    for (;;) {
      try {
        const out = await sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: `acceptance-${side}` }));
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
          throw new Error(`AssumeRole ${RoleArn}: no credentials`);
        return {
          AWS_ACCESS_KEY_ID: c.AccessKeyId,
          AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
          AWS_SESSION_TOKEN: c.SessionToken,
        };
      } catch (e) {
        if ((e as { name?: string }).name !== 'AccessDenied' || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 5_000));
      }
    }
  } finally {
    sts.destroy();
  }
}

/** Teardown: detaches every policy from `role` and deletes it (its policies are deleted by name afterwards). */
export async function deleteSideRole(iam: IAMClient, role: string): Promise<void> {
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
  for (const p of attached.AttachedPolicies ?? [])
    await iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: p.PolicyArn }));
  await iam.send(new DeleteRoleCommand({ RoleName: role }));
}
