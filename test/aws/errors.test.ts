import { describe, expect, it } from 'vitest';
import {
  AWS_ERROR,
  AWS_EXIT,
  awsCall,
  awsError,
  awsErrorName,
  isAwsError,
  withAwsErrors,
} from '../../src/aws/errors.js';
import { MnbatchError } from '../../src/errors.js';
import { LAUNCHER_EXIT } from '../../src/jobs/exit-codes.js';

/** An error shaped like the SDK's service exceptions: a name and an HTTP status. */
function sdkError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

describe('awsError', () => {
  it('says how to log in again when credentials expired, naming the profile, exit 77', () => {
    const e = awsError(sdkError('ExpiredTokenException', 'token expired'), {
      service: 'batch',
      operation: 'SubmitJob',
      profile: 'hpc',
    });

    expect(e).toMatchObject({ code: AWS_ERROR.credentials, origin: 'aws', exitCode: 77 });
    expect(e.message).toContain('aws sso login --profile hpc');
  });

  it('names the IAM action that was denied and points at iam-policy, exit 77', () => {
    const e = awsError(sdkError('UnauthorizedOperation', 'not allowed'), {
      service: 'ec2',
      operation: 'CreatePlacementGroup',
    });

    expect(e).toMatchObject({ code: AWS_ERROR.accessDenied, exitCode: 77 });
    expect(e.message).toBe('not allowed to call ec2:CreatePlacementGroup: not allowed');
    expect(e.details).toEqual(['see `mnbatch iam-policy` for the permissions mnbatch needs']);
  });

  it('tells throttling (by name or HTTP 429) to try later, exit 75', () => {
    const site = { service: 'logs', operation: 'GetLogEvents' };

    expect(awsError(sdkError('ThrottlingException', 'slow down'), site)).toMatchObject({
      code: AWS_ERROR.throttled,
      exitCode: 75,
    });
    expect(awsError(sdkError('Whatever', 'too many', 429), site).code).toBe(AWS_ERROR.throttled);
  });

  it('keeps not found, rejected requests and a missing region apart', () => {
    const site = { service: 'batch', operation: 'DescribeJobs' };

    expect(awsError(sdkError('ResourceNotFoundException', 'gone'), site).code).toBe(AWS_ERROR.notFound);
    expect(awsError(sdkError('ClientException', 'bad'), site).message).toBe(
      'AWS rejected batch:DescribeJobs: bad',
    );
    expect(awsError(new Error('Region is missing'), site).code).toBe(AWS_ERROR.noRegion);
    expect(awsError(sdkError('InternalError', 'oops', 500), site).message).toBe(
      'batch:DescribeJobs failed (InternalError): oops',
    );
  });
});

describe('exit codes', () => {
  it('the launcher exits with the same codes for AWS failures', () => {
    expect(LAUNCHER_EXIT.awsThrottled).toBe(AWS_EXIT.throttled);
    expect(LAUNCHER_EXIT.awsCredentials).toBe(AWS_EXIT.credentials);
  });
});

describe('awsCall and withAwsErrors', () => {
  it('awsCall passes results through and translates errors', async () => {
    const site = { service: 'batch', operation: 'ListJobs' };

    await expect(awsCall(site, async () => 'ok')).resolves.toBe('ok');
    const failed = await awsCall(site, () => Promise.reject(sdkError('ClientException', 'no'))).catch(
      (e: unknown) => e,
    );
    expect(isAwsError(failed, AWS_ERROR.rejected)).toBe(true);
  });

  it('wraps every method of an adapter, naming Service:Operation, and keeps the original name', async () => {
    const adapter = {
      region: 'eu-west-1',
      async describeImages(): Promise<string[]> {
        throw sdkError('InvalidAMIID.NotFound', 'no such image');
      },
    };

    const wrapped = withAwsErrors(adapter, 'ec2', 'hpc');
    const e = await wrapped.describeImages().catch((x: unknown) => x);

    expect(wrapped.region).toBe('eu-west-1');
    expect(e).toBeInstanceOf(MnbatchError);
    expect((e as MnbatchError).message).toBe('AWS rejected ec2:DescribeImages: no such image');
    expect(awsErrorName(e)).toBe('InvalidAMIID.NotFound');
    expect(awsErrorName(sdkError('DependencyViolation', 'in use'))).toBe('DependencyViolation');
  });
});
