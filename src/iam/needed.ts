/**
 * Which actions each policy needs, from the calls the code makes (pure): a call in an adapter
 * (src/aws) counts for the side whose code calls the adapter method that sends it, and not at all
 * when nothing calls that method; every other call counts for the side of its file. Then the
 * grants are checked against that set in both directions: nothing needed is missing, and nothing
 * granted is unneeded.
 */
import type { Grant } from './policy.js';
import { type FoundCall, isAdapterFile } from './scan.js';

/**
 * The two policies built from the code's calls, and `doctor`, whose read-only checks are in
 * neither: each check it may not make is skipped with a note (docs/doctor.md lists them), so
 * neither policy grows by what only a diagnosis needs (iam:SimulatePrincipalPolicy reads any
 * principal's permissions).
 */
export type CallerSide = 'submit' | 'infra' | 'doctor';

/** Source files whose calls build infrastructure (`infra`, `ami bake`); others submit and follow jobs. */
export function sideOfFile(file: string): CallerSide {
  if (/(^|\/)src\/doctor\//.test(file)) return 'doctor';
  return /(^|\/)src\/(infra|ami)\//.test(file) ? 'infra' : 'submit';
}

/** The registry actions of `docker push` to ECR (ECR user guide, "IAM permissions for pushing an image"). */
export const ECR_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
] as const;

/** Actions AWS also checks when a call is made (beyond the call's own action), and why. */
export const ALSO_NEEDED: Readonly<Record<string, readonly string[]>> = {
  'batch:RegisterJobDefinition': ['batch:TagResource', 'iam:PassRole'],
  'batch:SubmitJob': ['batch:TagResource'],
  'batch:CreateComputeEnvironment': ['batch:TagResource', 'iam:PassRole', 'iam:CreateServiceLinkedRole'],
  'batch:CreateJobQueue': ['batch:TagResource'],
  'ec2:CreatePlacementGroup': ['ec2:CreateTags'],
  'ec2:CreateSecurityGroup': ['ec2:CreateTags'],
  'ec2:AuthorizeSecurityGroupIngress': ['ec2:CreateTags'],
  'ec2:CreateLaunchTemplate': ['ec2:CreateTags'],
  'ec2:CreateVpcEndpoint': ['ec2:CreateTags'],
  'ec2:RunInstances': ['ec2:CreateTags'],
  'ec2:CreateImage': ['ec2:CreateTags'],
  'elasticfilesystem:CreateFileSystem': ['elasticfilesystem:TagResource', 'iam:CreateServiceLinkedRole'],
  // EFS API reference: CreateMountTarget needs ec2:DescribeSubnets, ec2:DescribeNetworkInterfaces,
  // ec2:CreateNetworkInterface; DeleteMountTarget needs ec2:DeleteNetworkInterface.
  'elasticfilesystem:CreateMountTarget': [
    'ec2:DescribeSubnets',
    'ec2:DescribeNetworkInterfaces',
    'ec2:CreateNetworkInterface',
  ],
  'elasticfilesystem:DeleteMountTarget': ['ec2:DeleteNetworkInterface'],
  'iam:CreateRole': ['iam:TagRole'],
  'iam:CreateInstanceProfile': ['iam:TagInstanceProfile'],
  // IAM API reference: the caller of AddRoleToInstanceProfile needs iam:PassRole on the role.
  'iam:AddRoleToInstanceProfile': ['iam:PassRole'],
  // Tags given to PutParameter are authorized as ssm:AddTagsToResource (CloudFormation User
  // Guide, AWS::SSM::Parameter: "you must have the IAM permissions ssm:PutParameter and
  // ssm:AddTagsToResource").
  'ssm:PutParameter': ['ssm:AddTagsToResource'],
  // ECR: tags given to CreateRepository are authorized as ecr:TagResource too; the login from
  // GetAuthorizationToken is used by `docker push`, whose registry calls are ECR_PUSH_ACTIONS.
  'ecr:CreateRepository': ['ecr:TagResource'],
  'ecr:GetAuthorizationToken': ECR_PUSH_ACTIONS,
};

/**
 * Calls AWS allows every principal, so no policy grants them: GetCallerIdentity "requires no
 * permissions" (STS API reference), and an explicit deny cannot stop it.
 */
export const NEEDS_NO_PERMISSION: ReadonlySet<string> = new Set(['sts:GetCallerIdentity']);

/** The actions each side needs, and the adapter calls that nothing reaches (left out of both). */
export function neededActions(
  calls: readonly FoundCall[],
  sources: ReadonlyMap<string, string>,
): { readonly submit: Set<string>; readonly infra: Set<string>; readonly unreached: FoundCall[] } {
  const submit = new Set<string>();
  const infra = new Set<string>();
  const unreached: FoundCall[] = [];
  const add = (side: CallerSide, action: string) => {
    if (side === 'doctor' || NEEDS_NO_PERMISSION.has(action)) return;
    const set = side === 'infra' ? infra : submit;
    set.add(action);
    for (const extra of ALSO_NEEDED[action] ?? []) set.add(extra);
  };
  for (const call of calls) {
    if (!call.method || !isAdapterFile(call.file)) {
      add(sideOfFile(call.file), call.action);
      continue;
    }
    const sides = new Set<CallerSide>();
    for (const [file, text] of sources) {
      if (!isAdapterFile(file) && text.includes(`.${call.method}(`)) sides.add(sideOfFile(file));
    }
    if (sides.size === 0) unreached.push(call);
    for (const side of sides) add(side, call.action);
  }
  return { submit, infra, unreached };
}

/** What is wrong with `grants` for the `needed` actions (empty when they match exactly). */
export function grantProblems(
  side: CallerSide,
  grants: readonly Grant[],
  needed: ReadonlySet<string>,
): string[] {
  const granted = new Set(grants.flatMap((g) => g.Action));
  const missing = [...needed].filter((a) => !granted.has(a)).sort();
  const unused = [...granted].filter((a) => !needed.has(a)).sort();
  return [
    ...missing.map(
      (a) => `${side}: the code calls ${a} but no grant allows it (add one in src/iam/grants-${side}.ts)`,
    ),
    ...unused.map(
      (a) =>
        `${side}: ${a} is granted but the code never calls it (remove it from src/iam/grants-${side}.ts)`,
    ),
  ];
}
