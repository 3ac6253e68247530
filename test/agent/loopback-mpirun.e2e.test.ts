/** The agent with real sshd and real Open MPI mpirun across loopback "nodes". */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseLaunchLine } from '../../src/agent/log.js';
import { AGENT_EXIT } from '../../src/contract/exit-codes.js';
import { bundleAgent, Cluster, compileHello } from './_cluster.js';

let dir: string;
let agent: string;
let hello: string;
let cluster: Cluster | undefined;

beforeAll(async () => {
  dir = mkdtempSync('/run/mnbatch-it-bin-');
  agent = (await bundleAgent(dir)).file;
  hello = compileHello(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await cluster?.cleanup();
  cluster = undefined;
});

function startAll(c: Cluster, n: number, command: readonly string[]) {
  const main = c.start(0, command);
  const children = Array.from({ length: n - 1 }, (_, i) => c.start(i + 1, command));
  return { main, children };
}

describe('mpirun across loopback nodes', { timeout: 120_000 }, () => {
  it('given 4 nodes with 2 slots each, when the job runs an MPI program, then every node runs ranks and the main node exits 0', async () => {
    cluster = new Cluster(agent, { numNodes: 4 });
    const { main, children } = startAll(cluster, 4, [hello]);

    expect(await main.exited(60_000)).toBe(0);
    const out = main.out();
    const ranks = [...out.matchAll(/rank (\d+) of 8 on (\S+) sum 28/g)];
    expect(ranks.map((m) => Number(m[1])).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(ranks.map((m) => m[2]))).toEqual(new Set([0, 1, 2, 3].map((i) => cluster!.ip(i))));

    const launch = main
      .log()
      .split('\n')
      .map(parseLaunchLine)
      .filter((l) => l !== undefined);
    expect(launch).toHaveLength(1);
    expect(launch[0]).toMatchObject({ mode: 'mpirun', nodes: 4, slots: 8 });

    for (const c of children) expect(await c.exited(15_000)).toBe(0);
    expect(readFileSync(join(cluster.stateDir(0), 'hostfile'), 'utf8')).toBe(
      [0, 1, 2, 3].map((i) => `${cluster!.ip(i)} slots=2\n`).join(''),
    );
    expect(statSync(join(cluster.stateDir(0), 'id_ed25519')).mode & 0o777).toBe(0o600);
    expect(cluster.leftovers()).toEqual([]);
  });

  it('given a program whose rank 0 exits 3, when the job runs, then the main agent exits 3', async () => {
    cluster = new Cluster(agent, { numNodes: 3 });
    const { main, children } = startAll(cluster, 3, [hello, 'exit', '3']);
    expect(await main.exited(60_000)).toBe(3);
    for (const c of children) expect(await c.exited(15_000)).toBe(0);
  });

  it('given a command that does not exist, when mpirun cannot start it, then the job fails non-zero', async () => {
    cluster = new Cluster(agent, { numNodes: 2 });
    const { main } = startAll(cluster, 2, [join(dir, 'no-such-program')]);
    expect(await main.exited(60_000)).not.toBe(0);
  });

  it('given a child killed mid-run, when the main node sees its connection drop, then it exits 204 naming it and nothing is left running', async () => {
    cluster = new Cluster(agent, { numNodes: 3 });
    const { main, children } = startAll(cluster, 3, [hello, 'sleep', '60']);
    await main.waitFor(/all ranks sleeping/, 60_000, 'out');

    children[1]!.killNode('SIGKILL');

    expect(await main.exited(30_000)).toBe(AGENT_EXIT.nodeLost);
    expect(main.log()).toContain(`node 2 (${cluster.ip(2)}) lost mid-run`);
    expect(await children[0]!.exited(15_000)).toBe(0);
    // mpirun took its ranks and daemons down with it.
    await expect.poll(() => cluster!.leftovers(), { timeout: 10_000, interval: 200 }).toEqual([]);
  });

  it('given SIGTERM to the main node mid-run, when it forwards it, then the children stop and the main exits 143', async () => {
    cluster = new Cluster(agent, { numNodes: 3 });
    const { main, children } = startAll(cluster, 3, [hello, 'sleep', '60']);
    await main.waitFor(/all ranks sleeping/, 60_000, 'out');

    main.proc.kill('SIGTERM');

    expect(await main.exited(30_000)).toBe(143);
    for (const c of children) expect(await c.exited(15_000)).toBe(0);
    expect(children[0]!.log()).toContain('main node said exit');
    await expect.poll(() => cluster!.leftovers(), { timeout: 10_000, interval: 200 }).toEqual([]);
  });
});
