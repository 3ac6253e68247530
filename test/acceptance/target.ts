/**
 * The account the acceptance suite runs against: moto behind the shim (the integration tier, the
 * default) or a real AWS account (MNBATCH_ACCEPTANCE_TARGET=aws, only with every variable of
 * AWS_VARIABLES set). Both give the same things — the built CLI, SDK configuration, a network —
 * so the suite's steps are written once. On moto, what moto cannot do is simulated and named.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { type CliResult, runCli } from '../_helpers/cli-process.js';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';
import type { JobBehaviour } from '../_helpers/moto/shim-batch-jobs.js';
import { awsSettings, DEFAULT_INSTANCE_TYPE, newRunId, parseRunId, type TargetKind } from './plan.js';
import type { CredentialsEnv } from './principals.js';

/** SDK client configuration: the shim's endpoint and fake keys, or a named profile. */
export interface SdkConfig {
  readonly region: string;
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly profile?: string;
}

/** The steps of the suite a target cannot do for real, with how they are stood in for. */
export type Simulated = Readonly<Record<string, string>>;

export interface Target {
  readonly kind: TargetKind;
  readonly runId: string;
  readonly region: string;
  readonly instanceType: string;
  readonly sdk: SdkConfig;
  /** A directory for the run's files (job.yaml, infra.yaml, the image's build context). */
  readonly dir: string;
  /** The account the run must be in (moto's, or the one the runner confirmed). */
  readonly account: string;
  readonly simulated: Simulated;
  /** The built CLI with the target's own (administrator's) credentials, or with `as`, e.g. a role's. */
  cli(args: readonly string[], as?: CredentialsEnv): Promise<CliResult>;
  network(): Promise<{ vpcId: string; subnetId: string }>;
}

/** What the moto run stands in for, by step. */
export const MOTO_SIMULATED: Simulated = {
  'image push':
    'docker is a stand-in (test/acceptance/docker-standin.mjs): no image is built; the push is a PutImage of a manifest into moto’s ECR',
  containers:
    'no instance starts and no container runs: the shim moves jobs through their states and ends them with the exit code and log lines the suite gives (ShimHooks.jobs)',
  network: 'the VPC, private subnet and NAT route are made in moto by the suite',
};

const STANDIN = fileURLToPath(new URL('./docker-standin.mjs', import.meta.url));

/** The target of this run: MNBATCH_ACCEPTANCE_TARGET (moto unless it says aws). */
export function useTarget(jobs: JobBehaviour): Target {
  return process.env.MNBATCH_ACCEPTANCE_TARGET === 'aws' ? awsTarget() : motoTarget(jobs);
}

function motoTarget(jobs: JobBehaviour): Target {
  const account = useTestAccount();
  const target = {
    kind: 'moto',
    runId: newRunId(new Date()),
    region: 'us-east-1',
    instanceType: DEFAULT_INSTANCE_TYPE,
    account: '123456789012',
    simulated: MOTO_SIMULATED,
  } as { -readonly [K in keyof Target]: Target[K] };
  beforeAll(() => {
    account.shim.hooks.jobs = jobs;
    const bin = join(account.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\nexec "${process.execPath}" "${STANDIN}" "$@"\n`);
    chmodSync(join(bin, 'docker'), 0o755);
    const env = {
      PATH: `${bin}:${account.env.PATH ?? ''}`,
      MNBATCH_DOCKER_STANDIN_STATE: join(account.dir, 'docker-standin.json'),
      USER: 'acceptance',
    };
    Object.assign(target, {
      sdk: account.sdk,
      dir: account.dir,
      cli: (args: readonly string[], as?: CredentialsEnv) => account.cli(args, { env: { ...env, ...as } }),
      network: () => account.network(),
    } satisfies Partial<Target>);
  });
  return target;
}

function awsTarget(): Target {
  // Refuses before anything else: without every variable there is no AWS call at all.
  const settings = awsSettings(process.env);
  const runId = parseRunId(process.env.MNBATCH_ACCEPTANCE_RUN_ID ?? '');
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-acceptance-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    kind: 'aws',
    runId,
    region: settings.region,
    instanceType: settings.instanceType,
    account: settings.account,
    sdk: { region: settings.region, profile: settings.profile },
    dir,
    simulated: {},
    cli: (args, as) => {
      if (!as)
        return runCli(['--profile', settings.profile, '--region', settings.region, ...args], {
          cwd: dir,
          env,
        });
      // A role's session: its keys, and no profile that would take precedence over them.
      const { AWS_PROFILE: _profile, ...rest } = env;
      return runCli(['--region', settings.region, ...args], { cwd: dir, env: { ...rest, ...as } });
    },
    network: async () => ({ vpcId: settings.vpcId, subnetId: settings.subnetId }),
  };
}
