/**
 * `mnbatch run --local` with the real MPIs in containers: MPICH (Hydra) jobs end by themselves,
 * an image whose MPI is not the one job.yaml names fails in seconds, and every rank's output
 * line says its node and rank (or nothing with --raw).
 */
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT } from '../../src/contract/exit-codes.js';
import { createDocker } from '../../src/local/docker.js';
import { LOCAL_BASE_IMAGE } from '../../src/local/images.js';
import { type RunLocalOptions, runLocal } from '../../src/local/run-local.js';
import { memoryOutput } from '../../src/ui/output.js';
import { ensureTestImages, REPO } from '../container/images.js';

const docker = createDocker();
const OURS = `mnbatch.pid=${process.pid}`;

async function run(name: string, more: Partial<RunLocalOptions> = {}) {
  const output = memoryOutput();
  const started = Date.now();
  const code = await runLocal({
    file: `test/_fixtures/local/${name}.yaml`,
    cwd: REPO,
    output,
    signal: new AbortController().signal,
    build: false,
    childGraceMs: 15_000,
    graceMs: 3_000,
    ...more,
  });
  return { code, text: output.text(), seconds: (Date.now() - started) / 1000 };
}

/** `[node N rank R] rank R on <job>-nodeN` lines: the tag's node and rank against what the rank itself says. */
function rankLines(text: string) {
  return [...text.matchAll(/^\[node (\d+) rank (\d+)\] rank (\d+) on \S+-node(\d+)$/gm)].map((m) => ({
    tagNode: Number(m[1]),
    tagRank: Number(m[2]),
    rank: Number(m[3]),
    node: Number(m[4]),
  }));
}

/**
 * Private tags, built here from this checkout: the shared mnbatch/agent and example tags may be
 * rebuilt by other checkouts' runs at any moment.
 */
async function buildImages(): Promise<void> {
  const bundle = join(REPO, 'dist', 'agent-bundle');
  for (const mpi of ['openmpi', 'mpich'] as const) {
    const agent = `mnbatch-test/mpi-e2e-agent-${mpi}:latest`;
    await docker.build({
      context: bundle,
      dockerfile: join(REPO, 'container', 'Dockerfile'),
      tags: [agent],
      args: { BASE_IMAGE: LOCAL_BASE_IMAGE, MPI: mpi },
    });
    await docker.build({
      context: join(REPO, 'examples', 'hello-mpi'),
      tags: [`mnbatch-test/mpi-e2e-${mpi}-hello:latest`],
      args: { AGENT_IMAGE: agent },
    });
  }
}

beforeAll(async () => {
  // The base image and a current agent executable.
  await ensureTestImages();
  // The first MPICH agent image build compiles MPICH: 13 minutes on 2 loaded cores.
  await buildImages();
}, 2_700_000);

afterEach(async () => {
  expect(await docker.listContainers(OURS)).toEqual([]);
  expect(await docker.listNetworks(OURS)).toEqual([]);
});

describe('MPI implementations in containers', () => {
  it('runs hello-mpi on MPICH (Hydra) 2 nodes x 1 rank, found by auto detection, and it ends by itself', async () => {
    const { code, text, seconds } = await run('mpich-hello-2x1');
    expect(code, text).toBe(0);
    expect(text).toContain('MPI: MPICH 4.0.2 (Hydra) (auto)');
    expect(text).toMatch(/^\[node 0 rank 0\] hello-mpi: size=2 allreduce=3 expected=3 OK$/m);
    const hosts = new Set([...text.matchAll(/hello-mpi: rank \d+ on (\S+)/g)].map((m) => m[1]));
    expect(hosts).toEqual(new Set(['mpich-hello-node0', 'mpich-hello-node1']));
    expect(seconds).toBeLessThan(90);
  }, 300_000);

  it("ends an MPICH job of 4 nodes x 2 ranks by itself with 0, where Debian's own MPICH build hung in MPI_Finalize", async () => {
    const { code, text, seconds } = await run('mpich-hello-4x2');
    expect(code, text).toBe(0);
    expect(text).toMatch(/^\[node 0 rank 0\] hello-mpi: size=8 allreduce=36 expected=36 OK$/m);
    const hosts = [...text.matchAll(/hello-mpi: rank \d+ on (\S+)/g)].map((m) => m[1]);
    expect(hosts.sort()).toEqual(['0', '0', '1', '1', '2', '2', '3', '3'].map((n) => `mpich-4x2-node${n}`));
    // Its timeout (90 s, then exit 124) is a backstop: a run that ends by itself takes ~15 s here.
    expect(seconds).toBeLessThan(80);
  }, 300_000);

  it('stops an MPICH image run as openmpi at once with exit 207 naming both', async () => {
    const { code, text, seconds } = await run('mpich-as-openmpi');
    expect(code, text).toBe(AGENT_EXIT.mpiMismatch);
    expect(text).toContain(
      "job.yaml mpi.implementation: openmpi, but the image's mpirun is MPICH 4.0.2 (Hydra): set mpi.implementation: mpich or auto",
    );
    expect(seconds).toBeLessThan(60);
  }, 300_000);

  for (const mpi of ['mpich', 'openmpi'] as const) {
    it(`tags every rank's line of ${mpi} with its node and rank, and --raw leaves them bare`, async () => {
      const tagged = await run(`ranks-${mpi}`);
      expect(tagged.code, tagged.text).toBe(0);
      const lines = rankLines(tagged.text);
      expect(lines.map((l) => l.rank).sort(), tagged.text).toEqual([0, 1, 2, 3]);
      for (const l of lines)
        expect(l).toEqual({ tagNode: l.node, tagRank: l.rank, rank: l.rank, node: l.node });
      expect(new Set(lines.map((l) => l.node))).toEqual(new Set([0, 1]));

      const raw = await run(`ranks-${mpi}`, { raw: true });
      expect(raw.code, raw.text).toBe(0);
      const bare = raw.text.split('\n').filter((l) => /^rank \d+ on \S+-node\d+$/.test(l));
      expect(bare, raw.text).toHaveLength(4);
      expect(raw.text).not.toMatch(/\[node \d+/);
    }, 300_000);
  }
});
