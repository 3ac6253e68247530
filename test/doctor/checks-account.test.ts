import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import {
  executionPolicyCheck,
  identityCheck,
  permissionsCheck,
  regionCheck,
  serviceLinkedRoleCheck,
} from '../../src/doctor/checks-account.js';
import { doctorFacts } from '../../src/doctor/input.js';
import { principalOf, simulationsFor } from '../../src/doctor/permissions.js';
import { type PolicyDocument, policyActions } from '../../src/iam/policy.js';
import { permissionsDocument, policyView } from '../../src/iam/roles.js';
import { parseScope } from '../../src/iam/scope.js';
import { expectedExecutionPolicy } from '../../src/infra/execution-policy.js';
import { ACCOUNT, doctorMocks, healthy, infraConfig, sdkError, services, USER_ARN } from './_mock-sdk.js';

const { iamMock, stsMock } = doctorMocks();

const facts = (input = {}) => doctorFacts(services(), input);

/** The generated policies as `iam-policy --role submit|infra` prints them for every stack. */
const SUBMIT_POLICY = permissionsDocument(policyView('submit', parseScope({}))) as PolicyDocument;
const INFRA_POLICY = permissionsDocument(policyView('infra', parseScope({}))) as PolicyDocument;

describe('identity', () => {
  it('given working credentials, names the caller and account', async () => {
    healthy();
    expect(await identityCheck({}, facts())).toEqual({
      check: 'identity',
      status: 'ok',
      detail: `${USER_ARN} (account ${ACCOUNT})`,
    });
  });

  it('given expired credentials, throws the credential error that names the fix', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(sdkError('ExpiredToken', 'The security token included in the request is expired', 403));
    await expect(identityCheck({}, facts())).rejects.toThrow(/credentials expired or missing.*aws sso login/);
  });
});

describe('identity and infra.yaml', () => {
  it('fails when infra.yaml names roles of another account', async () => {
    healthy();
    const infra = infraConfig({
      roles: { instanceProfile: 'arn:aws:iam::210987654321:instance-profile/ecsInstanceRole' },
    });
    const result = await identityCheck({ infra, infraFile: 'infra.yaml' }, facts());
    expect(result).toMatchObject({ status: 'fail' });
    expect(result.detail).toBe(
      `${USER_ARN} is in account ${ACCOUNT}, but infra.yaml names roles of account 210987654321`,
    );
  });

  it('is ok when the role ARNs are of the caller’s account', async () => {
    healthy();
    const infra = infraConfig({ roles: { jobRoleArn: `arn:aws:iam::${ACCOUNT}:role/job` } });
    expect((await identityCheck({ infra }, facts())).status).toBe('ok');
  });
});

describe('region', () => {
  it('says where the region came from', () => {
    expect(regionCheck(services(), {})).toMatchObject({ status: 'ok', detail: 'us-east-1 (from test)' });
  });

  it('fails when --region differs from the stack region in infra.yaml', () => {
    const result = regionCheck(services(), {
      infra: infraConfig({ region: 'eu-west-1' }),
      infraFile: 'infra.yaml',
      regionFlag: 'us-east-1',
    });
    expect(result).toMatchObject({ status: 'fail', fix: 'drop --region or use --region eu-west-1' });
    expect(result.detail).toContain('the stack in infra.yaml is in eu-west-1');
  });
});

describe('permissions', () => {
  it('simulates every action of the submit policy for the calling user, with PassRole per service', async () => {
    healthy();
    const result = await permissionsCheck(services(), {}, facts());
    expect(result.status).toBe('ok');
    const calls = iamMock.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    expect(calls.every((c) => c.PolicySourceArn === USER_ARN)).toBe(true);
    expect(new Set(calls.flatMap((c) => c.ActionNames ?? []))).toEqual(policyActions(SUBMIT_POLICY));
    expect(calls.filter((c) => c.ActionNames?.includes('iam:PassRole')).map((c) => c.ContextEntries)).toEqual(
      [
        [
          {
            ContextKeyName: 'iam:PassedToService',
            ContextKeyValues: ['batch.amazonaws.com'],
            ContextKeyType: 'string',
          },
        ],
        [
          {
            ContextKeyName: 'iam:PassedToService',
            ContextKeyValues: ['ecs-tasks.amazonaws.com'],
            ContextKeyType: 'string',
          },
        ],
      ],
    );
  });

  it('with infra.yaml, simulates the infra policy too', async () => {
    healthy();
    await permissionsCheck(services(), { infra: infraConfig() }, facts());
    const asked = new Set(
      iamMock.commandCalls(SimulatePrincipalPolicyCommand).flatMap((c) => c.args[0].input.ActionNames ?? []),
    );
    expect(asked).toEqual(policyActions(INFRA_POLICY));
  });

  it('fails naming each denied action and the policy to attach', async () => {
    healthy();
    iamMock.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({
        EvalActionName: a,
        EvalDecision: a === 'batch:SubmitJob' || a === 'iam:PassRole' ? 'implicitDeny' : 'allowed',
      })),
    }));
    const result = await permissionsCheck(services(), {}, facts());
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      `${USER_ARN} is not allowed: batch:SubmitJob, batch:SubmitJob (aws:RequestTag/mnbatch:job=*), batch:SubmitJob (aws:ResourceTag/mnbatch:job=*), iam:PassRole (iam:PassedToService=batch.amazonaws.com), iam:PassRole (iam:PassedToService=ecs-tasks.amazonaws.com)`,
    );
    expect(result.fix).toBe(
      'create and attach the managed policies of `mnbatch iam-policy --role submit --json` to your user or role',
    );
  });

  it('reads every page of the simulation', async () => {
    healthy();
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .resolvesOnce({
        EvaluationResults: [{ EvalActionName: 'batch:ListJobs', EvalDecision: 'allowed' }],
        IsTruncated: true,
        Marker: 'm1',
      })
      .resolves({
        EvaluationResults: [{ EvalActionName: 'batch:SubmitJob', EvalDecision: 'explicitDeny' }],
        IsTruncated: false,
      });
    const result = await permissionsCheck(services(), {}, facts());
    expect(result.detail).toContain('not allowed: batch:SubmitJob');
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)[1]?.args[0].input.Marker).toBe('m1');
  });

  it('simulates an assumed role by its role ARN, path included (GetRole)', async () => {
    healthy();
    stsMock.on(GetCallerIdentityCommand).resolves({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com`,
      UserId: 'AROAEXAMPLE:alice@example.com',
    });
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123`;
    iamMock.on(GetRoleCommand, { RoleName: 'AWSReservedSSO_Admin_0123' }).resolves({
      Role: {
        Path: '/aws-reserved/sso.amazonaws.com/',
        RoleName: 'AWSReservedSSO_Admin_0123',
        RoleId: 'AROAEXAMPLEROLE0123',
        Arn: roleArn,
        CreateDate: new Date('2025-01-01T00:00:00Z'),
      },
    });
    expect((await permissionsCheck(services(), {}, facts())).status).toBe('ok');
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)[0]?.args[0].input.PolicySourceArn).toBe(
      roleArn,
    );
  });

  it('is skipped with a note when the simulation itself is not allowed', async () => {
    healthy();
    iamMock
      .on(SimulatePrincipalPolicyCommand)
      .rejects(sdkError('AccessDenied', 'not authorized to perform: iam:SimulatePrincipalPolicy', 403));
    const result = await permissionsCheck(services(), {}, facts());
    expect(result).toMatchObject({
      status: 'skip',
      detail: 'not simulated: iam:SimulatePrincipalPolicy is not allowed',
    });
    expect(result.fix).toContain('allow iam:SimulatePrincipalPolicy');
  });

  it('is skipped for the root user (nothing to simulate)', async () => {
    healthy();
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root`, UserId: ACCOUNT });
    expect(await permissionsCheck(services(), {}, facts())).toMatchObject({ status: 'skip' });
    expect(iamMock.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(0);
  });
});

describe('principalOf and simulationsFor', () => {
  it('maps caller ARNs to the principal IAM can simulate', () => {
    expect(principalOf('arn:aws-cn:sts::123456789012:assumed-role/Ops/session')).toEqual({
      kind: 'role',
      roleName: 'Ops',
      fallbackArn: 'arn:aws-cn:iam::123456789012:role/Ops',
    });
    expect(principalOf('arn:aws:sts::123456789012:federated-user/bob').kind).toBe('unsupported');
  });

  it('asks about the unconditional actions in one simulation', () => {
    const [first, ...rest] = simulationsFor([SUBMIT_POLICY], { account: ACCOUNT, region: 'us-east-1' });
    expect(first?.contextEntries).toEqual([]);
    expect(first?.actionNames).toContain('batch:DescribeJobs');
    expect(first?.resourceArns).toEqual([]);
    // A grant scoped to resources is asked about resources it covers, as mnbatch names them.
    const submit = rest.find(
      (s) => s.actionNames.includes('batch:SubmitJob') && s.contextEntries.length === 0,
    );
    expect(submit?.resourceArns).toEqual([`arn:aws:batch:us-east-1:${ACCOUNT}:job-queue/mnbatch-doctor`]);
    // Each conditional statement is asked once per combination of its condition values.
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((s) => s.contextEntries.length > 0 || s.resourceArns.length > 0)).toBe(true);
    expect(rest.filter((s) => s.actionNames.join() === 'iam:PassRole').length).toBeGreaterThan(1);
  });
});

describe('service-linked-role', () => {
  it('is ok when AWSServiceRoleForBatch exists', async () => {
    healthy();
    expect(await serviceLinkedRoleCheck(services())).toMatchObject({ status: 'ok' });
  });

  it('warns when it does not exist, saying Batch may create it', async () => {
    iamMock
      .on(GetRoleCommand)
      .rejects(
        sdkError('NoSuchEntityException', 'The role with name AWSServiceRoleForBatch cannot be found.', 404),
      );
    const result = await serviceLinkedRoleCheck(services());
    expect(result).toMatchObject({ status: 'warn', detail: 'AWSServiceRoleForBatch does not exist' });
    expect(result.fix).toContain('create-service-linked-role --aws-service-name batch.amazonaws.com');
  });
});

describe('execution-policy (roles.create: true)', () => {
  const infra = infraConfig({ roles: { create: true } });
  const arn = `arn:aws:iam::${ACCOUNT}:policy/mnbatch-${infra.stack}-execution`;
  const withPolicy = (document: string) => {
    iamMock
      .on(GetPolicyCommand, { PolicyArn: arn })
      .resolves({ Policy: { Arn: arn, DefaultVersionId: 'v3' } });
    iamMock
      .on(GetPolicyVersionCommand, { PolicyArn: arn, VersionId: 'v3' })
      .resolves({ PolicyVersion: { Document: encodeURIComponent(document), VersionId: 'v3' } });
  };

  it('is ok when the administrator made it from `iam-policy --role execution --document`', async () => {
    healthy();
    withPolicy(expectedExecutionPolicy(infra.stack));
    expect(await executionPolicyCheck(services(), infra, facts())).toEqual({
      check: 'execution-policy',
      status: 'ok',
      detail: `${arn} exists, as mnbatch expects it`,
    });
  });

  it('fails when it does not exist, with the two commands that make it', async () => {
    healthy();
    iamMock
      .on(GetPolicyCommand)
      .rejects(sdkError('NoSuchEntityException', `Policy ${arn} was not found.`, 404));
    const result = await executionPolicyCheck(services(), infra, facts());
    expect(result).toMatchObject({
      status: 'fail',
      detail: `${arn} does not exist: infra up (roles.create: true) stops before changing anything`,
    });
    expect(result.fix).toContain(
      `aws iam create-policy --policy-name mnbatch-${infra.stack}-execution --policy-document file://mnbatch-${infra.stack}-execution.json`,
    );
  });

  it('warns when its document is not the one mnbatch expects', async () => {
    healthy();
    withPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [] }));
    expect(await executionPolicyCheck(services(), infra, facts())).toMatchObject({
      status: 'warn',
      detail: `${arn} differs from what mnbatch expects: ECS may not read the stack's rendezvous key`,
    });
  });
});
