import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_ENV, BATCH_ENV } from '../../src/contract/agent-env.js';
import { createArgv, planLocalRun, RUN_LABEL, targetsNode } from '../../src/local/node-plan.js';
import { loadPlannedJob } from '../../src/plan/index.js';

const TOKEN = 'a-token-of-the-run-0123456789abcdef';

/** The local run of `file` as node-plan plans it, on `cpus` CPUs when given. */
async function localRun(file: string, options: { nodes?: number; cpus?: number } = {}) {
  const { plan } = await loadPlannedJob(file, {
    rendezvous: { kind: 'token', token: TOKEN },
    version: '0.0.0-test',
    ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
  });
  return planLocalRun({
    plan,
    runId: 'r1',
    jobId: 'job-uuid',
    pid: 4242,
    sharedDir: '/tmp/mnbatch-r1',
    hostPathExists: (p) => p === '/tmp',
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
  });
}

const settingsRun = (options: { nodes?: number } = {}) =>
  localRun('test/_fixtures/local/settings.yaml', options);

const envOf = (argv: readonly string[]) =>
  Object.fromEntries(
    argv.flatMap((a, i) =>
      argv[i - 1] === '--env' ? [[a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]] : [],
    ),
  );

describe('targetsNode', () => {
  it.each([
    ['0:', 0, true],
    ['0:', 4, true],
    ['1:', 0, false],
    ['1:2', 2, true],
    ['1:2', 3, false],
    ['3', 3, true],
    ['3', 4, false],
    [':1', 1, true],
    [':1', 2, false],
    ['x', 0, false],
  ])('given targetNodes %s, node %i is covered: %s', (target, index, covered) => {
    expect(targetsNode(target, index, 5)).toBe(covered);
  });
});

describe('planLocalRun', () => {
  it('gives every node the Batch variables, the range environment and the token of the submit request', async () => {
    const run = await settingsRun();
    expect(run.nodes.map((n) => n.index)).toEqual([0, 1, 2]);
    expect(run.mainIndex).toBe(1);
    const env = Object.fromEntries(run.nodes[2]!.env.map((kv) => [kv.name, kv.value]));
    expect(env).toMatchObject({
      [BATCH_ENV.jobId]: 'job-uuid#2',
      [BATCH_ENV.attempt]: '1',
      [BATCH_ENV.nodeIndex]: '2',
      [BATCH_ENV.numNodes]: '3',
      [BATCH_ENV.mainNodeIndex]: '1',
      [AGENT_ENV.token]: TOKEN,
      [AGENT_ENV.jobName]: 'Settings_Job',
      GREETING: 'hello',
    });
    expect(env[BATCH_ENV.mainNodeIp]).toBeUndefined();
  });

  it('names containers, hostnames and the network after the job and the run, in Docker-safe form', async () => {
    const run = await settingsRun();
    expect(run.network).toBe('mnbatch-settings-job-r1');
    expect(run.nodes[0]).toMatchObject({
      name: 'mnbatch-settings-job-r1-node0',
      hostname: 'settings-job-node0',
    });
    expect(run.labels).toMatchObject({ [RUN_LABEL]: 'r1', 'mnbatch.pid': '4242' });
  });

  it('maps shared memory, ulimits, EFS and existing host volumes; warns about devices, GPUs and missing paths', async () => {
    const run = await settingsRun();
    const options = run.nodes[0]!.options.join(' ');
    expect(options).toContain('--shm-size 512m');
    expect(options).toContain('--ulimit nofile=1024:4096');
    expect(options).toContain('--ulimit memlock=-1:-1');
    expect(options).toContain('--mount type=bind,source=/tmp/mnbatch-r1/efs,target=/shared');
    expect(options).toContain('--mount type=bind,source=/tmp,target=/host-tmp,readonly');
    expect(options).not.toContain('/nowhere');
    expect(run.sharedDirs).toEqual(['/tmp/mnbatch-r1/efs']);
    expect(run.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/dev/infiniband/uverbs0'),
        expect.stringContaining('GPUs (1 per node)'),
        expect.stringContaining('/does/not/exist'),
      ]),
    );
  });

  it("with --raw tells every node's agent to leave output untagged (MNBATCH_OUTPUT=raw), and without it says nothing", async () => {
    const { plan } = await loadPlannedJob('test/_fixtures/local/settings.yaml', {
      rendezvous: { kind: 'token', token: TOKEN },
      version: '0',
    });
    const input = { plan, runId: 'r1', jobId: 'j', pid: 1, sharedDir: '/tmp/x', hostPathExists: () => false };
    const raw = planLocalRun({ ...input, raw: true });
    for (const n of raw.nodes) expect(n.env).toContainEqual({ name: AGENT_ENV.output, value: 'raw' });
    for (const n of planLocalRun(input).nodes)
      expect(n.env.map((e) => e.name)).not.toContain(AGENT_ENV.output);
  });

  it('follows --nodes through the plan', async () => {
    const run = await settingsRun({ nodes: 5 });
    expect(run.nodes).toHaveLength(5);
    expect(run.nodes[4]!.env.find((kv) => kv.name === BATCH_ENV.numNodes)?.value).toBe('5');
  });
});

describe('createArgv', () => {
  it('gives only children the main node address, and ends with image and command', async () => {
    const run = await settingsRun();
    const main = createArgv(run, run.nodes[1]!);
    const child = createArgv(run, run.nodes[0]!, '172.30.0.2');
    expect(envOf(main)[BATCH_ENV.mainNodeIp]).toBeUndefined();
    expect(envOf(child)[BATCH_ENV.mainNodeIp]).toBe('172.30.0.2');
    expect(child.slice(-3)).toEqual(['example/settings:1', '/bin/prog', '--flag']);
    expect(child.slice(0, 6)).toEqual([
      '--name',
      'mnbatch-settings-job-r1-node0',
      '--hostname',
      'settings-job-node0',
      '--network',
      run.network,
    ]);
  });

  it('refuses to make a child without the main node address', async () => {
    const run = await settingsRun();
    expect(() => createArgv(run, run.nodes[2]!)).toThrow(/main node's address/);
  });
});

describe('planLocalRun on shared CPUs', () => {
  const run = (file: string, cpus: number | undefined) => localRun(file, cpus !== undefined ? { cpus } : {});
  const envOfNode = (node: { env: readonly { name?: string; value?: string }[] }) =>
    Object.fromEntries(node.env.map((kv) => [kv.name, kv.value]));

  it('gives slots: auto nodes their share of the CPUs, without the yield setting when the ranks fit', async () => {
    const r = await run('examples/hello-mpi/job.yaml', 8);
    expect(r.nodes.map((n) => envOfNode(n)[AGENT_ENV.slots])).toEqual(['2', '2', '2', '2']);
    expect(r.nodes.map((n) => envOfNode(n)[AGENT_ENV.yieldWhenIdle])).toEqual(Array(4).fill(undefined));
    expect(r.note).toBeUndefined();
  });

  it('sets the yield variable on every node and says so once when the ranks outnumber the CPUs', async () => {
    const r = await run('examples/hello-mpi/job.yaml', 2);
    expect(r.nodes.map((n) => envOfNode(n)[AGENT_ENV.slots])).toEqual(['1', '1', '1', '1']);
    expect(r.nodes.map((n) => envOfNode(n)[AGENT_ENV.yieldWhenIdle])).toEqual(Array(4).fill('1'));
    expect(r.note).toMatch(/^4 ranks on 2 CPUs: oversubscribed, so idle ranks yield the CPU/);
    expect(envOf(createArgv(r, r.nodes[0]!))).toMatchObject({ [AGENT_ENV.yieldWhenIdle]: '1' });
  });

  const busyJob = (extra: string) =>
    `name: busy\nimage: mnbatch/agent:latest\nnodes: 2\nqueue: q\nresources:\n  vcpus: 2\n  memory: 2GiB\ncommand: ["true"]\n${extra}`;
  it.each([
    [
      'environment',
      busyJob('environment:\n  OMPI_MCA_mpi_yield_when_idle: "0"\nmpi:\n  implementation: openmpi\n'),
    ],
    ['mpi.env', busyJob('mpi:\n  implementation: openmpi\n  env:\n    OMPI_MCA_mpi_yield_when_idle: "0"\n')],
  ])("says the job's own yield setting (in %s) is kept, not that ranks yield", async (_where, yaml) => {
    const dir = mkdtempSync(join(tmpdir(), 'mnbatch-yield-'));
    try {
      writeFileSync(join(dir, 'job.yaml'), yaml);
      const r = await run(join(dir, 'job.yaml'), 1);
      expect(r.note).toBe(
        '2 ranks on 1 CPU: oversubscribed; the job sets OMPI_MCA_mpi_yield_when_idle=0 itself, and that is kept: idle Open MPI ranks busy-poll, expect it much slower than on 2 instances',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the agent variables as planned when the CPUs are not known', async () => {
    const r = await run('examples/hello-mpi/job.yaml', undefined);
    expect(r.nodes.map((n) => envOfNode(n)[AGENT_ENV.slots])).toEqual(Array(4).fill('auto'));
    expect(r.note).toBeUndefined();
  });
});
