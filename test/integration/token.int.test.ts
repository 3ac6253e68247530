/**
 * The rendezvous secret stays off the control plane (issue 11): `infra up` keeps the stack's key
 * in a SecureString, `submit` names it in the job definition's `secrets` with the execution
 * role, and nothing `DescribeJobs` or `DescribeJobDefinitions` returns for the submitted job
 * holds the key or a token derived from it. Built CLI against moto.
 */
import {
  BatchClient,
  DescribeJobDefinitionsCommand,
  DescribeJobsCommand,
  type JobDefinition,
} from '@aws-sdk/client-batch';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeParametersCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { deriveJobToken } from '../../src/agent/job-token.js';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';
import { pushHelloImage, SMALL_STACK, smallStackJob, writeSmallStack } from './_small-stack.js';

const account = useTestAccount();
const STACK = SMALL_STACK;
const KEY = `/mnbatch/${STACK}/rendezvous-key`;

describe('the rendezvous key on a stack made by infra up', () => {
  let key: string;
  let jobId: string;
  let definition: JobDefinition | undefined;
  let printed: string;
  const ssm = () => new SSMClient(account.sdk);

  beforeAll(async () => {
    await writeSmallStack(account);
    await pushHelloImage(new ECRClient(account.sdk));
    account.write('job.yaml', smallStackJob({ name: 'secret-check' }));
    const up = await account.cli(['infra', 'up', '-f', 'stack.yaml', '--yes']);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const submit = await account.cli(['submit', 'job.yaml', '--json']);
    expect(submit.code, submit.stdout + submit.stderr).toBe(0);
    printed = up.stdout + up.stderr + submit.stdout + submit.stderr;
    jobId = (JSON.parse(submit.stdout) as { jobId: string }).jobId;
    key =
      (await ssm().send(new GetParameterCommand({ Name: KEY, WithDecryption: true }))).Parameter?.Value ?? '';
    const batch = new BatchClient(account.sdk);
    const [job] = (await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs ?? [];
    const [def] =
      (await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [job?.jobDefinition ?? ''] })))
        .jobDefinitions ?? [];
    definition = def;
  }, 300_000);

  it('infra up created a tagged SecureString of 256 bits, and printed none of it', async () => {
    const [meta] =
      (
        await ssm().send(
          new DescribeParametersCommand({
            ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [KEY] }],
          }),
        )
      ).Parameters ?? [];
    expect(meta?.Type).toBe('SecureString');
    const tags = await ssm().send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: KEY }),
    );
    expect(tags.TagList).toContainEqual({ Key: 'mnbatch:stack', Value: STACK });
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(printed).not.toContain(key);
  });

  it("infra up created the execution role: trusted by ECS tasks, with only the administrator's policy", async () => {
    const iam = new IAMClient(account.sdk);
    const roleName = `mnbatch-${STACK}-execution`;
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    expect(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '')).toContain('ecs-tasks.amazonaws.com');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames).toEqual([]);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    const arn = `arn:aws:iam::123456789012:policy/${roleName}`;
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([arn]);
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(decodeURIComponent(version.PolicyVersion?.Document ?? '')).toContain(
      `parameter/mnbatch/${STACK}/*`,
    );
  });

  it('submit registered a definition naming the key in secrets, with the execution role', () => {
    const ranges = definition?.nodeProperties?.nodeRangeProperties ?? [];
    expect(ranges.length).toBeGreaterThan(0);
    for (const range of ranges) {
      expect(range.container?.secrets).toEqual([
        {
          name: 'MNBATCH_RENDEZVOUS_KEY',
          valueFrom: `arn:aws:ssm:us-east-1:123456789012:parameter${KEY}`,
        },
      ]);
      expect(range.container?.executionRoleArn).toBe(
        `arn:aws:iam::123456789012:role/mnbatch-${STACK}-execution`,
      );
    }
  });

  it('DescribeJobs and DescribeJobDefinitions of the job hold neither the key nor any token', async () => {
    const batch = new BatchClient(account.sdk);
    const nodeIds = [0, 1].map((i) => `${jobId}#${i}`);
    const jobs = await batch.send(new DescribeJobsCommand({ jobs: [jobId, ...nodeIds] }));
    const definitions = await batch.send(
      new DescribeJobDefinitionsCommand({
        jobDefinitionName: definition?.jobDefinitionName,
        status: 'ACTIVE',
      }),
    );
    const submitted = account.shim.calls.filter((c) => c.operation === 'SubmitJob');
    expect(submitted).toHaveLength(1);
    const visible = JSON.stringify({ jobs, definitions, submitJob: submitted[0]?.params });
    // what a forger would need: the key, or the token of this job's attempts
    const tokens = [1, 2, 3].map((attempt) => deriveJobToken(key, jobId, attempt));
    expect(visible).not.toContain(key);
    for (const token of tokens) expect(visible).not.toContain(token);
    expect(visible).not.toContain('MNBATCH_TOKEN');
    expect(printed).not.toContain(key);
  });
});
