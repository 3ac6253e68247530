/**
 * `npm run test:aws`: the acceptance suite on a real AWS account (docs/aws-acceptance.md).
 *
 *   npm run test:aws                         run it (needs every variable of AWS_VARIABLES)
 *   npm run test:aws -- --plan               print what it would create and cost; call no AWS API
 *   npm run test:aws -- --cleanup <run id>   remove what a run left, and name what is still there
 *
 * It refuses without the opt-in, checks that the profile is the account given, prints account,
 * region, what it creates and the estimated cost, then runs the suite
 * (test/acceptance/acceptance.int.test.ts with MNBATCH_ACCEPTANCE_TARGET=aws). Whatever way the
 * suite ends — passed, failed, Ctrl-C — cleanup of the run follows, and leftovers are named.
 */
import { spawn } from 'node:child_process';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { REPO, runCli } from '../test/_helpers/cli-process.js';
import { cleanupRun } from '../test/acceptance/cleanup.js';
import { describeLeftovers } from '../test/acceptance/inventory.js';
import {
  type AwsSettings,
  awsSettings,
  costText,
  creates,
  estimateCost,
  newRunId,
  parseRunId,
} from '../test/acceptance/plan.js';

const SUITE = 'test/acceptance/acceptance.int.test.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The variables of this process, for the children. */
function environment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

/** The caller of the profile; refuses when it is not the account the user named. */
async function confirmAccount(settings: AwsSettings): Promise<void> {
  const sts = new STSClient({ region: settings.region, profile: settings.profile });
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    say(`account ${me.Account} as ${me.Arn}, region ${settings.region}, profile ${settings.profile}`);
    if (me.Account !== settings.account)
      throw new Error(
        `profile ${settings.profile} is account ${me.Account}, not MNBATCH_ACCEPTANCE_ACCOUNT ${settings.account}: nothing was done`,
      );
  } finally {
    sts.destroy();
  }
}

/** Cleans up `runId`; returns 0 when nothing is left, 1 when something is (named). */
async function cleanup(settings: AwsSettings, runId: string): Promise<number> {
  say(`cleaning up run ${runId}`);
  const left = await cleanupRun(
    {
      sdk: { region: settings.region, profile: settings.profile },
      cli: (args) =>
        runCli(['--profile', settings.profile, '--region', settings.region, ...args], {
          cwd: REPO,
          env: environment(),
        }),
      say: (line) => say(`  ${line}`),
    },
    runId,
  );
  if (left.length === 0) {
    say(`run ${runId}: nothing is left`);
    return 0;
  }
  say(`run ${runId} left ${left.length} resource(s):`);
  for (const line of describeLeftovers(left)) say(`  ${line}`);
  say(`run again: npm run test:aws -- --cleanup ${runId}`);
  return 1;
}

/** Runs the suite in vitest; resolves with its exit code. Ctrl-C reaches vitest too; we wait for it. */
function runSuite(runId: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [`${REPO}/node_modules/vitest/vitest.mjs`, 'run', '--project', 'integration', SUITE],
      {
        cwd: REPO,
        stdio: 'inherit',
        env: environment({ MNBATCH_ACCEPTANCE_TARGET: 'aws', MNBATCH_ACCEPTANCE_RUN_ID: runId }),
      },
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

function price(): number | undefined {
  const text = process.env.MNBATCH_ACCEPTANCE_PRICE;
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!(value > 0))
    throw new Error(`MNBATCH_ACCEPTANCE_PRICE must be a price in USD per hour, not "${text}"`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  const [mode, arg] = argv;
  if (mode !== undefined && !['--plan', '--cleanup'].includes(mode))
    throw new Error(`unknown argument ${mode}: use --plan or --cleanup <run id>`);
  const settings = awsSettings(process.env);
  if (mode === '--cleanup') {
    const runId = parseRunId(arg ?? '');
    await confirmAccount(settings);
    return cleanup(settings, runId);
  }
  const runId = newRunId(new Date());
  const estimate = estimateCost(settings.region, settings.instanceType, price());
  say(`acceptance run ${runId} in ${settings.region} (account ${settings.account}) will create:`);
  for (const line of creates(runId, settings.instanceType)) say(`  - ${line}`);
  for (const line of costText(estimate)) say(line);
  if (mode === '--plan') return 0;
  await confirmAccount(settings);

  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1)
      say('interrupted: waiting for the suite to stop, then cleaning up (Ctrl-C again to leave now)');
    else {
      say(`left without cleaning up: npm run test:aws -- --cleanup ${runId}`);
      process.exit(130);
    }
  });
  const suite = await runSuite(runId);
  const left = await cleanup(settings, runId);
  return interrupts > 0 ? 130 : suite !== 0 ? suite : left;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    say(`test:aws: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
