/**
 * Turns errors of the AWS SDK into MnbatchError with one line a user can act on. Adapters in
 * src/aws wrap every call with `awsCall` (or a whole adapter with `withAwsErrors`), so logic and
 * commands only ever see MnbatchError.
 */
import { isMnbatchError, MnbatchError } from '../errors.js';

/**
 * Exit codes of AWS failures every command shares (sysexits): the launcher's LAUNCHER_EXIT reuses
 * them, so they are defined here where src/aws needs them.
 */
export const AWS_EXIT = {
  /** AWS throttled a call even after the SDK's retries (EX_TEMPFAIL): try again later. */
  throttled: 75,
  /** AWS credentials expired, missing or not allowed to do the action (EX_NOPERM). */
  credentials: 77,
} as const;

/** Error codes callers look at (the launcher's loops, the bake, infra). */
export const AWS_ERROR = {
  credentials: 'AWS_CREDENTIALS',
  accessDenied: 'AWS_ACCESS_DENIED',
  throttled: 'AWS_THROTTLED',
  notFound: 'AWS_NOT_FOUND',
  rejected: 'AWS_REJECTED',
  failed: 'AWS_FAILED',
  noRegion: 'AWS_NO_REGION',
} as const;

const CREDENTIAL_ERRORS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'TokenProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
  'UnauthorizedException',
  'RequestExpired',
]);
const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

/** Where a call went: the service (`batch`, `logs`, `ec2`, …), the API operation, and the profile the credentials came from. */
export interface AwsCallSite {
  readonly service: string;
  readonly operation: string;
  readonly profile?: string | undefined;
}

/** The MnbatchError that says what went wrong with `site` in one line. */
export function awsError(e: unknown, site: AwsCallSite): MnbatchError {
  const name = e instanceof Error ? e.name : String(e);
  const message = e instanceof Error ? e.message : String(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const action = `${site.service}:${site.operation}`;
  const origin = 'aws' as const;
  if (/region is missing/i.test(message)) {
    return new MnbatchError(
      AWS_ERROR.noRegion,
      'no AWS region: pass --region, set AWS_REGION, or set a region in the profile',
      {
        origin,
        cause: e,
      },
    );
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    const who = site.profile ? `profile ${site.profile}` : 'the default credential chain';
    const login = site.profile ? `aws sso login --profile ${site.profile}` : 'aws sso login';
    return new MnbatchError(
      AWS_ERROR.credentials,
      `AWS credentials expired or missing for ${who}: run \`${login}\` (or set AWS_PROFILE / --profile) and try again`,
      { origin, exitCode: AWS_EXIT.credentials, details: [`${name}: ${message}`], cause: e },
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return new MnbatchError(AWS_ERROR.accessDenied, `not allowed to call ${action}: ${message}`, {
      origin,
      exitCode: AWS_EXIT.credentials,
      details: ['see `mnbatch iam-policy` for the permissions mnbatch needs'],
      cause: e,
    });
  }
  if (THROTTLING.has(name) || status === 429) {
    return new MnbatchError(
      AWS_ERROR.throttled,
      `AWS kept throttling ${action} after retrying; wait a minute and run the command again`,
      { origin, exitCode: AWS_EXIT.throttled, details: [`${name}: ${message}`], cause: e },
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new MnbatchError(AWS_ERROR.notFound, `${action}: ${message}`, { origin, cause: e });
  }
  if (name === 'ClientException' || name === 'InvalidParameterException' || status === 400) {
    return new MnbatchError(AWS_ERROR.rejected, `AWS rejected ${action}: ${message}`, { origin, cause: e });
  }
  return new MnbatchError(AWS_ERROR.failed, `${action} failed (${name}): ${message}`, { origin, cause: e });
}

/** Runs one SDK call and translates its error. */
export async function awsCall<T>(site: AwsCallSite, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw awsError(e, site);
  }
}

/** True when `e` is the MnbatchError for `code` (one of AWS_ERROR). */
export function isAwsError(e: unknown, code: (typeof AWS_ERROR)[keyof typeof AWS_ERROR]): boolean {
  return e instanceof MnbatchError && e.code === code;
}

/** `adapter` with every method's errors turned into MnbatchError naming `service:Operation`. */
export function withAwsErrors<T extends object>(adapter: T, service: string, profile?: string): T {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const operation = prop.charAt(0).toUpperCase() + prop.slice(1);
      return (...args: unknown[]) =>
        awsCall({ service, operation, profile }, () => value.apply(target, args) as Promise<unknown>);
    },
  });
}

/** The AWS error code (`InvalidInstanceType`, `InvalidAMIID.NotFound`) of `e`, also when wrapped. */
export function awsErrorName(e: unknown): string {
  const original = isMnbatchError(e) && e.cause !== undefined ? e.cause : e;
  return original instanceof Error ? original.name : '';
}
