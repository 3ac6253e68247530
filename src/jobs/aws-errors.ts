/**
 * Turns errors of the AWS SDK into MnbatchError with one line a user can act on. Adapters in
 * src/aws wrap every call with `awsCall`, so logic and commands only ever see MnbatchError.
 * (Kept here because the brief gave this helper src/jobs; other adapters can import it.)
 */
import { MnbatchError } from '../errors.js';
import { LAUNCHER_EXIT } from './exit-codes.js';

/** Error codes the launcher's loops look at. */
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

/** Where a call went: `batch` / `logs`, the API operation, and the profile the credentials came from. */
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
      { origin, exitCode: LAUNCHER_EXIT.awsCredentials, details: [`${name}: ${message}`], cause: e },
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return new MnbatchError(AWS_ERROR.accessDenied, `not allowed to call ${action}: ${message}`, {
      origin,
      exitCode: LAUNCHER_EXIT.awsCredentials,
      details: ['see `mnbatch iam-policy` for the permissions mnbatch needs'],
      cause: e,
    });
  }
  if (THROTTLING.has(name) || status === 429) {
    return new MnbatchError(
      AWS_ERROR.throttled,
      `AWS kept throttling ${action} after retrying; wait a minute and run the command again`,
      { origin, exitCode: LAUNCHER_EXIT.awsThrottled, details: [`${name}: ${message}`], cause: e },
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
