/**
 * Runs one request through the IAM policy simulator (@cloud-copilot/iam-simulate) against one
 * identity policy, in strict mode: every context key is taken as given, and the keys the
 * simulator drops because they do not apply to the action are reported back.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../src/iam/policy.js';

/** The account and region of the simulated requests. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** One request: an action on a resource with its context keys. */
export interface SimRequest {
  readonly what: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** The resource's own policy (a KMS key's), when the service needs one. */
  readonly resourcePolicy?: unknown;
}

/** A KMS key's default key policy: it lets IAM policies of the account grant use of the key. */
export const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/** The simulator's decision, and the context keys it did not evaluate. */
export interface SimDecision {
  readonly result: string;
  readonly ignoredKeys: readonly string[];
  readonly errors?: string;
}

/** Decides `request` for a principal holding only `policy`. */
export async function decide(policy: PolicyDocument, request: SimRequest): Promise<SimDecision> {
  const r = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalAccount': ACCOUNT, ...request.context },
      },
      identityPolicies: [{ name: 'mnbatch', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
    },
    { simulationMode: 'Strict' },
  );
  if (r.resultType === 'error') return { result: 'Error', ignoredKeys: [], errors: JSON.stringify(r.errors) };
  if (r.resultType === 'single') {
    return { result: r.overallResult, ignoredKeys: r.result.ignoredContextKeys ?? [] };
  }
  // A resource ARN with a wildcard (RunInstances' `instance/*`): decided for each matching type.
  return {
    result: r.overallResult,
    ignoredKeys: [...new Set(r.results.flatMap((x) => x.ignoredContextKeys ?? []))],
  };
}
