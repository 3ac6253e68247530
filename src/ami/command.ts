/**
 * The action of `mnbatch ami bake`: checks the flags, builds the AWS clients, plans, then
 * either prints the plan (`--dry-run`) or bakes, and prints the AMI id. Loaded only when the
 * command runs.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClient, resolveAwsOptions } from '../aws/clients.js';
import { ec2FromClient } from '../aws/ec2.js';
import { withAwsErrors } from '../aws/errors.js';
import { ssmFromClient } from '../aws/ssm.js';
import { type Clock, systemClock } from '../clock.js';
import { awsOptionsOf, type CliContext } from '../ui/context.js';
import { type BakeDeps, executeBake, planBake } from './bake.js';
import { type BakeFlags, parseBakeFlags } from './options.js';
import type { BakePlan } from './plan.js';
import { type BakeScript, readBakeScripts, USER_DATA_LIMIT } from './user-data.js';

/** What tests replace: the clock (instant waits), the scripts, the idempotency token. */
export interface AmiCommandOverrides {
  readonly clock?: Clock;
  readonly scripts?: readonly BakeScript[];
  readonly clientToken?: string;
}

/** Runs `mnbatch ami bake` with `flags`; returns the exit code. */
export async function amiBake(
  ctx: CliContext,
  flags: BakeFlags,
  overrides: AmiCommandOverrides = {},
): Promise<number> {
  const options = parseBakeFlags(flags);
  // One region for the whole bake, decided before any call (--region > AWS_REGION > profile).
  const aws = await resolveAwsOptions(awsOptionsOf(ctx, 'ami bake'), EC2Client, ctx.env);
  const { region } = aws;
  const ec2Client = awsClient(EC2Client, aws);
  const ssmClient = awsClient(SSMClient, aws);
  const deps: BakeDeps = {
    ec2: withAwsErrors(ec2FromClient(ec2Client), 'ec2', aws),
    ssm: withAwsErrors(ssmFromClient(ssmClient), 'ssm', aws),
    scripts: overrides.scripts ?? (await readBakeScripts()),
    clock: overrides.clock ?? systemClock,
    signal: ctx.signal,
    clientToken: overrides.clientToken ?? `mnbatch-ami-${randomUUID()}`,
    log: (line) => ctx.output.err(line),
  };
  try {
    const plan = await planBake(deps, { ...options.request, region });
    if (options.dryRun) {
      printPlan(ctx, plan, options.json);
      return 0;
    }
    const result = await executeBake(deps, plan, options.timeoutMs);
    if (options.json) ctx.output.out(JSON.stringify(result, null, 2));
    else ctx.output.out(result.imageId);
    if (options.writeInfra) {
      const file = resolve(ctx.cwd, options.writeInfra);
      const { setInfraAmi } = await import('./write-infra.js');
      const text = await readFile(file, 'utf8');
      await writeFile(
        file,
        setInfraAmi(text, result.imageId, options.request.hyperthreadingOff, options.writeInfra),
      );
      ctx.output.err(`wrote ami: ${result.imageId} to ${options.writeInfra}`);
    }
    return 0;
  } finally {
    ec2Client.destroy();
    ssmClient.destroy();
  }
}

/** The plan as the user reads it, or as JSON (with the full RunInstances request). */
function printPlan(ctx: CliContext, plan: BakePlan & { name: string }, json: boolean): void {
  if (json) {
    const { userData: _userData, ...rest } = plan;
    ctx.output.out(JSON.stringify({ dryRun: true, ...rest }, null, 2));
    return;
  }
  const out = (line: string) => ctx.output.out(line);
  out(`region        ${plan.region}`);
  out(
    `base AMI      ${plan.baseImage.imageId} (${plan.baseImage.name}, ${plan.baseImage.architecture}) from ${plan.baseImage.source}`,
  );
  if (plan.variables.efs) {
    const e = plan.variables.efs;
    out(`EFS           ${e.fileSystemId} at ${e.mountPath} (${e.mode})`);
  }
  out(
    `nr_cpus       ${plan.variables.nrCpus === 'keep' ? 'unchanged (hyper-threading stays on)' : `${plan.variables.nrCpus} (physical cores of ${plan.targetType})`}`,
  );
  out(
    `builder       ${plan.builderType}${plan.runInstances.SubnetId ? ` in ${plan.runInstances.SubnetId}` : ' in the default subnet'}`,
  );
  out(`user data     ${plan.userDataBytes} bytes (EC2 limit ${USER_DATA_LIMIT})`);
  out(`image name    ${plan.imageName}`);
  out('RunInstances request (UserData abbreviated; --json shows it whole):');
  const shown = {
    ...plan.runInstances,
    UserData: `<${plan.runInstances.UserData?.length ?? 0} characters of base64>`,
  };
  out(JSON.stringify(shown, null, 2));
  out('dry run: nothing was created');
}
