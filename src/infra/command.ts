/**
 * The bodies of `mnbatch infra up|down|status`: read infra.yaml and flags, build the services,
 * run the engine.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AwsOptions } from '../aws/clients.js';
import { MnbatchError } from '../errors.js';
import type { CliContext } from '../ui/context.js';
import type { InfraConfig } from './config.js';
import { type InfraOverrides, parseInfraConfig } from './load-config.js';
import type { InfraServices } from './services.js';

/** Command-line flags of the infra commands (commander's camelCase). */
export interface InfraFlags {
  readonly file?: string;
  readonly stack?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly vpc?: string;
  readonly subnet?: string;
  readonly instanceTypes?: string;
  readonly maxVcpus?: string;
  readonly ami?: string;
  readonly efs?: string;
  readonly efa?: boolean;
  readonly s3Endpoint?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
}

/** Test hooks: how services are built. */
export interface InfraCommandOverrides {
  readonly services?: (options: AwsOptions) => Promise<InfraServices>;
}

/** The flags as infra.yaml keys. */
export function flagOverrides(flags: InfraFlags): InfraOverrides {
  return {
    stack: flags.stack,
    region: flags.region,
    vpcId: flags.vpc,
    subnetId: flags.subnet,
    instanceTypes: flags.instanceTypes?.split(',').map((t) => t.trim()),
    maxVcpus: flags.maxVcpus === undefined ? undefined : Number(flags.maxVcpus),
    ami: flags.ami,
    efs: flags.efs,
    efa: flags.efa,
    s3Endpoint: flags.s3Endpoint,
  };
}

async function readConfig(ctx: CliContext, flags: InfraFlags): Promise<InfraConfig> {
  const file = flags.file;
  let text: string | undefined;
  if (file) {
    try {
      text = await readFile(resolve(ctx.cwd, file), 'utf8');
    } catch (e) {
      throw new MnbatchError('INFRA_CONFIG_MISSING', `cannot read ${file}: ${(e as Error).message}`);
    }
  }
  return parseInfraConfig(text, file, flagOverrides(flags));
}

/** Runs one infra subcommand; returns the exit code. */
export async function infraCommand(
  which: 'up' | 'down' | 'status',
  ctx: CliContext,
  flags: InfraFlags,
  overrides: InfraCommandOverrides = {},
): Promise<number> {
  // down and status need only the stack name; infra.yaml is read when given.
  const config = which === 'up' || flags.file ? await readConfig(ctx, flags) : undefined;
  const stack = config?.stack ?? flags.stack;
  if (!stack) throw new MnbatchError('INFRA_NO_STACK', `infra ${which} needs -f infra.yaml or --stack NAME`);
  // Region: --region > region: in infra.yaml (both in config.region) > AWS_REGION > the profile's.
  const aws: AwsOptions = {
    command: `infra ${which}`,
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...((config?.region ?? flags.region) ? { region: config?.region ?? flags.region } : {}),
  };
  const built = overrides.services
    ? await overrides.services(aws)
    : await (await import('./services.js')).createInfraServices(aws, ctx.env);
  const services = { ...built, signal: ctx.signal };
  switch (which) {
    case 'up': {
      const { infraUp } = await import('./up.js');
      return infraUp(services, config as InfraConfig, { dryRun: flags.dryRun, yes: flags.yes }, ctx.output);
    }
    case 'down': {
      const { infraDown } = await import('./down.js');
      return infraDown(services, stack, { dryRun: flags.dryRun, yes: flags.yes }, ctx.output, config?.vpcId);
    }
    case 'status': {
      const { infraStatus } = await import('./status.js');
      return infraStatus(services, stack, ctx.output, config);
    }
  }
}
