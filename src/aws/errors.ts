/**
 * Turns errors of the AWS SDK into MnbatchError with one line a user can act on. Adapters in
 * src/aws wrap every call with `awsCall` (or a whole adapter with `withAwsErrors`), so logic and
 * commands only ever see MnbatchError.
 */
import { EXIT } from '../contract/exit-codes.js';
import { isMnbatchError, MnbatchError } from '../errors.js';

/**
 * Exit codes of AWS failures every command shares (sysexits): the launcher's LAUNCHER_EXIT reuses
 * them, so they are defined here where src/aws needs them.
 */
export const AWS_EXIT = {
  /** AWS throttled a call even after the SDK's retries (EX_TEMPFAIL): try again later. */
  throttled: EXIT.awsThrottled,
  /** AWS credentials expired, missing or not allowed to do the action (EX_NOPERM). */
  credentials: EXIT.awsCredentials,
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

/** Where a call went: the service (`batch`, `logs`, `ec2`, …), the API operation, and the command's AWS settings. */
export interface AwsCallSite extends AwsErrorContext {
  readonly service: string;
  readonly operation: string;
}

/** What the command knows about its AWS settings, for messages: profile, region, which command. */
export interface AwsErrorContext {
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  /** The mnbatch command (`submit`, `infra up`, `ami bake`, …). */
  readonly command?: string | undefined;
}

/**
 * Which `mnbatch iam-policy` variant grants what each command calls: the launcher's commands need
 * the submit policy, the infrastructure commands the `--infra` one (src/iam builds both from the code).
 */
export const IAM_POLICY_VARIANT: Readonly<Record<string, string>> = {
  submit: 'mnbatch iam-policy --role submit',
  status: 'mnbatch iam-policy --role submit',
  logs: 'mnbatch iam-policy --role submit',
  cancel: 'mnbatch iam-policy --role submit',
  list: 'mnbatch iam-policy --role submit',
  'image push': 'mnbatch iam-policy --role submit',
  'infra up': 'mnbatch iam-policy --role infra',
  'infra down': 'mnbatch iam-policy --role infra',
  'infra status': 'mnbatch iam-policy --role infra',
  'ami bake': 'mnbatch iam-policy --role infra',
};

/** The line that says which policy grants `action` to `command`. */
function grantingPolicy(action: string, command: string | undefined): string {
  const variant = command ? IAM_POLICY_VARIANT[command] : undefined;
  if (!variant)
    return `\`mnbatch iam-policy --role submit\` (and \`--role infra\` for infra and ami) lists the permissions mnbatch needs`;
  return `\`${variant}\` prints the policy that grants ${action} to \`mnbatch ${command}\``;
}

/** AWS error codes that mean "no such resource" across services. */
function isNotFoundName(name: string): boolean {
  return (
    name === 'ResourceNotFoundException' ||
    name === 'NoSuchEntity' ||
    name === 'NoSuchEntityException' ||
    /NotFound(Exception)?$/.test(name) ||
    /\.NotFound$/.test(name)
  );
}

/** The MnbatchError that says what went wrong with `site` in one line. */
export function awsError(e: unknown, site: AwsCallSite): MnbatchError {
  const name = e instanceof Error ? e.name : String(e);
  const message = e instanceof Error ? e.message : String(e);
  const metadata = (e as { $metadata?: { httpStatusCode?: number; attempts?: number } })?.$metadata;
  const status = metadata?.httpStatusCode;
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
      details: [grantingPolicy(action, site.command)],
      cause: e,
    });
  }
  if (THROTTLING.has(name) || status === 429) {
    const tries = metadata?.attempts ? ` (${metadata.attempts} attempts)` : '';
    return new MnbatchError(
      AWS_ERROR.throttled,
      `AWS kept throttling ${action} after retrying${tries}; wait a minute and run the command again`,
      { origin, exitCode: AWS_EXIT.throttled, details: [`${name}: ${message}`], cause: e },
    );
  }
  if (isNotFoundName(name)) {
    const where = site.region ? ` in region ${site.region}` : '';
    return new MnbatchError(AWS_ERROR.notFound, `${action}: not found${where}: ${message}`, {
      origin,
      ...(site.region
        ? { details: ['wrong region? pass --region (or set AWS_REGION / the profile’s region)'] }
        : {}),
      cause: e,
    });
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
export function withAwsErrors<T extends object>(
  adapter: T,
  service: string,
  context: AwsErrorContext = {},
): T {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const operation = prop.charAt(0).toUpperCase() + prop.slice(1);
      return (...args: unknown[]) =>
        awsCall({ ...context, service, operation }, () => value.apply(target, args) as Promise<unknown>);
    },
  });
}

/** The AWS error code (`InvalidInstanceType`, `InvalidAMIID.NotFound`) of `e`, also when wrapped. */
export function awsErrorName(e: unknown): string {
  const original = isMnbatchError(e) && e.cause !== undefined ? e.cause : e;
  return original instanceof Error ? original.name : '';
}
