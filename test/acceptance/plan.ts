/**
 * What one acceptance run is, decided before it starts (pure): its run id and the names it gives
 * what it creates, which target it runs on and what that target needs, and what it may cost.
 * The run id is the stack name, so every resource the run makes carries `mnbatch:stack=<run id>`
 * or starts with it, and `--cleanup <run id>` finds them all.
 */

/** Where the suite runs. */
export type TargetKind = 'moto' | 'aws';

/** The variables a real-AWS run needs, with what each is for (docs/aws-acceptance.md). */
export const AWS_VARIABLES = {
  MNBATCH_AWS_ACCEPTANCE: 'must be 1: the explicit switch that lets the suite create resources on AWS',
  AWS_PROFILE: 'the named profile the suite runs as (never the default chain by accident)',
  AWS_REGION: 'the region it creates the stack in',
  MNBATCH_ACCEPTANCE_ACCOUNT: 'the 12-digit account id you expect: the run stops if the profile is another',
  MNBATCH_ACCEPTANCE_VPC: 'the VPC of the stack (vpc-…)',
  MNBATCH_ACCEPTANCE_SUBNET: 'a private subnet of that VPC with a route to a NAT gateway (subnet-…)',
} as const;

/** A real-AWS run's settings, read from the environment. */
export interface AwsSettings {
  readonly profile: string;
  readonly region: string;
  readonly account: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly instanceType: string;
}

/** The instance type of the run: the smallest current x86 type with 2 vCPUs that MNP jobs run on. */
export const DEFAULT_INSTANCE_TYPE = 'c6i.large';

/**
 * The settings of a real-AWS run, or an error naming every variable that is missing or wrong:
 * without all of them the suite touches nothing.
 */
export function awsSettings(env: Readonly<Record<string, string | undefined>>): AwsSettings {
  const problems: string[] = [];
  const need = (name: keyof typeof AWS_VARIABLES, pattern: RegExp): string => {
    const value = env[name]?.trim() ?? '';
    if (!pattern.test(value))
      problems.push(`  ${name}${value ? ` (is "${value}")` : ' (not set)'}: ${AWS_VARIABLES[name]}`);
    return value;
  };
  need('MNBATCH_AWS_ACCEPTANCE', /^1$/);
  const profile = need('AWS_PROFILE', /^[\w.+@-]+$/);
  const region = need('AWS_REGION', /^[a-z]{2}(-[a-z]+)+-\d$/);
  const account = need('MNBATCH_ACCEPTANCE_ACCOUNT', /^\d{12}$/);
  const vpcId = need('MNBATCH_ACCEPTANCE_VPC', /^vpc-[0-9a-f]+$/);
  const subnetId = need('MNBATCH_ACCEPTANCE_SUBNET', /^subnet-[0-9a-f]+$/);
  if (problems.length > 0)
    throw new Error(
      [
        'the AWS acceptance suite creates real resources and runs only when all of these are set:',
        ...problems,
      ].join('\n'),
    );
  const instanceType = env.MNBATCH_ACCEPTANCE_INSTANCE_TYPE?.trim() || DEFAULT_INSTANCE_TYPE;
  return { profile, region, account, vpcId, subnetId, instanceType };
}

/** `mnbacc-<yyyymmddhhmm>-<4 hex>`: a stack name (letters, digits, hyphens, ≤ 40) unique per run. */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  const hex = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `mnbacc-${stamp}-${hex}`;
}

/** A run id as given to `--cleanup`: refuses anything else, so cleanup never matches more than one run. */
export function parseRunId(text: string): string {
  if (!/^mnbacc-\d{12}-[0-9a-f]{4}$/.test(text))
    throw new Error(`${text} is not an acceptance run id (mnbacc-<yyyymmddhhmm>-<4 hex>)`);
  return text;
}

/** The names a run gives its jobs (their job definitions, ECR repositories and log streams start with them). */
export function jobNames(runId: string) {
  return {
    hello: `${runId}-hello`,
    fail: `${runId}-fail`,
    timeout: `${runId}-timeout`,
    cancel: `${runId}-cancel`,
  } as const;
}

/** What a run creates, for the notice printed before it starts. */
export function creates(runId: string, instanceType: string): string[] {
  const jobs = jobNames(runId);
  return [
    `IAM policy mnbatch-${runId}-execution, created as the administrator from \`mnbatch iam-policy --role execution --document\` (docs/iam.md)`,
    `IAM roles mnbatch-${runId}-as-submit and mnbatch-${runId}-as-infra (trusting this account), with the managed policies of \`mnbatch iam-policy --role submit|infra --stack ${runId} --json\` attached: the run's infra and submit commands run as them`,
    `stack ${runId} (mnbatch infra up): placement group, security group, launch template, instance, job and execution roles with an instance profile, compute environment (0 to 2 × ${instanceType}, On-Demand) and job queue mnbatch-${runId}`,
    `ECR repository mnbatch/${runId}/${jobs.hello} with the hello-mpi image (built here with Docker and pushed)`,
    `job definitions mnbatch-${jobs.hello}-…, mnbatch-${jobs.fail}-…, mnbatch-${jobs.timeout}-…, mnbatch-${jobs.cancel}-… and their jobs; log streams of them in /aws/batch/job`,
  ];
}

/** On-Demand Linux prices the estimate uses, USD per instance-hour. */
export const PRICES = {
  source: 'https://aws.amazon.com/ec2/pricing/on-demand/ (Linux, On-Demand)',
  asOf: 'the table was written on 2026-12-02 and is not fetched by the run',
  usdPerHour: {
    'us-east-1': { 'c6i.large': 0.085, 'c5.large': 0.085, 'm6i.large': 0.096 },
    'us-east-2': { 'c6i.large': 0.085, 'c5.large': 0.085, 'm6i.large': 0.096 },
    'us-west-2': { 'c6i.large': 0.085, 'c5.large': 0.085, 'm6i.large': 0.096 },
  } as Readonly<Record<string, Readonly<Record<string, number>>>>,
} as const;

/** What the estimate assumes of a run. */
export const COST_ASSUMPTIONS = {
  /** Nodes of the largest job: the compute environment's instances at most. */
  instances: 2,
  /**
   * Hours each instance runs, assumed: three tiny jobs (each with `timeout: 20m`), stuck RUNNABLE
   * jobs cancelled after 30 min, and the compute environment scaling to zero when idle.
   */
  hours: 1,
  /** Root volume of each instance (launch template default) and gp3's price per GiB-month. */
  rootVolumeGiB: 30,
  gp3UsdPerGiBMonth: 0.08,
} as const;

/** One line of the estimate. */
export interface CostLine {
  readonly what: string;
  readonly usd: number;
}

/**
 * The estimated cost of a run: instances × hours × On-Demand price (from PRICES, or
 * `overrideUsdPerHour` for a type or region not in it), plus their root volumes. Throws when the
 * price is unknown and not given, so a run never starts with a cost of "?".
 */
export function estimateCost(
  region: string,
  instanceType: string,
  overrideUsdPerHour?: number,
): { lines: CostLine[]; totalUsd: number; notes: string[] } {
  const price = overrideUsdPerHour ?? PRICES.usdPerHour[region]?.[instanceType];
  if (price === undefined)
    throw new Error(
      `no On-Demand price of ${instanceType} in ${region} in the suite's table: set MNBATCH_ACCEPTANCE_PRICE (USD per hour, from ${PRICES.source})`,
    );
  const { instances, hours, rootVolumeGiB, gp3UsdPerGiBMonth } = COST_ASSUMPTIONS;
  const lines: CostLine[] = [
    {
      what: `${instances} × ${instanceType} × ${hours} h × $${price}/h On-Demand`,
      usd: instances * hours * price,
    },
    {
      what: `${instances} × ${rootVolumeGiB} GiB gp3 root volume × ${hours} h`,
      usd: (instances * rootVolumeGiB * gp3UsdPerGiBMonth * hours) / 730,
    },
  ];
  const totalUsd = lines.reduce((sum, l) => sum + l.usd, 0);
  return {
    lines,
    totalUsd,
    notes: [
      overrideUsdPerHour !== undefined
        ? `instance price given by MNBATCH_ACCEPTANCE_PRICE`
        : `instance price from ${PRICES.source}; ${PRICES.asOf}`,
      'not counted (cents or less): ECR storage of one image for an hour, CloudWatch Logs, image pulls through your NAT gateway',
    ],
  };
}

/** The estimate as printed before a run. */
export function costText(estimate: ReturnType<typeof estimateCost>): string[] {
  return [
    `estimated cost (each instance running at most ${COST_ASSUMPTIONS.hours} h):`,
    ...estimate.lines.map((l) => `  $${l.usd.toFixed(3)}  ${l.what}`),
    `  $${estimate.totalUsd.toFixed(2)}  total`,
    ...estimate.notes.map((n) => `  (${n})`),
  ];
}
