import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../container/images.js';
import { runExample } from './run-example.js';

beforeAll(async () => {
  await ensureTestImages();
}, 1_200_000);

describe('examples/torchrun', () => {
  it("runs Debian's torchrun on both nodes (launch: each) with the underscore flags; the gloo all_reduce is right and it ends", async () => {
    const { code, text } = await runExample('torchrun', 1_500_000);
    expect(code, text).toBe(0);
    const line = /torchrun-allreduce: torch=(\S+) world=2 sum=3 expected=3 OK/.exec(text);
    expect(line, text).not.toBeNull();
    const hosts = new Set([...text.matchAll(/torchrun-allreduce: rank \d on (\S+)/g)].map((m) => m[1]));
    expect([...hosts].sort(), text).toEqual(['torchrun-allreduce-node0', 'torchrun-allreduce-node1']);
  }, 1_600_000);
});
