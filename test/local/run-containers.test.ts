import { describe, expect, it } from 'vitest';
import { BATCH_ENV } from '../../src/contract/agent-env.js';
import { type LocalRunPlan, planLocalRun } from '../../src/local/node-plan.js';
import { type RunContainersOptions, runContainers } from '../../src/local/run-containers.js';
import { loadPlannedJob } from '../../src/plan/index.js';
import { memoryOutput } from '../../src/ui/output.js';
import { fakeDocker } from './fake-docker.js';

async function plannedRun(file = 'test/_fixtures/local/sleep.yaml'): Promise<LocalRunPlan> {
  const { plan } = await loadPlannedJob(
    file,
    { rendezvous: { kind: 'token', token: 'token-0123456789abcdef' }, version: '0.0.0' },
    false,
  );
  return planLocalRun({
    plan,
    runId: 'r1',
    jobId: 'job',
    pid: 1,
    sharedDir: '/tmp/x',
    hostPathExists: () => false,
  });
}

function setup(fake = fakeDocker({ linesOf: (name) => [`hello from ${name.slice(-5)}`] })) {
  const output = memoryOutput();
  const abort = new AbortController();
  const options = (more: Partial<RunContainersOptions> = {}): RunContainersOptions => ({
    docker: fake.docker,
    output,
    signal: abort.signal,
    childGraceMs: 50,
    graceMs: 100,
    ...more,
  });
  return { fake, output, abort, options };
}

describe('runContainers', () => {
  it('starts the network, then the main node, then every child with its address, and returns the main exit code', async () => {
    const { fake, output, options } = setup();
    const run = await plannedRun();
    const code = await runContainers(
      run,
      options({
        hooks: {
          afterChildrenStarted: () => {
            fake.exit('node1', 0);
            fake.exit('node2', 0);
            fake.exit('node0', 0);
          },
        },
      }),
    );
    expect(code).toBe(0);
    const order = fake.calls.filter((c) => /^(network create|create|start)/.test(c));
    expect(order.slice(0, 3)).toEqual([
      'network create mnbatch-sleeper-r1',
      'create mnbatch-sleeper-r1-node0',
      'start mnbatch-sleeper-r1-node0',
    ]);
    expect(order.slice(3).sort()).toEqual(
      ['create', 'start'].flatMap((op) => [1, 2].map((i) => `${op} mnbatch-sleeper-r1-node${i}`)).sort(),
    );
    expect(output.stdout).toEqual(
      expect.arrayContaining(['[node 0] hello from node0', '[node 2] hello from node2']),
    );
  });

  it('shows rank-tagged lines as the agent wrote them, [node i] before the others, and with raw neither', async () => {
    const lines = () => ['[node 1 rank 3] from a rank', 'from the agent'];
    for (const raw of [false, true]) {
      const { fake, output, options } = setup(fakeDocker({ linesOf: lines }));
      const run = await plannedRun();
      await runContainers(
        run,
        options({
          raw,
          hooks: {
            afterChildrenStarted: () => {
              for (const n of ['node1', 'node2', 'node0']) fake.exit(n, 0);
            },
          },
        }),
      );
      expect(output.stdout).toEqual(
        expect.arrayContaining(
          raw
            ? ['from a rank', 'from the agent']
            : ['[node 1 rank 3] from a rank', '[node 0] from the agent'],
        ),
      );
      if (raw) expect(output.stdout.filter((l) => l.startsWith('['))).toEqual([]);
    }
  });

  it('gives children the main node address and the main node none', async () => {
    const { fake, options } = setup();
    const run = await plannedRun();
    const env: Record<string, Record<string, string>> = {};
    await runContainers(
      run,
      options({
        hooks: {
          afterChildrenStarted: () => {
            for (const n of ['node0', 'node1', 'node2']) env[n] = fake.envOf(n);
            fake.exit('node0', 0);
          },
        },
      }),
    );
    expect(env.node0?.[BATCH_ENV.mainNodeIp]).toBeUndefined();
    expect(env.node1?.[BATCH_ENV.mainNodeIp]).toBe('10.9.0.1');
    expect(env.node2?.[BATCH_ENV.mainNodeIp]).toBe('10.9.0.1');
  });

  it('returns the main node exit code even when children end otherwise, and removes everything', async () => {
    const { fake, output, options } = setup();
    const code = await runContainers(
      await plannedRun(),
      options({
        hooks: {
          afterChildrenStarted: async () => {
            fake.exit('node2', 137);
            // The main node notices a little later, as the agent does.
            await new Promise((r) => setTimeout(r, 20));
            fake.exit('node0', 3);
          },
        },
      }),
    );
    expect(code).toBe(3);
    expect(output.stderr).toEqual(
      expect.arrayContaining([expect.stringContaining('node 2 exited with 137')]),
    );
    expect(fake.containers.size).toBe(0);
    expect(fake.networks.size).toBe(0);
  });

  it('removes what it made when a child cannot be created half way through the start', async () => {
    const { fake, options } = setup(fakeDocker({ failCreate: (name) => name.endsWith('node2') }));
    await expect(runContainers(await plannedRun(), options())).rejects.toThrow(/create .*node2 failed/);
    expect(fake.containers.size).toBe(0);
    expect(fake.networks.size).toBe(0);
  });

  it('on Ctrl-C removes containers and network and returns 130', async () => {
    const { fake, abort, options } = setup();
    const code = await runContainers(
      await plannedRun(),
      options({ hooks: { afterChildrenStarted: () => abort.abort('SIGINT') } }),
    );
    expect(code).toBe(130);
    expect(fake.containers.size).toBe(0);
    expect(fake.networks.size).toBe(0);
  });

  it('on an interrupt before the children start, starts none of them', async () => {
    const { fake, abort, options } = setup();
    const code = await runContainers(
      await plannedRun(),
      options({ hooks: { afterMainStarted: () => abort.abort('SIGTERM') } }),
    );
    expect(code).toBe(143);
    expect(fake.calls.filter((c) => c.startsWith('create'))).toEqual(['create mnbatch-sleeper-r1-node0']);
    expect(fake.containers.size).toBe(0);
  });

  it('does not start skipped nodes', async () => {
    const { fake, output, options } = setup();
    await runContainers(
      await plannedRun(),
      options({ skipNodes: [2], hooks: { afterChildrenStarted: () => fake.exit('node0', 202) } }),
    );
    expect(fake.calls.some((c) => c.endsWith('node2'))).toBe(false);
    expect(output.stderr).toEqual(expect.arrayContaining([expect.stringContaining('node 2 not started')]));
  });

  it('starts no child when the main node stops at once', async () => {
    const fake = fakeDocker();
    const { output, options } = setup(fake);
    const original = fake.docker.start;
    fake.docker.start = async (id) => {
      await original(id);
      fake.exit('node0', 201);
    };
    const code = await runContainers(await plannedRun(), options());
    expect(code).toBe(201);
    expect(fake.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
    expect(output.stderr).toEqual(
      expect.arrayContaining([expect.stringContaining('stopped before the children')]),
    );
  });

  it('with keep leaves containers and network after the job and says how to remove them', async () => {
    const { fake, output, options } = setup();
    await runContainers(
      await plannedRun(),
      options({ keep: true, hooks: { afterChildrenStarted: () => fake.exit('node0', 0) } }),
    );
    expect(fake.containers.size).toBe(3);
    expect(fake.networks.size).toBe(1);
    expect(output.stderr).toEqual(expect.arrayContaining([expect.stringContaining('label=mnbatch.run=r1')]));
  });

  it('never puts the token on an argv: it goes to the env file of docker create', async () => {
    const { fake, options } = setup();
    const seen: [string, string | undefined, string | undefined][] = [];
    await runContainers(
      await plannedRun(),
      options({
        hooks: {
          afterChildrenStarted: () => {
            for (const c of fake.containers.values()) {
              seen.push([
                c.name.slice(-5),
                c.argv.join(' ').match(/MNBATCH_TOKEN=\S*/)?.[0],
                c.secretEnv.MNBATCH_TOKEN,
              ]);
            }
            fake.exit('node0', 0);
          },
        },
      }),
    );
    expect(seen).toEqual(['node0', 'node1', 'node2'].map((n) => [n, undefined, 'token-0123456789abcdef']));
  });

  it('on Ctrl-C gives every node SIGTERM and the grace period; a program that exits on it is not killed', async () => {
    // Given programs that exit 143 on SIGTERM
    const fake = fakeDocker({ onSigterm: (_name, end) => setTimeout(() => end(143), 20) });
    const { abort, options, output } = setup(fake);
    const signals: Record<string, string[]> = {};
    // When Ctrl-C comes mid-run
    const code = await runContainers(
      await plannedRun(),
      options({
        graceMs: 5_000,
        hooks: {
          afterChildrenStarted: () => {
            for (const c of fake.containers.values()) signals[c.name.slice(-5)] = c.signals;
            abort.abort('SIGINT');
          },
        },
      }),
    );
    // Then every node got SIGTERM only, the run exits 130 and everything is removed
    expect(code).toBe(130);
    expect(signals).toEqual({ node0: ['SIGTERM'], node1: ['SIGTERM'], node2: ['SIGTERM'] });
    expect(fake.calls).toContain(
      'stop -t 5 mnbatch-sleeper-r1-node0 mnbatch-sleeper-r1-node1 mnbatch-sleeper-r1-node2',
    );
    expect(output.stderr).toEqual(expect.arrayContaining([expect.stringContaining('SIGKILL in 5s')]));
    expect(fake.containers.size).toBe(0);
  });

  it('on a second Ctrl-C kills every node at once instead of waiting out the grace period', async () => {
    // Given programs that ignore SIGTERM and a grace period of a minute
    const { fake, abort, options } = setup();
    const force = new AbortController();
    const t = Date.now();
    const code = await runContainers(
      await plannedRun(),
      options({
        graceMs: 60_000,
        force: force.signal,
        hooks: {
          afterChildrenStarted: () => {
            abort.abort('SIGINT');
            setTimeout(() => force.abort('SIGINT'), 50);
          },
        },
      }),
    );
    expect(code).toBe(130);
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(fake.calls.some((c) => c.startsWith('kill '))).toBe(true);
    expect(fake.containers.size).toBe(0);
  });

  it('with keep, Ctrl-C stops the nodes but keeps containers and network', async () => {
    const { fake, abort, options } = setup();
    const code = await runContainers(
      await plannedRun(),
      options({ keep: true, hooks: { afterChildrenStarted: () => abort.abort('SIGTERM') } }),
    );
    expect(code).toBe(143);
    expect(fake.calls.some((c) => c.startsWith('rm '))).toBe(false);
    expect(fake.containers.size).toBe(3);
    expect(fake.networks.size).toBe(1);
  });

  it('stops the job at its timeout like Batch and exits 124', async () => {
    const { fake, options, output } = setup();
    const code = await runContainers(await plannedRun(), options({ timeoutSeconds: 0.2 }));
    expect(code).toBe(124);
    expect(fake.calls.some((c) => c.startsWith('stop -t 0.1'))).toBe(true);
    expect(output.stderr).toEqual(
      expect.arrayContaining([
        expect.stringContaining('ran into its timeout of 0.2s (timeout in the job file)'),
      ]),
    );
  });

  it('detects a main node that stopped answering (paused) and exits 125', async () => {
    const { fake, options, output } = setup();
    const code = await runContainers(
      await plannedRun(),
      options({
        unresponsiveAfterMs: 200,
        watchEveryMs: 20,
        hooks: { afterChildrenStarted: () => fake.pause('node0') },
      }),
    );
    expect(code).toBe(125);
    expect(output.stderr).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/main node 0 has not answered for \ds \(paused or hung\)/),
      ]),
    );
    expect(fake.containers.size).toBe(0);
  });
});
