/** The end-of-job summary stays short on large jobs and still names every node that ended differently. */
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../src/jobs/job-view.js';
import { nodeLines } from '../../src/jobs/render.js';

const ok = (index: number): NodeView => ({ index, isMain: index === 0, status: 'SUCCEEDED', exitCode: 0 });

describe('nodeLines', () => {
  it('on 150 nodes: the main node, runs of alike nodes as one line, each odd node by itself', () => {
    const nodes = Array.from({ length: 150 }, (_, i) =>
      i === 17 ? { ...ok(i), status: 'FAILED' as const, exitCode: 137, reason: 'OutOfMemoryError' } : ok(i),
    );
    expect(nodeLines(nodes)).toEqual([
      'node 0 (main): SUCCEEDED, exit 0 (success)',
      'nodes 1–16: SUCCEEDED, exit 0 (success)',
      'node 17: FAILED, exit 137 (killed (SIGKILL, often out of memory)) — OutOfMemoryError',
      'nodes 18–149: SUCCEEDED, exit 0 (success)',
    ]);
  });

  it('small jobs keep one line per node', () => {
    expect(nodeLines([ok(0), ok(1), ok(2)])).toEqual([
      'node 0 (main): SUCCEEDED, exit 0 (success)',
      'node 1: SUCCEEDED, exit 0 (success)',
      'node 2: SUCCEEDED, exit 0 (success)',
    ]);
  });
});
