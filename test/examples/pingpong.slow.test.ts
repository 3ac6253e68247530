import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../container/images.js';
import { runExample } from './run-example.js';

beforeAll(async () => {
  await ensureTestImages();
}, 1_200_000);

describe('examples/pingpong', () => {
  it('measures latency and bandwidth between 2 nodes from 0 bytes to 1 MiB, prints the 0-byte latency and ends', async () => {
    const { code, text } = await runExample('pingpong', 900_000);
    expect(code, text).toBe(0);
    const sizes = [...text.matchAll(/pingpong: (\d+) +(\d+\.\d+) +(\d+\.\d+)$/gm)].map((m) => Number(m[1]));
    expect(sizes, text).toEqual([0, ...Array.from({ length: 21 }, (_, i) => 2 ** i)]);
    const zero = /pingpong: 0-byte latency (\d+\.\d+) us OK/.exec(text);
    expect(zero, text).not.toBeNull();
    // A number, not a benchmark: timings are not asserted (BENCHMARKS.md has what was measured).
    expect(Number(zero![1])).toBeGreaterThan(0);
  }, 1_000_000);
});
