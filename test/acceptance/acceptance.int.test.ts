/**
 * The acceptance suite: mnbatch's whole flow on one account, run against moto in the integration
 * tier (every step exercised in CI) and against a real AWS account with `npm run test:aws`
 * (opt-in, scripts/test-aws.ts; docs/aws-acceptance.md). The steps are the same on both targets:
 * doctor → infra up → submit a 2-node hello-mpi built and pushed to ECR, --wait → a failing job
 * exits with its code → logs --node all → cancel → infra down → nothing of the run is left.
 * `infra` and `submit` commands run as roles holding exactly the generated policies
 * (principals.ts), the administrator's steps (policies, doctor, cleanup) with the target's own
 * credentials.
 * Steps that moto cannot do for real name what stands in for them (target.ts, MOTO_SIMULATED).
 * Teardown (cleanup.ts) runs after the last step whatever happened, and reports what is left.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchClient, DescribeJobDefinitionsCommand } from '@aws-sdk/client-batch';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreatePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../_helpers/moto/aws-test-account.js';
import type { JobBehaviour } from '../_helpers/moto/shim-batch-jobs.js';
import { cleanupRun } from './cleanup.js';
import { describeLeftovers, inventory } from './inventory.js';
import { jobNames } from './plan.js';
import { createSideRoles, type Side, sideCredentials, sideRoleName } from './principals.js';
import { useTarget } from './target.js';

/**
 * Batch stops a job past its timeout with SIGTERM (then SIGKILL after 30 s): the agent exits 143.
 * The reason is the one Batch gives such jobs; the test only requires it to mention the timeout.
 */
const TIMED_OUT = { exitCode: 143, statusReason: 'Job attempt duration exceeded timeout' } as const;

/** What the moto run's containers do: hello-mpi succeeds on 2 ranks, `exit N` exits N, `*-timeout` runs past its timeout. */
const containers: JobBehaviour = ({ jobName, command }) => {
  if (jobName.endsWith('-timeout')) return TIMED_OUT;
  const exit = /exit (\d+)/.exec(command.join(' '));
  if (exit) return { exitCode: Number(exit[1]), logs: (i) => (i === 0 ? ['failing on purpose'] : []) };
  return {
    exitCode: 0,
    logs: (i) =>
      i === 0
        ? [
            'hello-mpi: size=2 allreduce=3 expected=3 OK',
            'hello-mpi: rank 0 on ip-10-0-1-10',
            'hello-mpi: rank 1 on ip-10-0-1-11',
          ]
        : ['(simulated) node 1 served its rank and exited when the main node was done'],
  };
};

const target = useTarget(containers);
const moto = target.kind === 'moto';
/** How long a step may take: moto answers at once; on AWS instances start and pull the image. */
const minutes = (aws: number) => (moto ? 120_000 : aws * 60_000);
/** The step's name, with what stands in for it on moto. */
const step = (name: string, ...simulated: string[]) =>
  moto && simulated.length > 0 ? `${name} [moto-simulated: ${simulated.join(', ')}]` : name;

function say(line: string): void {
  process.stderr.write(`[acceptance ${target.runId}] ${line}\n`);
}

/**
 * Runs the CLI, as the administrator or as the role holding `side`'s generated policies; fails
 * with everything it printed when the exit code is not `code`.
 */
async function cli(args: readonly string[], code = 0, side?: Side) {
  const r = await target.cli(args, side && (await sideCredentials(target.sdk, target.runId, side)));
  const text = `${r.stdout}${r.stderr}`;
  expect(r.code, `mnbatch ${args.join(' ')} exited ${r.code}:\n${text}`).toBe(code);
  return { ...r, text };
}

interface DoctorReport {
  readonly checks: readonly { check: string; status: string; detail: string }[];
}

const failing = (report: DoctorReport) =>
  report.checks.filter((c) => c.status === 'fail').map((c) => `${c.check}: ${c.detail}`);

describe(`acceptance on ${target.kind}`, () => {
  const names = { ...jobNames(target.runId), queue: `mnbatch-${target.runId}` };
  const path = (name: string) => join(target.dir, name);
  let helloJobId = '';
  const write = (name: string, lines: readonly string[]) =>
    writeFileSync(path(name), `${lines.join('\n')}\n`);
  /** The lines every job of the run has: 2 nodes of the instance type on the run's stack. */
  const jobYaml = (name: string, image: string) => [
    `name: ${name}`,
    `image: ${image}`,
    'nodes: 2',
    `instanceType: ${target.instanceType}`,
    `stack: ${target.runId}`,
    'resources:',
    '  vcpus: 2',
    '  memory: 2GiB',
    'timeout: 20m',
  ];
  /** A job on hello-mpi's pushed image (pinned, nothing built) that runs `command` on the main node only. */
  const mainOnly = async (file: string, name: string, command: string, timeout = '20m') =>
    write(file, [
      ...jobYaml(name, await registeredImage(names.hello)).map((l) =>
        l.startsWith('timeout:') ? `timeout: ${timeout}` : l,
      ),
      'launch: main',
      `command: ["sh", "-c", "${command}"]`,
    ]);

  beforeAll(async () => {
    say(`run ${target.runId} in ${target.region} (${target.kind})`);
    for (const [what, how] of Object.entries(target.simulated)) say(`simulated on moto: ${what}: ${how}`);
    const net = await target.network();
    write('infra.yaml', [
      `stack: ${target.runId}`,
      `region: ${target.region}`,
      `vpcId: ${net.vpcId}`,
      `subnetId: ${net.subnetId}`,
      `instanceTypes: [${target.instanceType}]`,
      'maxVcpus: 4',
      'efs: none',
      'runnableTimeLimit:',
      '  maxTimeSeconds: 1800',
      'roles:',
      '  create: true',
    ]);
    // As the administrator, before anything else: the execution policy (roles.create: true),
    // from mnbatch's own document (docs/iam.md). Teardown deletes it with the run.
    const document = await cli(['iam-policy', '--role', 'execution', '--stack', target.runId, '--document']);
    const iam = new IAMClient(target.sdk);
    try {
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: `mnbatch-${target.runId}-execution`,
          PolicyDocument: document.stdout,
        }),
      );
    } finally {
      iam.destroy();
    }
    say(`created the execution policy mnbatch-${target.runId}-execution (as the administrator)`);
    // The users of mnbatch: roles with exactly the generated submit and infra policies.
    await createSideRoles({ sdk: target.sdk, cli: (a) => target.cli(a), say }, target.runId);
    // The example's build context: its Dockerfile builds on the agent image, as submit does.
    for (const file of ['Dockerfile', 'hello.c'])
      cpSync(join(REPO, 'examples', 'hello-mpi', file), path(file));
    write('hello.yaml', [
      ...jobYaml(names.hello, 'mnbatch-acceptance/hello-mpi:latest'),
      'build:',
      '  context: .',
      'command: ["/usr/local/bin/hello-mpi"]',
    ]);
  }, minutes(5));

  afterAll(async () => {
    const left = await cleanupRun({ sdk: target.sdk, cli: (a) => target.cli(a), say }, target.runId);
    if (left.length > 0) {
      for (const line of describeLeftovers(left)) say(`LEFT: ${line}`);
      throw new Error(
        `acceptance run ${target.runId} left ${left.length} resource(s); remove them with npm run test:aws -- --cleanup ${target.runId}`,
      );
    }
    say('nothing of the run is left');
  }, minutes(30));

  it(
    'starts in an account with nothing of the run but what the administrator made: policies and the two roles',
    async () => {
      const generated = await cli(['iam-policy', '--infra', '--stack', target.runId, '--json']);
      const names = [
        `mnbatch-${target.runId}-execution`,
        ...(JSON.parse(generated.stdout) as { PolicyName: string }[]).map((p) => p.PolicyName),
      ];
      expect(describeLeftovers(await inventory(target.sdk, target.runId)).sort()).toEqual(
        [
          ...names.map((n) => `iam policy arn:aws:iam::${target.account}:policy/${n}`),
          `iam role ${sideRoleName(target.runId, 'infra')}`,
          `iam role ${sideRoleName(target.runId, 'submit')}`,
        ].sort(),
      );
      // The steps of each side run in a session of its role.
      for (const side of ['submit', 'infra'] as const) {
        const c = await sideCredentials(target.sdk, target.runId, side);
        const sts = new STSClient({
          ...target.sdk,
          credentials: {
            accessKeyId: c.AWS_ACCESS_KEY_ID,
            secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
            sessionToken: c.AWS_SESSION_TOKEN,
          },
        });
        const me = await sts.send(new GetCallerIdentityCommand({}));
        sts.destroy();
        expect(me.Arn).toMatch(
          new RegExp(`:assumed-role/${sideRoleName(target.runId, side)}/acceptance-${side}$`),
        );
      }
    },
    minutes(2),
  );

  it(
    step('doctor, before the stack exists: only the stack is missing'),
    async () => {
      const r = await target.cli(['doctor', '-f', path('infra.yaml'), '--json']);
      const report = JSON.parse(r.stdout) as DoctorReport;
      expect(
        failing(report).filter((f) => !f.startsWith('stack:')),
        r.stdout,
      ).toEqual([]);
    },
    minutes(2),
  );

  it(
    step('infra up makes the stack, and it shows in the inventory'),
    async () => {
      const up = await cli(['infra', 'up', '-f', path('infra.yaml'), '--yes'], 0, 'infra');
      expect(up.text).toContain(`stack ${target.runId} is ready: job queue ${names.queue}`);
      const made = describeLeftovers(await inventory(target.sdk, target.runId));
      expect(made).toEqual(
        expect.arrayContaining([
          `batch compute-environment ${names.queue}`,
          `batch job-queue ${names.queue}`,
          `iam role mnbatch-${target.runId}-instance`,
          `iam role mnbatch-${target.runId}-execution`,
        ]),
      );
    },
    minutes(30),
  );

  it(
    step('doctor with the stack and the job: every check passes'),
    async () => {
      const r = await target.cli(['doctor', '-f', path('infra.yaml'), path('hello.yaml'), '--json']);
      const report = JSON.parse(r.stdout) as DoctorReport;
      expect(failing(report), r.stdout).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
    },
    minutes(2),
  );

  it(
    step('submit --wait of a 2-node hello-mpi built and pushed to ECR: exit 0', 'image push', 'containers'),
    async () => {
      const r = await cli(['submit', path('hello.yaml'), '--wait'], 0, 'submit');
      expect(r.stderr).toContain(`creating ECR repository mnbatch/${target.runId}/${names.hello}`);
      expect(r.stderr).toMatch(/^pushed \S+ \(sha256:[0-9a-f]{64}\)$/m);
      expect(r.stderr).toMatch(/node 0 \(main\): SUCCEEDED, exit 0/);
      helloJobId = /\((\w{8}-[\w-]+)\)/.exec(r.stderr)?.[1] ?? '';
      // The definition runs the pushed image by digest, and ECR holds it.
      const image = await registeredImage(names.hello);
      const [, repository = '', digest = ''] = /\/(mnbatch\/[^@]+)@(sha256:[0-9a-f]{64})$/.exec(image) ?? [];
      expect(repository).toBe(`mnbatch/${target.runId}/${names.hello}`);
      const ecr = new ECRClient(target.sdk);
      const found = await ecr.send(
        new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] }),
      );
      ecr.destroy();
      expect(found.imageDetails?.[0]?.imageDigest).toBe(digest);
    },
    minutes(45),
  );

  it(
    step('a job whose program exits 3 makes submit --wait exit 3', 'containers'),
    async () => {
      await mainOnly('fail.yaml', names.fail, 'echo failing on purpose; exit 3');
      const r = await cli(['submit', path('fail.yaml'), '--wait'], 3, 'submit');
      expect(r.stderr).toMatch(/node 0 \(main\): FAILED, exit 3/);
    },
    minutes(45),
  );

  it(
    step(
      'a job that runs past its 1-minute timeout is stopped by Batch and submit --wait fails',
      'containers',
    ),
    async () => {
      await mainOnly('timeout.yaml', names.timeout, 'sleep 3600', '60');
      const r = await target.cli(
        ['submit', path('timeout.yaml'), '--wait'],
        await sideCredentials(target.sdk, target.runId, 'submit'),
      );
      const text = `${r.stdout}${r.stderr}`;
      // The agent's own 143 (SIGTERM), or 210 should Batch report no exit code for the stopped node.
      expect([143, 210], text).toContain(r.code);
      expect(r.stderr).toMatch(/node 0 \(main\): FAILED/);
      // Batch's reason, in the summary line (the job's own name has "timeout" in it too).
      expect(r.stderr).toMatch(/^job \S+ \(\S+\) FAILED: [^\n]*timeout/im);
    },
    minutes(45),
  );

  it(
    step('logs --node all shows every rank of hello-mpi from the main node', 'containers'),
    async () => {
      expect(helloJobId).not.toBe('');
      const r = await cli(['logs', helloJobId, '--node', 'all'], 0, 'submit');
      expect(r.stdout).toContain('[node 0] hello-mpi: size=2 allreduce=3 expected=3 OK');
      expect(r.stdout).toMatch(/^\[node 0\] hello-mpi: rank 1 on \S+$/m);
    },
    minutes(2),
  );

  it(
    step('cancel terminates a job that has not ended', 'containers'),
    async () => {
      await mainOnly('cancel.yaml', names.cancel, 'sleep 3600');
      const submitted = await cli(['submit', path('cancel.yaml'), '--json'], 0, 'submit');
      const jobId = (JSON.parse(submitted.stdout) as { jobId: string }).jobId;
      const cancel = await cli(['cancel', jobId], 0, 'submit');
      expect(cancel.stdout).toMatch(
        new RegExp(`^terminating job ${names.cancel} \\(${jobId}\\), which was [A-Z]+$`, 'm'),
      );
      await target.cli(
        ['status', jobId, '--wait'],
        await sideCredentials(target.sdk, target.runId, 'submit'),
      );
      const status = await cli(['status', jobId], 0, 'submit');
      expect(status.stdout).toMatch(/^status\s+FAILED/m);
      expect(status.text).toContain('Cancelled with mnbatch cancel');
    },
    minutes(20),
  );

  it(
    step('infra down removes the stack; teardown removes the rest; nothing is left'),
    async () => {
      await cli(['infra', 'down', '-f', path('infra.yaml'), '--yes'], 0, 'infra');
      const afterDown = describeLeftovers(await inventory(target.sdk, target.runId));
      // What infra down does not own: the job's image repository, job definitions, log streams,
      // nor what the administrator made (the policies and the two roles).
      const sideRoles = (['submit', 'infra'] as const).map(
        (side) => `iam role ${sideRoleName(target.runId, side)}`,
      );
      expect(
        afterDown.filter(
          (l) =>
            !/^(ecr repository|batch job-definition|logs stream|iam policy) /.test(l) &&
            !sideRoles.includes(l),
        ),
      ).toEqual([]);
      const left = await cleanupRun({ sdk: target.sdk, cli: (a) => target.cli(a), say }, target.runId);
      expect(describeLeftovers(left)).toEqual([]);
    },
    minutes(30),
  );

  async function registeredImage(jobName: string): Promise<string> {
    const batch = new BatchClient(target.sdk);
    try {
      const defs = await batch.send(new DescribeJobDefinitionsCommand({ status: 'ACTIVE' }));
      const def = defs.jobDefinitions?.find((d) => d.jobDefinitionName?.startsWith(`mnbatch-${jobName}-`));
      return def?.nodeProperties?.nodeRangeProperties?.[0]?.container?.image ?? '';
    } finally {
      batch.destroy();
    }
  }
});
