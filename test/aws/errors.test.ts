import { describe, expect, it } from 'vitest';
import {
  AWS_ERROR,
  AWS_EXIT,
  awsCall,
  awsError,
  awsErrorName,
  IAM_POLICY_VARIANT,
  isAwsError,
  withAwsErrors,
} from '../../src/aws/errors.js';
import { MnbatchError } from '../../src/errors.js';
import { selectedViews } from '../../src/iam/command.js';
import { policyActions } from '../../src/iam/policy.js';
import { permissionsDocument } from '../../src/iam/roles.js';
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
    expect(e.details).toEqual([
      '`mnbatch iam-policy --role submit` (and `--role infra` for infra and ami) lists the permissions mnbatch needs',
    ]);
  });

  it('names the iam-policy variant that grants the denied action to the command', () => {
    const denied = sdkError('AccessDeniedException', 'User: arn:aws:iam::1:user/u is not authorized');

    const infra = awsError(denied, { service: 'ec2', operation: 'RunInstances', command: 'ami bake' });
    const submit = awsError(denied, { service: 'batch', operation: 'SubmitJob', command: 'submit' });

    expect(infra.message).toBe(
      'not allowed to call ec2:RunInstances: User: arn:aws:iam::1:user/u is not authorized',
    );
    expect(infra.details).toEqual([
      '`mnbatch iam-policy --role infra` prints the policy that grants ec2:RunInstances to `mnbatch ami bake`',
    ]);
    expect(submit.details).toEqual([
      '`mnbatch iam-policy --role submit` prints the policy that grants batch:SubmitJob to `mnbatch submit`',
    ]);
    const push = awsError(denied, { service: 'ecr', operation: 'CreateRepository', command: 'image push' });
    expect(push.details).toEqual([
      '`mnbatch iam-policy --role submit` prints the policy that grants ecr:CreateRepository to `mnbatch image push`',
    ]);
  });

  it('tells throttling (by name or HTTP 429) to try later, exit 75', () => {
    const site = { service: 'logs', operation: 'GetLogEvents' };

    expect(awsError(sdkError('ThrottlingException', 'slow down'), site)).toMatchObject({
      code: AWS_ERROR.throttled,
      exitCode: 75,
    });
    expect(awsError(sdkError('Whatever', 'too many', 429), site).code).toBe(AWS_ERROR.throttled);
  });

  it('says how many attempts the SDK made before giving up on throttling', () => {
    const e = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400, attempts: 8 },
    });

    expect(awsError(e, { service: 'batch', operation: 'DescribeJobs' }).message).toBe(
      'AWS kept throttling batch:DescribeJobs after retrying (8 attempts); wait a minute and run the command again',
    );
  });

  it('says how to log in when there are no credentials at all (default chain)', () => {
    const e = awsError(
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      {
        service: 'batch',
        operation: 'ListJobs',
      },
    );

    expect(e).toMatchObject({ code: AWS_ERROR.credentials, exitCode: 77 });
    expect(e.message).toContain('for the default credential chain: run `aws sso login`');
    expect(e.details).toEqual(['CredentialsProviderError: Could not load credentials from any providers']);
  });

  it('names the region when a resource is not found, whatever the service calls it', () => {
    const site = { service: 'ec2', operation: 'DescribeImages', region: 'eu-north-1' };
    for (const name of [
      'ResourceNotFoundException',
      'InvalidAMIID.NotFound',
      'NoSuchEntity',
      'FileSystemNotFound',
    ]) {
      const e = awsError(sdkError(name, 'gone'), site);

      expect(e.code).toBe(AWS_ERROR.notFound);
      expect(e.message).toBe('ec2:DescribeImages: not found in region eu-north-1: gone');
      expect(e.details[0]).toMatch(/wrong region\? pass --region/);
    }
  });

  it('keeps not found, rejected requests and a missing region apart', () => {
    const site = { service: 'batch', operation: 'DescribeJobs' };

    expect(awsError(sdkError('ResourceNotFoundException', 'gone'), site).code).toBe(AWS_ERROR.notFound);
    expect(awsError(sdkError('ResourceNotFoundException', 'gone'), site).message).toBe(
      'batch:DescribeJobs: not found: gone',
    );
    expect(awsError(sdkError('ClientException', 'bad'), site).message).toBe(
      'AWS rejected batch:DescribeJobs: bad',
    );
    expect(awsError(new Error('Region is missing'), site).code).toBe(AWS_ERROR.noRegion);
    expect(awsError(sdkError('InternalError', 'oops', 500), site).message).toBe(
      'batch:DescribeJobs failed (InternalError): oops',
    );
  });
});

describe('IAM_POLICY_VARIANT', () => {
  it('points every AWS command at a policy that holds the calls its code makes', () => {
    // One call per command that only that command's side makes.
    const calls: Record<string, string> = {
      submit: 'batch:SubmitJob',
      status: 'batch:DescribeJobs',
      logs: 'logs:GetLogEvents',
      cancel: 'batch:TerminateJob',
      list: 'batch:ListJobs',
      'image push': 'ecr:CompleteLayerUpload',
      'infra up': 'ec2:CreatePlacementGroup',
      'infra down': 'batch:DeleteComputeEnvironment',
      'infra status': 'elasticfilesystem:DescribeFileSystems',
      'ami bake': 'ec2:CreateImage',
    };

    expect(Object.keys(IAM_POLICY_VARIANT).sort()).toEqual(Object.keys(calls).sort());
    for (const [command, action] of Object.entries(calls)) {
      const variant = IAM_POLICY_VARIANT[command] ?? '';
      const [view] = selectedViews({ role: variant.split(' ').at(-1) });
      const policy = view ? permissionsDocument(view) : undefined;
      expect(policy && policyActions(policy).has(action), `${command}: ${variant} grants ${action}`).toBe(
        true,
      );
    }
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

    const wrapped = withAwsErrors(adapter, 'ec2', { profile: 'hpc' });
    const e = await wrapped.describeImages().catch((x: unknown) => x);

    expect(wrapped.region).toBe('eu-west-1');
    expect(e).toBeInstanceOf(MnbatchError);
    expect((e as MnbatchError).message).toBe('ec2:DescribeImages: not found: no such image');
    expect(awsErrorName(e)).toBe('InvalidAMIID.NotFound');
    expect(awsErrorName(sdkError('DependencyViolation', 'in use'))).toBe('DependencyViolation');
  });
});
