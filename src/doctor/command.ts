/**
 * The body of `mnbatch doctor [-f infra.yaml] [job.yaml]`: read and validate the files (nothing
 * is sent to AWS when they are wrong), build the read-only services, run every check, print the
 * report; exit 1 when any check failed.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AwsOptions } from '../aws/clients.js';
import { MnbatchError } from '../errors.js';
import type { InfraConfig } from '../infra/config.js';
import { awsOptionsOf, type CliContext } from '../ui/context.js';
import type { DoctorInput, PlannedJob } from './input.js';
import { exitCodeOf, formatReport, reportJson } from './report.js';
import type { DoctorServices } from './services.js';

/** Command-line flags of `doctor` (commander's camelCase). */
export interface DoctorFlags {
  readonly file?: string;
  readonly json?: boolean;
}

/** What the command gets from the CLI layer (and tests). */
export interface DoctorDeps {
  /** Plans job.yaml as `submit` would (src/jobs/job-file.ts). */
  readonly planJob: (file: string) => Promise<PlannedJob>;
  /** Builds the services for the resolved region; default: the real AWS ones. */
  readonly services?: (
    options: AwsOptions & { readonly region: string },
    regionSource: string,
  ) => DoctorServices;
}

async function readInfra(ctx: CliContext, file: string): Promise<InfraConfig> {
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (e) {
    throw new MnbatchError('INFRA_CONFIG_MISSING', `cannot read ${file}: ${(e as Error).message}`);
  }
  const { parseInfraConfig } = await import('../infra/load-config.js');
  return parseInfraConfig(text, file);
}

/**
 * The AWS options the checks use: the global --profile, and the stack's region (infra.yaml),
 * else --region, else AWS_REGION or the profile's; with where the region came from. A --region
 * that differs from the stack's is one of the problems the checks report.
 */
async function awsOf(
  ctx: CliContext,
  infra: InfraConfig | undefined,
  flags: DoctorFlags,
): Promise<{ aws: AwsOptions & { readonly region: string }; source: string }> {
  const base = awsOptionsOf(ctx, 'doctor');
  if (infra?.region) return { aws: { ...base, region: infra.region }, source: flags.file ?? 'infra.yaml' };
  if (base.region) return { aws: { ...base, region: base.region }, source: '--region' };
  const [{ resolveAwsOptions }, { BatchClient }] = await Promise.all([
    import('../aws/clients.js'),
    import('@aws-sdk/client-batch'),
  ]);
  return { aws: await resolveAwsOptions(base, BatchClient, ctx.env), source: 'AWS_REGION or the profile' };
}

/** Runs `mnbatch doctor`; returns the exit code. */
export async function doctorCommand(
  ctx: CliContext,
  jobFile: string | undefined,
  flags: DoctorFlags,
  deps: DoctorDeps,
): Promise<number> {
  const infra = flags.file ? await readInfra(ctx, flags.file) : undefined;
  const job = jobFile ? await deps.planJob(jobFile) : undefined;
  const { aws, source } = await awsOf(ctx, infra, flags);
  const services = deps.services
    ? deps.services(aws, source)
    : (await import('./aws.js')).createDoctorServices(aws, source);
  const input: DoctorInput = {
    ...(infra ? { infra } : {}),
    ...(flags.file ? { infraFile: flags.file } : {}),
    ...(job ? { job } : {}),
    ...(ctx.aws?.region ? { regionFlag: ctx.aws.region } : {}),
  };
  const { runChecks } = await import('./run.js');
  const results = await runChecks(services, input);
  if (flags.json) ctx.output.out(reportJson(results));
  else for (const line of formatReport(results)) ctx.output.out(line);
  return exitCodeOf(results);
}
