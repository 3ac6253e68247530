import { describe, expect, it } from 'vitest';
import type { PolicyStatement } from '../../src/iam/policy.js';
import { referenceProblems } from '../../src/iam/reference.js';

const statement = (s: Partial<PolicyStatement>): PolicyStatement => ({
  Sid: 'S',
  Effect: 'Allow',
  Action: ['batch:SubmitJob'],
  Resource: 'arn:aws:batch:*:*:job-queue/mnbatch-*',
  ...s,
});

describe('referenceProblems (AWS IAM reference data)', () => {
  it('accepts a statement AWS supports', async () => {
    expect(await referenceProblems(statement({}))).toEqual([]);
  });

  it('catches an action that does not exist', async () => {
    expect(await referenceProblems(statement({ Action: ['batch:SubmitJobs'] }))).toEqual([
      'S: batch:SubmitJobs is not an IAM action',
      "S: resource arn:aws:batch:*:*:job-queue/mnbatch-* is of no type the statement's actions take",
    ]);
  });

  it('catches a resource of a type the action does not take', async () => {
    expect(
      await referenceProblems(statement({ Resource: 'arn:aws:batch:*:*:compute-environment/mnbatch-*' })),
    ).toEqual([
      'S: no resource of the statement is of a type batch:SubmitJob takes',
      "S: resource arn:aws:batch:*:*:compute-environment/mnbatch-* is of no type the statement's actions take",
    ]);
  });

  it('catches "*" on an action that supports resource-level permissions', async () => {
    expect(await referenceProblems(statement({ Resource: '*' }))).toEqual([
      'S: batch:SubmitJob supports resource-level permissions but is granted on "*"',
    ]);
  });

  it('catches a condition key AWS does not evaluate for the action (an impossible condition)', async () => {
    // DeleteJobQueue takes no request tags: such a condition would never hold.
    const s = statement({
      Action: ['batch:DeleteJobQueue'],
      Condition: { StringLike: { 'aws:RequestTag/mnbatch:stack': '*' } },
    });
    expect(await referenceProblems(s)).toEqual([
      'S: condition key aws:RequestTag/mnbatch:stack is not evaluated for batch:DeleteJobQueue on these resources',
    ]);
  });

  it('catches a misspelt service condition key', async () => {
    const s = statement({
      Action: ['iam:AttachRolePolicy'],
      Resource: 'arn:aws:iam::*:role/mnbatch-*',
      Condition: { ArnEquals: { 'iam:PolicyArns': 'arn:aws:iam::aws:policy/x' } },
    });
    expect(await referenceProblems(s)).toEqual([
      'S: condition key iam:PolicyArns is not evaluated for iam:AttachRolePolicy on these resources',
    ]);
  });

  it('catches a request-tag condition shared with a resource type that carries no request tags', async () => {
    // A tagged rule must not open an untagged group: the group needs its own statement.
    const s = statement({
      Action: ['ec2:AuthorizeSecurityGroupIngress'],
      Resource: ['arn:aws:ec2:*:*:security-group/*', 'arn:aws:ec2:*:*:security-group-rule/*'],
      Condition: { StringLike: { 'aws:RequestTag/mnbatch:stack': '*' } },
    });
    expect(await referenceProblems(s)).toEqual([
      'S: ec2:AuthorizeSecurityGroupIngress on security-group does not carry aws:RequestTag/mnbatch:stack; give that resource its own statement',
    ]);
  });

  it('lets Null and …IfExists conditions name keys some resources lack (absent means allowed)', async () => {
    const s = statement({
      Action: ['ec2:RunInstances'],
      Resource: ['arn:aws:ec2:*:*:instance/*', 'arn:aws:ec2:*:*:volume/*'],
      Condition: { Null: { 'ec2:InstanceProfile': 'true' } },
    });
    expect(await referenceProblems(s)).toEqual([]);
  });
});
