/**
 * Where moto 5.2 lacks what `mnbatch doctor` reads (docs/aws-quirks.md):
 * - `iam:SimulatePrincipalPolicy` is not implemented. The shim evaluates the principal's own
 *   policies (managed and inline, of a user or a role, read back from moto) as IAM does for
 *   the given resources (`*` when none): an explicit Deny wins, then an Allow whose Action and
 *   Resource match (wildcards) and whose String/Arn Equals/Like, Bool and Null conditions (also
 *   …IfExists) hold for the given context; else implicitDeny.
 *   Groups, permission boundaries, SCPs and NotAction/NotResource are not modelled.
 * - Service Quotas knows only VPC quotas in moto; AWS has EC2's. The shim answers the On-Demand
 *   Standard vCPU quota (L-1216C47A) with EC2_STANDARD_VCPUS (an account's value varies).
 */
import type { Correction, CorrectionContext, ShimAnswer, ShimCall } from './shim.js';

/** The vCPU quota the shim's account has for Standard On-Demand instances. */
export const EC2_STANDARD_VCPUS = 640;

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const xmlText = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const tags = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => xmlText(m[1] ?? ''));

/** A policy document as IAM returns it (URL-encoded JSON) or as moto may (plain JSON). */
function documentOf(text: string): Statement[] {
  const json = text.trim().startsWith('{') ? text : decodeURIComponent(text);
  const statements = (JSON.parse(json) as { Statement?: Statement | Statement[] }).Statement ?? [];
  return [statements].flat();
}

/** Every statement of the user's or role's own policies; an error answer when it does not exist. */
async function statementsOf(ctx: CorrectionContext, arn: string): Promise<Statement[] | ShimAnswer> {
  const m = /:iam::\d{12}:(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  const kind = m?.[1] === 'role' ? 'Role' : 'User';
  const name = m?.[2] ?? '';
  const iam = (form: Record<string, string>) => ctx.moto('iam', { form: { Version: '2010-05-08', ...form } });
  const attached = await iam({ Action: `ListAttached${kind}Policies`, [`${kind}Name`]: name });
  if (attached.status !== 200) return attached;
  const statements: Statement[] = [];
  for (const policyArn of tags(attached.body, 'PolicyArn')) {
    const policy = await iam({ Action: 'GetPolicy', PolicyArn: policyArn });
    const version = tags(policy.body, 'DefaultVersionId')[0] ?? 'v1';
    const doc = await iam({ Action: 'GetPolicyVersion', PolicyArn: policyArn, VersionId: version });
    statements.push(...documentOf(tags(doc.body, 'Document')[0] ?? '{}'));
  }
  const inline = await iam({ Action: `List${kind}Policies`, [`${kind}Name`]: name });
  for (const policyName of tags(inline.body, 'member')) {
    const doc = await iam({ Action: `Get${kind}Policy`, [`${kind}Name`]: name, PolicyName: policyName });
    statements.push(...documentOf(tags(doc.body, 'PolicyDocument')[0] ?? '{}'));
  }
  return statements;
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );

/** IAM's condition operators mnbatch's policies use; any other makes the statement not apply. */
function conditionsHold(s: Statement, context: ReadonlyMap<string, string[]>): boolean {
  return Object.entries(s.Condition ?? {}).every(([operator, byKey]) =>
    Object.entries(byKey).every(([key, allowed]) => {
      const values = context.get(key.toLowerCase());
      const wanted = [allowed].flat();
      if (operator === 'Null') return wanted.includes('true') ? values === undefined : values !== undefined;
      const base = operator.replace(/IfExists$/, '');
      if (values === undefined) return operator.endsWith('IfExists');
      if (base === 'Bool') return values.some((v) => wanted.some((a) => a.toLowerCase() === v.toLowerCase()));
      if (base === 'StringEquals' || base === 'ArnEquals') return values.some((v) => wanted.includes(v));
      if (base === 'StringLike' || base === 'ArnLike')
        return values.some((v) => wanted.some((a) => wildcard(a).test(v)));
      return false;
    }),
  );
}

function applies(
  s: Statement,
  action: string,
  resource: string,
  context: ReadonlyMap<string, string[]>,
): boolean {
  const resources = [s.Resource ?? []].flat();
  return (
    [s.Action ?? []].flat().some((a) => wildcard(a).test(action)) &&
    resources.some((r) => r === '*' || (resource !== '*' && wildcard(r).test(resource))) &&
    conditionsHold(s, context)
  );
}

/** The context entries of a SimulatePrincipalPolicy request, by key (lower case, as IAM compares keys). */
function contextOf(params: Readonly<Record<string, unknown>>): Map<string, string[]> {
  const context = new Map<string, string[]>();
  for (let i = 1; params[`ContextEntries.member.${i}.ContextKeyName`] !== undefined; i++) {
    const values: string[] = [];
    for (let j = 1; params[`ContextEntries.member.${i}.ContextKeyValues.member.${j}`] !== undefined; j++)
      values.push(String(params[`ContextEntries.member.${i}.ContextKeyValues.member.${j}`]));
    context.set(String(params[`ContextEntries.member.${i}.ContextKeyName`]).toLowerCase(), values);
  }
  return context;
}

async function simulate(call: ShimCall, ctx: CorrectionContext): Promise<ShimAnswer> {
  const statements = await statementsOf(ctx, String(call.params.PolicySourceArn ?? ''));
  if (!Array.isArray(statements)) return statements;
  const context = contextOf(call.params);
  const actions: string[] = [];
  for (let i = 1; call.params[`ActionNames.member.${i}`] !== undefined; i++)
    actions.push(String(call.params[`ActionNames.member.${i}`]));
  const resources: string[] = [];
  for (let i = 1; call.params[`ResourceArns.member.${i}`] !== undefined; i++)
    resources.push(String(call.params[`ResourceArns.member.${i}`]));
  // One result per action and resource; `*` when no resource is given, as IAM does.
  const members = actions.flatMap((action) =>
    (resources.length > 0 ? resources : ['*']).map((resource) => {
      const matching = statements.filter((s) => applies(s, action, resource, context));
      const decision = matching.some((s) => s.Effect === 'Deny')
        ? 'explicitDeny'
        : matching.some((s) => s.Effect === 'Allow')
          ? 'allowed'
          : 'implicitDeny';
      return `<member><EvalActionName>${action}</EvalActionName><EvalResourceName>${resource}</EvalResourceName><EvalDecision>${decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member>`;
    }),
  );
  return {
    status: 200,
    contentType: 'text/xml',
    body: `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>${members.join('')}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>shim-simulate</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`,
  };
}

function ec2Quota(call: ShimCall, region: string): ShimAnswer {
  const code = String(call.params.QuotaCode ?? '');
  if (code !== 'L-1216C47A')
    return {
      status: 400,
      contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify({
        __type: 'NoSuchResourceException',
        message: 'The request failed because the specified service quota does not exist.',
      }),
    };
  return {
    status: 200,
    contentType: 'application/x-amz-json-1.1',
    body: JSON.stringify({
      Quota: {
        ServiceCode: 'ec2',
        ServiceName: 'Amazon Elastic Compute Cloud (Amazon EC2)',
        QuotaArn: `arn:aws:servicequotas:${region}:123456789012:ec2/${code}`,
        QuotaCode: code,
        QuotaName: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
        Value: EC2_STANDARD_VCPUS,
        Unit: 'None',
        Adjustable: true,
        GlobalQuota: false,
      },
    }),
  };
}

/** The doctor's corrections. */
export function doctorCorrections(): Correction {
  return async (call, ctx) => {
    if (call.service === 'iam' && call.operation === 'SimulatePrincipalPolicy')
      return { answer: await simulate(call, ctx) };
    if (
      call.service === 'servicequotas' &&
      (call.operation === 'GetServiceQuota' || call.operation === 'GetAWSDefaultServiceQuota') &&
      call.params.ServiceCode === 'ec2'
    )
      return { answer: ec2Quota(call, ctx.region) };
    return undefined;
  };
}
