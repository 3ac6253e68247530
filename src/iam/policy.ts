/**
 * The least-privilege IAM policies of mnbatch, built from the API calls the code makes (pure).
 * `submit`: what the launcher calls (job definitions, jobs, logs) plus passing the job roles.
 * `infra`: what `infra up/down/status` and `ami bake` call plus the permissions AWS checks on
 * the side of those calls (tagging on create, passing the instance role, service-linked roles).
 */
import type { FoundCall } from './scan.js';

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** One statement of a policy. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Source files whose calls build infrastructure (or, `doctor`, check what it needs); every other
 * file's calls are on the submit side.
 */
export function isInfraFile(file: string): boolean {
  return (
    /(^|\/)src\/aws\/(ec2|efs|iam|ssm|batch-infra)\.ts$/.test(file) ||
    /(^|\/)src\/(infra|ami|doctor)\//.test(file)
  );
}

/** Actions AWS also checks when a call is made (beyond the call's own action). */
const ALSO_NEEDED: Readonly<Record<string, readonly string[]>> = {
  'batch:RegisterJobDefinition': ['batch:TagResource'],
  'batch:SubmitJob': ['batch:TagResource'],
  'batch:CreateComputeEnvironment': ['batch:TagResource'],
  'batch:CreateJobQueue': ['batch:TagResource'],
  'ec2:CreatePlacementGroup': ['ec2:CreateTags'],
  'ec2:CreateSecurityGroup': ['ec2:CreateTags'],
  'ec2:AuthorizeSecurityGroupIngress': ['ec2:CreateTags'],
  'ec2:CreateLaunchTemplate': ['ec2:CreateTags'],
  'ec2:CreateVpcEndpoint': ['ec2:CreateTags'],
  'ec2:RunInstances': ['ec2:CreateTags'],
  'ec2:CreateImage': ['ec2:CreateTags'],
  'elasticfilesystem:CreateFileSystem': ['elasticfilesystem:TagResource'],
  'elasticfilesystem:CreateMountTarget': [
    'ec2:DescribeSubnets',
    'ec2:DescribeNetworkInterfaces',
    'ec2:CreateNetworkInterface',
  ],
  'elasticfilesystem:DeleteMountTarget': ['ec2:DeleteNetworkInterface'],
  'iam:CreateRole': ['iam:TagRole'],
  'iam:CreateInstanceProfile': ['iam:TagInstanceProfile'],
};

const sorted = (actions: Iterable<string>) => [...new Set(actions)].sort();

function withSideActions(actions: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const a of actions) {
    all.add(a);
    for (const extra of ALSO_NEEDED[a] ?? []) all.add(extra);
  }
  return sorted(all);
}

/** The policy for submitting and following jobs. */
export function submitPolicy(calls: readonly FoundCall[]): PolicyDocument {
  const actions = withSideActions(calls.filter((c) => !isInfraFile(c.file)).map((c) => c.action));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'MnbatchSubmit', Effect: 'Allow', Action: actions, Resource: '*' },
      {
        Sid: 'MnbatchPassJobRoles',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: '*',
        // Batch hands job and execution roles to ECS tasks; which of the two services IAM sees as
        // the receiver is not documented, so both are allowed (and nothing else).
        Condition: {
          StringEquals: { 'iam:PassedToService': ['batch.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
        },
      },
    ],
  };
}

/** The policy for `infra up/down/status` and `ami bake`. */
export function infraPolicy(calls: readonly FoundCall[]): PolicyDocument {
  const actions = withSideActions(calls.filter((c) => isInfraFile(c.file)).map((c) => c.action));
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'MnbatchInfra', Effect: 'Allow', Action: actions, Resource: '*' },
      {
        Sid: 'MnbatchPassInstanceRole',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': ['batch.amazonaws.com', 'ec2.amazonaws.com'] } },
      },
      {
        Sid: 'MnbatchServiceLinkedRoles',
        Effect: 'Allow',
        Action: ['iam:CreateServiceLinkedRole'],
        Resource: '*',
        Condition: {
          StringEquals: { 'iam:AWSServiceName': ['batch.amazonaws.com', 'elasticfilesystem.amazonaws.com'] },
        },
      },
    ],
  };
}

/** Both documents as one (what `iam-policy --infra` prints): the statements side by side. */
export function combinedPolicy(...docs: readonly PolicyDocument[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: docs.flatMap((d) => d.Statement) };
}

/** Every action a policy allows. */
export function policyActions(doc: PolicyDocument): Set<string> {
  return new Set(doc.Statement.flatMap((s) => s.Action));
}
