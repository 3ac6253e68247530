/** Bring-up faults, hostile peers, the main node vanishing, `launch: each` and `main`, strict host keys. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSshKeyPair } from '../../src/agent/keys.js';
import { parseLaunchLine } from '../../src/agent/log.js';
import { encodeFrame, MAX_FRAME_BYTES } from '../../src/agent/protocol.js';
import { AGENT_EXIT } from '../../src/contract/exit-codes.js';
import { type AgentProcess, bundleAgent, Cluster } from './_cluster.js';

let dir: string;
let agent: string;
let inputs: string[];
let cluster: Cluster | undefined;

beforeAll(async () => {
  dir = mkdtempSync('/run/mnbatch-it-bin-');
  ({ file: agent, inputs } = await bundleAgent(dir));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await cluster?.cleanup();
  cluster = undefined;
});

/** Sends raw bytes to the main node's rendezvous port and resolves when the main node closes the connection. */
function sendRaw(host: string, port: number, data: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    s.on('connect', () => {
      if (data !== undefined) s.write(data);
    });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    setTimeout(() => {
      s.destroy();
      reject(new Error('main node kept a bad connection open'));
    }, 10_000);
  });
}

const waitListening = (main: AgentProcess) => main.waitFor(/waiting for \d+ child(ren)?\b/, 30_000);

describe('bring-up', { timeout: 120_000 }, () => {
  it('given a child that never starts, when the deadline passes, then the main node fails with the missing index and 202', async () => {
    cluster = new Cluster(agent, { numNodes: 3, env: { MNBATCH_RENDEZVOUS_TIMEOUT: '4' } });
    const main = cluster.start(0, ['true']);
    const child = cluster.start(1, ['true']);

    expect(await main.exited(20_000)).toBe(AGENT_EXIT.bringUp);
    expect(main.log()).toContain(
      'bring-up timed out after 4s: 2/3 nodes registered; missing node indices 2\n',
    );
    expect(await child.exited(10_000)).toBe(0);
    expect(child.log()).toContain('main node said exit');
  });

  it('given MNBATCH_MIN_NODES below the node count, when a child is missing at the deadline, then the job goes on without it', async () => {
    cluster = new Cluster(agent, {
      numNodes: 3,
      env: { MNBATCH_RENDEZVOUS_TIMEOUT: '3', MNBATCH_MIN_NODES: '2', MNBATCH_LAUNCH: 'main' },
    });
    const main = cluster.start(0, ['sh', '-c', 'cat "$MNBATCH_HOSTFILE"']);
    cluster.start(1, ['true']);

    expect(await main.exited(20_000)).toBe(0);
    expect(main.log()).toMatch(
      /bring-up deadline passed: 2\/3 nodes registered; missing node indices 2; going on/,
    );
    expect(main.out()).toBe(`${cluster.ip(0)} slots=2\n${cluster.ip(1)} slots=2\n`);
    const launch = main
      .log()
      .split('\n')
      .map(parseLaunchLine)
      .find((l) => l !== undefined);
    expect(launch).toMatchObject({ mode: 'main', nodes: 2, slots: 4 });
  });

  it('given forged, malformed, oversized, wrong-job and out-of-range registrations, when sent to the main node, then each is rejected and logged and the job still succeeds', async () => {
    cluster = new Cluster(agent, { numNodes: 2, env: { MNBATCH_LAUNCH: 'main' } });
    const main = cluster.start(0, ['true']);
    await waitListening(main);
    const host = cluster.ip(0);
    const port = cluster.rendezvousPort;
    const job = { jobId: cluster.jobId, attempt: 1 };
    const body = { ip: cluster.ip(1), slots: 2, hostname: 'evil', hostKey: generateSshKeyPair().publicKey };

    await sendRaw(host, port, encodeFrame('a-wrong-token-0123456789', job, 1, 'register', body));
    await sendRaw(host, port, '{"v":1,"type":"register",\n');
    await sendRaw(host, port, `${'x'.repeat(MAX_FRAME_BYTES + 10)}`);
    await sendRaw(
      host,
      port,
      encodeFrame(cluster.token, { jobId: 'job-other', attempt: 1 }, 1, 'register', body),
    );
    await sendRaw(host, port, encodeFrame(cluster.token, { ...job, attempt: 2 }, 1, 'register', body));
    await sendRaw(host, port, encodeFrame(cluster.token, job, 7, 'register', body));
    await sendRaw(host, port, encodeFrame(cluster.token, job, 0, 'register', body));
    const child = cluster.start(1, ['true']);

    expect(await main.exited(30_000)).toBe(0);
    const rejected = main
      .log()
      .split('\n')
      .filter((l) => l.includes('rejected connection from'));
    expect(rejected.map((l) => l.replace(/.*: /, ''))).toEqual([
      'bad MAC (wrong token or forged frame)',
      'malformed JSON',
      'frame larger than 64 KiB',
      `frame for job job-other, this is ${cluster.jobId}`,
      'frame for attempt 2, this is attempt 1',
      'node index 7 out of range 0..1',
      "node index 0 is the main node's",
    ]);
    expect(await child.exited(10_000)).toBe(0);
  });
});

describe('rendezvous port', { timeout: 120_000 }, () => {
  it('given a main node whose rendezvous port is taken, when it starts, then it exits 202 naming the address, in one error line', async () => {
    cluster = new Cluster(agent, { numNodes: 2 });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(cluster!.rendezvousPort, cluster!.ip(0), resolve));
    try {
      const main = cluster.start(0, ['true']);

      expect(await main.exited(20_000)).toBe(AGENT_EXIT.bringUp);
      const errors = main
        .log()
        .split('\n')
        .filter((l) => l.includes('error:'));
      expect(errors).toEqual([
        expect.stringContaining(
          `cannot listen for children on ${cluster.ip(0)}:${cluster.rendezvousPort}: listen EADDRINUSE`,
        ),
      ]);
    } finally {
      squatter.close();
    }
  });
});

describe('SSH setup', { timeout: 120_000 }, () => {
  it("given a node whose SSH port is taken, when sshd cannot start, then the child exits 203 with sshd's reason and the main node fails at once naming it", async () => {
    // A bring-up deadline far beyond the waits below: the main node must not wait for it.
    cluster = new Cluster(agent, { numNodes: 2, env: { MNBATCH_RENDEZVOUS_TIMEOUT: '300' } });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(cluster!.sshPort, cluster!.ip(1), resolve));
    try {
      const main = cluster.start(0, ['true']);
      const child = cluster.start(1, ['true']);

      expect(await child.exited(20_000)).toBe(AGENT_EXIT.sshSetup);
      expect(child.log()).toMatch(
        /sshd: Bind to port 2222 on 127\.\d+\.\d+\.3 failed: Address already in use/,
      );
      expect(child.log()).toMatch(/error: sshd exited \(code 255\)/);
      expect(await main.exited(20_000)).toBe(AGENT_EXIT.sshSetup);
      expect(main.log()).toContain(`node 1 (${cluster.ip(1)}) failed its setup with 203 (SSH setup failed)`);
    } finally {
      squatter.close();
    }
  });

  it('given MNBATCH_MIN_NODES below the node count and a child whose sshd cannot start, when it reports that, then the job goes on at once without it', async () => {
    cluster = new Cluster(agent, {
      numNodes: 3,
      env: { MNBATCH_RENDEZVOUS_TIMEOUT: '300', MNBATCH_MIN_NODES: '2', MNBATCH_LAUNCH: 'main' },
    });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(cluster!.sshPort, cluster!.ip(2), resolve));
    try {
      const main = cluster.start(0, ['sh', '-c', 'cat "$MNBATCH_HOSTFILE"']);
      cluster.start(1, ['true']);
      const broken = cluster.start(2, ['true']);

      expect(await broken.exited(20_000)).toBe(AGENT_EXIT.sshSetup);
      expect(await main.exited(20_000)).toBe(0);
      expect(main.out()).toBe(`${cluster.ip(0)} slots=2\n${cluster.ip(1)} slots=2\n`);
    } finally {
      squatter.close();
    }
  });
});

describe('the main node going away', { timeout: 120_000 }, () => {
  it('given a running job, when the main node is killed, then every child exits 205 soon after', async () => {
    cluster = new Cluster(agent, { numNodes: 3, env: { MNBATCH_LAUNCH: 'main' } });
    const main = cluster.start(0, ['sleep', '60']);
    const children = [cluster.start(1, ['true']), cluster.start(2, ['true'])];
    await main.waitFor(/launching main/, 30_000);

    main.killNode('SIGKILL');

    for (const c of children) {
      expect(await c.exited(10_000)).toBe(AGENT_EXIT.mainLost);
      expect(c.log()).toContain(`main node ${cluster.ip(0)} went away`);
    }
  });
});

describe('a child stopped mid-run', { timeout: 120_000 }, () => {
  it('given a serving child, when it gets SIGTERM, then it exits 143 and the main node exits 204 naming it', async () => {
    cluster = new Cluster(agent, { numNodes: 3, env: { MNBATCH_LAUNCH: 'main' } });
    const main = cluster.start(0, ['sleep', '60']);
    const children = [cluster.start(1, ['true']), cluster.start(2, ['true'])];
    await main.waitFor(/launching main/, 30_000);

    children[0]!.proc.kill('SIGTERM');

    expect(await children[0]!.exited(10_000)).toBe(143);
    expect(await main.exited(30_000)).toBe(AGENT_EXIT.nodeLost);
    expect(main.log()).toContain(`node 1 (${cluster.ip(1)}) lost mid-run: connection closed`);
    expect(await children[1]!.exited(10_000)).toBe(0);
    await expect.poll(() => cluster!.leftovers(), { timeout: 10_000, interval: 200 }).toEqual([]);
  });
});

describe('launch: each', { timeout: 120_000 }, () => {
  it('given three nodes, when each runs the command, then every node gets its rank and the job view', async () => {
    cluster = new Cluster(agent, { numNodes: 3, env: { MNBATCH_LAUNCH: 'each' } });
    const script =
      'echo "$MNBATCH_NODE_RANK $MNBATCH_NUM_NODES $MNBATCH_MAIN_IP $(wc -l < "$MNBATCH_HOSTFILE") $(printenv MNBATCH_TOKEN || echo no-token)" > "$MNBATCH_TEST_ROOT/rank-$MNBATCH_NODE_RANK"';
    const nodes = [0, 1, 2].map((i) => cluster!.start(i, ['sh', '-c', script]));

    expect(await nodes[0]!.exited(30_000)).toBe(0);
    for (const rank of [0, 1, 2]) {
      expect(readFileSync(join(cluster.root, `rank-${rank}`), 'utf8')).toBe(
        `${rank} 3 ${cluster.ip(0)} 3 no-token\n`,
      );
    }
    for (const c of nodes.slice(1)) expect(await c.exited(10_000)).toBe(0);
  });

  it('given the stack key instead of a token (Batch), when the nodes derive the job token, then they rendezvous and no command sees the key', async () => {
    const key = 'k'.repeat(43);
    cluster = new Cluster(agent, {
      numNodes: 3,
      env: { MNBATCH_LAUNCH: 'each', MNBATCH_TOKEN: '', MNBATCH_RENDEZVOUS_KEY: key },
    });
    const script =
      'echo "$MNBATCH_NODE_RANK $(printenv MNBATCH_RENDEZVOUS_KEY || echo no-key) $(printenv MNBATCH_TOKEN || echo no-token)" > "$MNBATCH_TEST_ROOT/rank-$MNBATCH_NODE_RANK"';
    const nodes = [0, 1, 2].map((i) => cluster!.start(i, ['sh', '-c', script]));

    expect(await nodes[0]!.exited(30_000), nodes[0]!.log()).toBe(0);
    for (const rank of [0, 1, 2])
      expect(readFileSync(join(cluster.root, `rank-${rank}`), 'utf8')).toBe(`${rank} no-key no-token\n`);
    for (const c of nodes.slice(1)) expect(await c.exited(10_000)).toBe(0);
  });

  it('given one node whose command fails, when the job runs, then the main node exits with its code and names it', async () => {
    cluster = new Cluster(agent, { numNodes: 3, env: { MNBATCH_LAUNCH: 'each' } });
    const script = 'if [ "$MNBATCH_NODE_RANK" = 2 ]; then exit 7; fi; sleep 30';
    const nodes = [0, 1, 2].map((i) => cluster!.start(i, ['sh', '-c', script]));

    expect(await nodes[0]!.exited(30_000)).toBe(7);
    expect(nodes[0]!.log()).toContain(`the command failed on node 2 (${cluster.ip(2)}) with code 7`);
    for (const c of nodes.slice(1)) expect(await c.exited(20_000)).not.toBe(AGENT_EXIT.mainLost);
    await expect.poll(() => cluster!.leftovers(), { timeout: 10_000, interval: 200 }).toEqual([]);
  });
});

describe('launch: main and SSH', { timeout: 120_000 }, () => {
  it('given the job files, when the command uses ssh, then strict host key checking accepts the real keys and refuses a wrong one', async () => {
    cluster = new Cluster(agent, {
      numNodes: 2,
      env: { MNBATCH_LAUNCH: 'main', MNBATCH_INSTALL_SSH: 'yes', LD_LIBRARY_PATH: '/opt/mpi/lib' },
    });
    const child = cluster.ip(1);
    const badKnownHosts = join(cluster.root, 'bad_known_hosts');
    writeFileSync(badKnownHosts, `[${child}]:${cluster.sshPort} ${generateSshKeyPair().publicKey}\n`);
    const script = [
      // The session has the node's environment (an MPI's LD_LIBRARY_PATH), never the rendezvous token.
      `ssh -F "$MNBATCH_SSH_CONFIG" ${child} 'echo via-config $MNBATCH_TEST_ROOT token=[$MNBATCH_TOKEN] $LD_LIBRARY_PATH'`,
      `ssh -F "$HOME/.ssh/config" ${child} 'echo via-home'`,
      `if ssh -F "$MNBATCH_SSH_CONFIG" -o UserKnownHostsFile=${badKnownHosts} ${child} true 2>"$MNBATCH_TEST_ROOT/err"; then echo wrong-key-accepted; else echo wrong-key-refused; fi`,
    ].join('; ');
    const main = cluster.start(0, ['sh', '-c', script]);
    cluster.start(1, ['true']);

    expect(await main.exited(30_000)).toBe(0);
    expect(main.out()).toBe(
      `via-config ${cluster.root} token=[] /opt/mpi/lib\nvia-home\nwrong-key-refused\n`,
    );
    expect(readFileSync(join(cluster.root, 'err'), 'utf8')).toMatch(
      /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/,
    );
    const knownHosts = readFileSync(join(cluster.stateDir(0), 'known_hosts'), 'utf8');
    expect(
      knownHosts
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split(' ')[0]),
    ).toEqual([`[${cluster.ip(0)}]:${cluster.sshPort}`, `[${child}]:${cluster.sshPort}`]);
  });

  it('given a command that cannot be started, when the main node launches it, then it exits 206 with the reason', async () => {
    cluster = new Cluster(agent, { numNodes: 2, env: { MNBATCH_LAUNCH: 'main' } });
    const main = cluster.start(0, ['/no/such/program']);
    const child = cluster.start(1, ['true']);
    expect(await main.exited(30_000)).toBe(AGENT_EXIT.launchFailed);
    expect(main.log()).toContain('cannot start /no/such/program: spawn /no/such/program ENOENT');
    expect(await child.exited(10_000)).toBe(0);
  });

  it('given a missing variable, when the agent starts, then it prints one line naming it and exits 201', async () => {
    cluster = new Cluster(agent, { numNodes: 2, env: { MNBATCH_TOKEN: '' } });
    const main = cluster.start(0, ['true']);
    expect(await main.exited(10_000)).toBe(AGENT_EXIT.config);
    expect(main.log()).toBe(
      '[mnbatch-agent] error: MNBATCH_RENDEZVOUS_KEY is not set (nor MNBATCH_TOKEN for a local run)\n',
    );
  });
});

describe('the agent bundle', { timeout: 120_000 }, () => {
  it('given the esbuild bundle, when its inputs are listed, then only the agent, the contract and the error type are in it', () => {
    expect(inputs.length).toBeGreaterThan(5);
    // src/errors.ts is the project's one error type and imports nothing.
    const shared = ['src/errors.ts'];
    expect(
      inputs.filter(
        (f) => !f.startsWith('src/agent/') && !f.startsWith('src/contract/') && !shared.includes(f),
      ),
    ).toEqual([]);
  });
});
