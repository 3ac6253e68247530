/**
 * The body of `mnbatch doctor [-f infra.yaml] [job.yaml]`: read and validate the files (nothing
 * is sent to AWS when they are wrong), build the read-only services, run every check, print the
 * report; exit 1 when any check failed.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AwsOptions } from '../aws/clients.js';
import type { CliContext } from '../cli/context.js';
import { MnbatchError } from '../errors.js';
import type { InfraConfig } from '../infra/config.js';
import type { DoctorInput, PlannedJob } from './input.js';
import { exitCodeOf, formatReport, reportJson } from './report.js';
import type { DoctorServices } from './services.js';

/** Command-line flags of `doctor` (commander's camelCase). */
export interface DoctorFlags {
  readonly file?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly json?: boolean;
}

/** What the command gets from the CLI layer (and tests). */
export interface DoctorDeps {
  /** Plans job.yaml as `submit` would (src/cli/commands/plan.ts). */
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

/** The region the checks use and where it came from: infra.yaml, then --region, then the AWS config. */
async function regionOf(
  infra: InfraConfig | undefined,
  flags: DoctorFlags,
  aws: AwsOptions,
): Promise<{ region: string; source: string }> {
  if (infra?.region) return { region: infra.region, source: flags.file ?? 'infra.yaml' };
  if (flags.region) return { region: flags.region, source: '--region' };
  const { resolveRegion } = await import('../infra/region.js');
  return { region: await resolveRegion(aws), source: 'the AWS config' };
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
  const profile = flags.profile ?? ctx.env.AWS_PROFILE;
  const aws: AwsOptions = { ...(profile ? { profile } : {}) };
  const { region, source } = await regionOf(infra, flags, aws);
  const services = deps.services
    ? deps.services({ ...aws, region }, source)
    : (await import('./aws.js')).createDoctorServices({ ...aws, region }, source);
  const input: DoctorInput = {
    ...(infra ? { infra } : {}),
    ...(flags.file ? { infraFile: flags.file } : {}),
    ...(job ? { job } : {}),
    ...(flags.region ? { regionFlag: flags.region } : {}),
  };
  const { runChecks } = await import('./run.js');
  const results = await runChecks(services, input);
  if (flags.json) ctx.output.out(reportJson(results));
  else for (const line of formatReport(results)) ctx.output.out(line);
  return exitCodeOf(results);
}
