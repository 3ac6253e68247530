/**
 * One place that decides how mnbatch talks to AWS: credentials from the standard chain
 * (`--profile`, `--region`, environment, shared config, instance role), adaptive retries for
 * throttling. Service adapters (`batch.ts`, `logs.ts`, ...) build their SDK client from
 * `sdkClientConfig()` and expose only the calls mnbatch makes.
 */

/** What the user chose on the command line. */
export interface AwsOptions {
  readonly profile?: string;
  readonly region?: string;
}

/** Retries for throttling and transient errors; `adaptive` also rate-limits the client side. */
export const AWS_RETRY = { retryMode: 'adaptive', maxAttempts: 8 } as const;

/** The configuration every SDK client of mnbatch is created with. */
export function sdkClientConfig(options: AwsOptions): {
  region?: string;
  profile?: string;
  retryMode: string;
  maxAttempts: number;
} {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...AWS_RETRY,
  };
}
