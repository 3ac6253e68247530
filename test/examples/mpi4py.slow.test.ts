import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../container/images.js';
import { runExample } from './run-example.js';

beforeAll(async () => {
  await ensureTestImages();
}, 1_200_000);

describe('examples/mpi4py', () => {
  it('computes pi on every rank of 2 nodes with an allreduce, prints it right and ends', async () => {
    const { code, text } = await runExample('mpi4py', 900_000);
    expect(code, text).toBe(0);
    const line = /mpi4py-pi: size=(\d+) pi=(\d+\.\d+) error=(\S+) OK/.exec(text);
    expect(line, text).not.toBeNull();
    expect(Number(line![1])).toBeGreaterThanOrEqual(2);
    expect(Number(line![2])).toBeCloseTo(Math.PI, 9);
  }, 1_000_000);
});
