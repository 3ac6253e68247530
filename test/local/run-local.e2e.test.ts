/**
 * `mnbatch run --local` with real Docker, the real agent image and real MPI. Builds the images
 * once (test/container/images.ts), then runs small jobs, each ended in a different way. After
 * every test, no container or network of this process's runs may be left.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSshKeyPair } from '../../src/agent/keys.js';
import { encodeFrame } from '../../src/agent/protocol.js';
import { exec } from '../../src/cli/cli.js';
import { AGENT_DEFAULTS, AGENT_ENV, BATCH_ENV } from '../../src/contract/agent-env.js';
import { AGENT_EXIT } from '../../src/contract/exit-codes.js';
import { createDocker } from '../../src/local/docker.js';
import type { LocalRunPlan } from '../../src/local/node-plan.js';
import { selfOwner } from '../../src/local/owner.js';
import type { RunHooks } from '../../src/local/run-containers.js';
import { type RunLocalOptions, runLocal } from '../../src/local/run-local.js';
import { memoryOutput } from '../../src/ui/output.js';
import { ensureTestImages, HELLO_IMAGE, REPO } from '../container/images.js';

const docker = createDocker();
const OURS = `mnbatch.pid=${process.pid}`;
const fixture = (name: string) => `test/_fixtures/local/${name}.yaml`;

function docker$(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function waitForLine(text: () => string, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(text())) {
    if (Date.now() > deadline)
      throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs a fixture job with runLocal. `during` runs alongside once the run is planned; `hooksFor`
 * gives runner hooks that may look at the planned run.
 */
async function runFixture(
  name: string,
  more: Partial<RunLocalOptions> = {},
  during?: (run: LocalRunPlan, text: () => string, abort: AbortController) => Promise<void>,
  hooksFor?: (run: () => LocalRunPlan) => RunHooks,
) {
  const output = memoryOutput();
  const abort = new AbortController();
  let planned: LocalRunPlan | undefined;
  let duringDone: Promise<void> = Promise.resolve();
  const code = await runLocal({
    file: fixture(name),
    cwd: REPO,
    output,
    signal: abort.signal,
    build: false,
    childGraceMs: 15_000,
    ...more,
    hooks: {
      ...hooksFor?.(() => planned!),
      planned: (run) => {
        planned = run;
        if (during) duringDone = during(run, () => output.text(), abort);
      },
    },
  });
  await duringDone;
  return { code, text: output.text(), run: planned! };
}

beforeAll(async () => {
  await ensureTestImages();
}, 1_200_000);

afterEach(async () => {
  // Every run of this process is gone: containers and networks alike.
  expect(await docker.listContainers(OURS)).toEqual([]);
  expect(await docker.listNetworks(OURS)).toEqual([]);
});

describe('mnbatch run --local (Docker)', () => {
  it('runs hello-mpi on 4 nodes: every node takes part and the allreduce is right', async () => {
    const output = memoryOutput();
    const code = await exec(['run', '--local', 'examples/hello-mpi/job.yaml', '--nodes', '4'], {
      output,
      cwd: REPO,
    });
    const text = output.text();
    expect(code, text).toBe(0);
    const summary = /hello-mpi: size=(\d+) allreduce=(\d+) expected=(\d+) OK/.exec(text);
    expect(summary, text).not.toBeNull();
    const size = Number(summary![1]);
    expect(Number(summary![2])).toBe((size * (size + 1)) / 2);
    const hosts = new Set([...text.matchAll(/hello-mpi: rank \d+ on (\S+)/g)].map((m) => m[1]));
    expect([...hosts].sort()).toEqual([
      'hello-mpi-node0',
      'hello-mpi-node1',
      'hello-mpi-node2',
      'hello-mpi-node3',
    ]);
  }, 300_000);

  it('returns the program exit code: a program that exits 3 makes the job exit 3', async () => {
    const { code, text } = await runFixture('exit3');
    expect(code, text).toBe(3);
  }, 180_000);

  it('first removes what a killed earlier run left behind', async () => {
    // The owner label of a runner that has exited: same pid namespace, a pid that is gone.
    const dead = spawnSync('true').pid;
    const owner = selfOwner().replace(/\/\d+\/\d+$/, `/${dead}/1`);
    const labels = ['--label', 'mnbatch.run=stale-e2e', '--label', `mnbatch.owner=${owner}`];
    docker$('network', 'create', '--internal', ...labels, 'mnbatch-stale-e2e');
    docker$(
      'create',
      '--network',
      'mnbatch-stale-e2e',
      ...labels,
      '--name',
      'mnbatch-stale-e2e-node0',
      HELLO_IMAGE,
    );
    const { code, text } = await runFixture('exit3');
    expect(code, text).toBe(3);
    expect(text).toMatch(/removed leftovers of runs whose runner is gone: stale-e2e/);
    expect(await docker.listContainers('mnbatch.run=stale-e2e')).toEqual([]);
    expect(await docker.listNetworks('mnbatch.run=stale-e2e')).toEqual([]);
  }, 180_000);

  it('gives all nodes one shared directory where the job mounts EFS, and removes it afterwards', async () => {
    const { code, text, run } = await runFixture('efs-shared');
    expect(code, text).toBe(0);
    expect(text).toMatch(/\[node 0\] shared: from-node0 from-node1/);
    expect(text).toMatch(/\[node 1\] shared: from-node0 from-node1/);
    expect(run.sharedDirs).toHaveLength(1);
    expect(existsSync(run.sharedDirs[0]!)).toBe(false);
  }, 180_000);

  it('fails bring-up naming the missing index when a child never starts', async () => {
    const { code, text } = await runFixture('short-rendezvous', { skipNodes: [2] });
    expect(code, text).toBe(AGENT_EXIT.bringUp);
    expect(text).toMatch(/2\/3 nodes registered; missing node indices 2/);
  }, 180_000);

  it('rejects a forged registration on the run network and still runs the job', async () => {
    const { code, text } = await runFixture('hello-two', {}, undefined, (planned) => ({
      // Before any child exists, a stranger on the network claims to be node 1 with a wrong token.
      afterMainStarted: async ({ network, mainIp }) => {
        const jobId = planned().nodes[0]!.env.find((kv) => kv.name === BATCH_ENV.jobId)!.value!;
        const frame = encodeFrame('not-the-token-of-this-job', { jobId, attempt: 1 }, 1, 'register', {
          ip: '10.99.99.99',
          slots: 1,
          hostname: 'forger',
          hostKey: generateSshKeyPair('forger').publicKey,
        });
        const send =
          `for i in $(seq 100); do exec 3<>/dev/tcp/$MAIN/${AGENT_DEFAULTS.rendezvousPort} && break; sleep 0.1; done 2>/dev/null; ` +
          'printf "%s" "$FRAME" >&3; sleep 1';
        docker$(
          ...[
            'run',
            '--rm',
            '--network',
            network,
            '--label',
            OURS,
            '--label',
            `mnbatch.run=${planned().runId}`,
          ],
          ...[
            '--env',
            `FRAME=${frame}`,
            '--env',
            `MAIN=${mainIp}`,
            '--entrypoint',
            'bash',
            HELLO_IMAGE,
            '-c',
            send,
          ],
        );
      },
    }));
    expect(code, text).toBe(0);
    expect(text).toMatch(/main\] warn: rejected connection from [\d.:]+: bad MAC/);
    expect(text).toMatch(/hello-mpi: size=2 allreduce=3 expected=3 OK/);
  }, 180_000);
});

describe('mnbatch run --local (Docker) interrupted mid-run', () => {
  it('gives each node its own SSH host key, and on SIGTERM to the main node stops the children and exits 143', async () => {
    const keys: string[] = [];
    const { code, text } = await runFixture('sleep', {}, async (run, text) => {
      await waitForLine(text, /launching mpirun/);
      for (const node of run.nodes.slice(0, 2)) {
        keys.push(docker$('exec', node.name, 'cat', '/run/mnbatch/ssh_host_ed25519_key.pub'));
      }
      docker$('kill', '--signal', 'TERM', run.nodes[run.mainIndex]!.name);
    });
    expect(code, text).toBe(143);
    expect(keys[0]).toMatch(/^ssh-ed25519 /);
    expect(keys[0]).not.toBe(keys[1]);
    // The children ended by themselves: the runner did not have to stop them.
    expect(text).not.toMatch(/still running .* after the main node ended/);
  }, 180_000);

  it('fails the job when a child is killed mid-run, and leaves nothing running', async () => {
    const { code, text } = await runFixture('sleep', {}, async (run, text) => {
      await waitForLine(text, /launching mpirun/);
      docker$('kill', run.nodes[2]!.name);
    });
    expect(code, text).not.toBe(0);
  }, 180_000);

  it('on Ctrl-C removes every container and the network', async () => {
    const { code, text } = await runFixture('sleep', {}, async (_run, text, abort) => {
      await waitForLine(text, /launching mpirun/);
      abort.abort('SIGINT');
    });
    expect(code, text).toBe(130);
  }, 180_000);
});

describe('mnbatch run --local (Docker) under attack and stopped like Batch', () => {
  /** A local user with no rights: what any other user of this machine can do. */
  const STRANGER = 'mnb-untrusted';

  beforeAll(() => {
    if (spawnSync('id', [STRANGER]).status !== 0) execFileSync('useradd', ['-M', '-s', '/bin/sh', STRANGER]);
  });

  it('shows the token to no other local user, and refuses a registration from an address that is not the claimed one', async () => {
    // Given an unprivileged user sampling every command line on the machine during the run
    const sampler = spawn(
      'runuser',
      ['-u', STRANGER, '--', 'sh', '-c', 'while :; do ps -eo args; sleep 0.05; done'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let samples = '';
    sampler.stdout.on('data', (d: Buffer) => {
      samples += d.toString();
    });
    let token = '';
    let forger = '';
    try {
      const { code, text } = await runFixture('hello-two', {}, undefined, (planned) => ({
        // When that user, even holding the token (worst case), registers as node 1 from the host
        afterMainStarted: async ({ mainIp }) => {
          const env = planned().nodes[0]!.env;
          token = env.find((kv) => kv.name === AGENT_ENV.token)!.value!;
          const jobId = env.find((kv) => kv.name === BATCH_ENV.jobId)!.value!;
          const frame = encodeFrame(token, { jobId: jobId.replace(/#\d+$/, ''), attempt: 1 }, 1, 'register', {
            ip: '10.99.99.99',
            slots: 1,
            hostname: 'forger',
            hostKey: generateSshKeyPair('forger').publicKey,
          });
          // The main agent opens its rendezvous port a moment after its container starts.
          const send = [
            `for i in $(seq 100); do (exec 3<>/dev/tcp/${mainIp}/${AGENT_DEFAULTS.rendezvousPort}) 2>/dev/null && break; sleep 0.1; done`,
            `exec 3<>/dev/tcp/${mainIp}/${AGENT_DEFAULTS.rendezvousPort} && printf '%s' "$FRAME" >&3 && sleep 1 && echo sent`,
          ].join('; ');
          forger = execFileSync('runuser', ['-u', STRANGER, '--', 'bash', '-c', send], {
            encoding: 'utf8',
            env: { ...process.env, FRAME: frame },
          });
        },
      }));
      // Then the job runs with its real nodes only, and the stranger is refused by address
      expect(code, text).toBe(0);
      expect(forger).toContain('sent');
      expect(text).toMatch(
        /rejected connection from [\d.]+:\d+: node 1 claims address 10\.99\.99\.99 but connects from/,
      );
      expect(text).toMatch(/hello-mpi: size=2 allreduce=3 expected=3 OK/);
    } finally {
      sampler.kill();
    }
    // And nothing the stranger could see carried the token, though it saw the runner's docker commands
    expect(samples).toMatch(/docker (create|start|logs)/);
    expect(token.length).toBeGreaterThan(16);
    expect(samples).not.toContain(token);
  }, 180_000);

  it('on Ctrl-C gives every program SIGTERM and the grace period: checkpoints written on TERM are kept', async () => {
    // Given programs that save a checkpoint to the shared directory on SIGTERM
    const { code, text, run } = await runFixture(
      'checkpoint',
      { graceMs: 20_000 },
      async (_run, text, abort) => {
        await waitForLine(text, /\[node 1\] ready/);
        await waitForLine(text, /\[node 0\] ready/);
        // When the user presses Ctrl-C
        abort.abort('SIGINT');
      },
    );
    // Then the run exits 130, and the shared directory, kept because the run did not succeed, holds both checkpoints
    expect(code, text).toBe(130);
    const dir = run.sharedDirs[0]!;
    try {
      expect(text).toContain(`kept the shared (EFS) directory ${dir.slice(0, dir.lastIndexOf('/'))}`);
      expect(readFileSync(`${dir}/ckpt-node0`, 'utf8')).toBe('saved\n');
      expect(readFileSync(`${dir}/ckpt-node1`, 'utf8')).toBe('saved\n');
    } finally {
      rmSync(dir.slice(0, dir.lastIndexOf('/')), { recursive: true, force: true });
    }
  }, 180_000);

  it('ends a run whose main node froze (docker pause) with exit 125 and removes it', async () => {
    const { code, text } = await runFixture(
      'sleep',
      { unresponsiveAfterMs: 3_000, graceMs: 2_000 },
      async (run, text) => {
        await waitForLine(text, /launching mpirun/);
        docker$('pause', run.nodes[run.mainIndex]!.name);
      },
    );
    expect(code, text).toBe(125);
    expect(text).toMatch(/main node 0 has not answered for \ds \(paused or hung\)/);
  }, 180_000);
});

describe('mnbatch run --local (Docker) says clearly what is wrong', () => {
  async function cli(args: string[], env: Record<string, string | undefined> = {}) {
    const output = memoryOutput();
    const code = await exec(['run', '--local', ...args], { output, cwd: REPO, env });
    return { code, err: output.stderr.join('\n') };
  }

  it('when docker is not installed', async () => {
    const { code, err } = await cli([fixture('hello-two')], { PATH: '/nonexistent' });
    expect(code).toBe(1);
    expect(err).toMatch(/error: docker is not installed/);
  });

  it('when the Docker daemon does not answer', async () => {
    const { code, err } = await cli([fixture('hello-two')], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    expect(code).toBe(1);
    expect(err).toMatch(/error: the Docker daemon is not running or not reachable/);
  });

  it('when the image is missing and --no-build forbids building it', async () => {
    const { code, err } = await cli([fixture('settings'), '--no-build']);
    expect(code).toBe(1);
    expect(err).toMatch(/error: image example\/settings:1 is not on this machine/);
  });

  it('when the image build fails, with the last lines of the build', async () => {
    const { code, err } = await cli(['test/_fixtures/local/broken-build/job.yaml']);
    expect(code).toBe(1);
    expect(err).toMatch(/error: building image mnbatch-test\/broken-build:latest failed/);
    expect(err).toMatch(/error: the build of this fixture always fails/);
    // The failed step's container is removed too: nothing of a failed build is left behind.
    const leftovers = execFileSync('docker', ['ps', '-a', '--no-trunc', '--format', '{{.Command}}'], {
      encoding: 'utf8',
    });
    expect(leftovers).not.toContain('the build of this fixture always fails');
  }, 120_000);

  it('when run is not told --local', async () => {
    const output = memoryOutput();
    const code = await exec(['run', fixture('hello-two')], { output, cwd: REPO });
    expect(code).toBe(2); // a usage error (EXIT.usage)
    expect(output.stderr.join('\n')).toMatch(/run needs --local/);
  });
});
