/**
 * The one SDK client factory of mnbatch. Every adapter (`batch.ts`, `ec2.ts`, …) builds its
 * client with `awsClient`, so all of them share: the region and profile resolved once per command
 * (`resolveAwsOptions`), the user agent `mnbatch/<version>`, and adaptive retries. How their
 * errors read is decided in one place too (errors.ts).
 *
 * Region precedence: `--region` > `region:` in infra.yaml (infra commands) > AWS_REGION > the
 * profile's region in the shared config. The profile: `--profile` > AWS_PROFILE > default chain.
 */
import { MnbatchError } from '../errors.js';
import { mnbatchVersion } from '../version.js';
import { AWS_ERROR } from './errors.js';

/** What the user chose (flags, infra.yaml, environment); `command` names the command in errors. */
export interface AwsOptions {
  readonly profile?: string;
  readonly region?: string;
  /** The mnbatch command making the calls (`submit`, `infra up`, …): AccessDenied names its policy. */
  readonly command?: string;
}

/** AwsOptions after `resolveAwsOptions`: the region is known. */
export interface ResolvedAwsOptions extends AwsOptions {
  readonly region: string;
}

/** Retries for throttling and transient errors; `adaptive` also rate-limits the client side. */
export const AWS_RETRY = { retryMode: 'adaptive', maxAttempts: 8 } as const;

/** The configuration every SDK client of mnbatch is created with. */
export interface MnbatchClientConfig {
  region?: string;
  profile?: string;
  customUserAgent: string;
  retryMode: string;
  maxAttempts: number;
}

/** An SDK v3 client class (BatchClient, EC2Client, …). */
export type SdkClientClass<C> = new (config: MnbatchClientConfig) => C;

/** The user agent mnbatch adds to every request (after the SDK's own). */
export function mnbatchUserAgent(): string {
  return `mnbatch/${mnbatchVersion()}`;
}

/** The configuration of every SDK client for `options`. */
export function sdkClientConfig(options: AwsOptions): MnbatchClientConfig {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    customUserAgent: mnbatchUserAgent(),
    ...AWS_RETRY,
  };
}

/** A client of `Client` configured the mnbatch way: the one place SDK clients are constructed. */
export function awsClient<C>(Client: SdkClientClass<C>, options: AwsOptions): C {
  return new Client(sdkClientConfig(options));
}

/** A client whose region provider can be asked (every SDK v3 client). */
interface RegionProbe {
  readonly config: { region: () => Promise<string> };
  destroy(): void;
}

/**
 * `options` with the region decided once for the whole command: the given region, else AWS_REGION
 * of `env`, else what the SDK finds for the profile (asked through a `probe` client that sends
 * nothing). Fails with a clear error, before any call, when no region is configured anywhere.
 */
export async function resolveAwsOptions(
  options: AwsOptions,
  probe: SdkClientClass<RegionProbe>,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ResolvedAwsOptions> {
  const given = options.region ?? env.AWS_REGION;
  if (given) return { ...options, region: given };
  const client = awsClient(probe, options);
  let region = '';
  try {
    region = await client.config.region();
  } catch {
    // No region anywhere: reported below.
  } finally {
    client.destroy();
  }
  if (region) return { ...options, region };
  const where = options.profile
    ? `, or set region in profile ${options.profile}`
    : ', or set it in your profile';
  throw new MnbatchError(AWS_ERROR.noRegion, `no AWS region: pass --region or set AWS_REGION${where}`, {
    origin: 'user',
    ...(options.command?.startsWith('infra') ? { details: ['or set region: in infra.yaml'] } : {}),
  });
}
