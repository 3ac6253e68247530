import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../container/images.js';
import { runExample } from './run-example.js';

beforeAll(async () => {
  await ensureTestImages();
}, 1_200_000);

describe('examples/mpich-hello', () => {
  it('runs hello-mpi on MPICH over 4 nodes, prints the right sum with every rank tagged, and ends by itself', async () => {
    // The first run builds mnbatch/agent-mpich, MPICH included (about 15 minutes on 2 cores).
    const { code, text } = await runExample('mpich-hello', 2_400_000);
    expect(code, text).toBe(0);
    expect(text).toContain('MPI: MPICH 4.0.2 (Hydra)');
    expect(text).toMatch(/^\[node 0 rank 0\] hello-mpi: size=(\d+) allreduce=(\d+) expected=\2 OK$/m);
    const size = Number(/hello-mpi: size=(\d+)/.exec(text)![1]);
    const hosts = [...text.matchAll(/^\[node 0 rank 0\] hello-mpi: rank \d+ on (\S+)$/gm)].map((m) => m[1]);
    expect(hosts, text).toHaveLength(size);
    expect(new Set(hosts)).toEqual(new Set([0, 1, 2, 3].map((n) => `mpich-hello-node${n}`)));
    expect(text).toMatch(/main node 0 exited with 0/);
  }, 2_500_000);
});
