import { describe, expect, it } from 'vitest';
import type { NodeInfo } from '../../src/agent/cluster.js';
import { normalizeLine, parseRankLine, rankNodes, rankTagArgs } from '../../src/agent/rank-output.js';
import { displayLine, hasRankTag, rankTag, stripRankTag } from '../../src/contract/output-tags.js';

const node = (index: number, slots: number): NodeInfo => ({
  index,
  ip: `10.0.0.${index + 10}`,
  slots,
  hostname: `h${index}`,
  hostKey: 'ssh-ed25519 AAAA',
});
// Hostfile order: main node (index 1) first, then the children.
const ordered = [node(1, 2), node(0, 1), node(2, 3)];

describe('rank tags of mpirun', () => {
  it('given each implementation, when tag flags are chosen, then Open MPI gets --tag-output and Hydra -prepend-rank', () => {
    expect(rankTagArgs('openmpi')).toEqual(['--tag-output']);
    expect(rankTagArgs('mpich')).toEqual(['-prepend-rank']);
    expect(rankTagArgs('intelmpi')).toEqual(['-prepend-rank']);
  });

  it("given Open MPI 4's tagged lines, when parsed, then rank and the program's text (leading spaces kept) come out", () => {
    expect(parseRankLine('openmpi', '[1,3]<stdout>:hello-mpi: size=4')).toEqual({
      rank: 3,
      text: 'hello-mpi: size=4',
    });
    expect(parseRankLine('openmpi', '[1,0]<stderr>:  indented')).toEqual({ rank: 0, text: '  indented' });
    expect(parseRankLine('openmpi', '[1,12]<stdout>: x', 5)).toEqual({ rank: 12, text: 'x' });
    expect(parseRankLine('openmpi', 'mpirun noticed that process rank 0 ...')).toBeUndefined();
  });

  it("given Hydra's -prepend-rank lines, when parsed, then rank and text come out; untagged lines are not claimed", () => {
    expect(parseRankLine('mpich', '[3] hello')).toEqual({ rank: 3, text: 'hello' });
    expect(parseRankLine('intelmpi', '[0] [0] MPI startup(): ...')).toEqual({
      rank: 0,
      text: '[0] MPI startup(): ...',
    });
    expect(parseRankLine('mpich', '[mpiexec@node0] HYD_pmci_wait_for_completion: error')).toBeUndefined();
  });

  it('given nodes with slots in hostfile order, when ranks are placed, then they fill each node in turn (node indices, not positions)', () => {
    expect(rankNodes(ordered, [], {})).toEqual([1, 1, 0, 2, 2, 2]);
  });

  it('given a job that maps ranks itself, by flag or variable, when ranks are placed, then no node is claimed', () => {
    for (const args of [
      ['--map-by', 'node'],
      ['--map-by=ppr:1:node'],
      ['-ppn', '1'],
      ['-rr'],
      ['--rankfile', 'f'],
      ['-hosts', 'a,b'],
    ]) {
      expect(rankNodes(ordered, args, {})).toBeUndefined();
    }
    expect(rankNodes(ordered, [], { OMPI_MCA_rmaps_base_mapping_policy: 'node' })).toBeUndefined();
    expect(rankNodes(ordered, [], { I_MPI_PERHOST: '1' })).toBeUndefined();
    expect(rankNodes(ordered, ['--bind-to', 'core', '-x', 'FOO'], { OMPI_MCA_btl: 'self,tcp' })).toHaveLength(
      6,
    );
  });

  it('given tagged and untagged lines, when normalized, then tagged ones read [node i rank r] (or [rank r] when the node is unknown) and the rest stay', () => {
    const nodes = rankNodes(ordered, [], {});
    expect(normalizeLine('[1,2]<stdout>:hi', 'openmpi', nodes)).toBe('[node 0 rank 2] hi');
    expect(normalizeLine('[5] bye', 'mpich', nodes)).toBe('[node 2 rank 5] bye');
    expect(normalizeLine('[5] bye', 'mpich', undefined)).toBe('[rank 5] bye');
    expect(normalizeLine('[9] beyond the ranks known', 'mpich', nodes)).toBe(
      '[rank 9] beyond the ranks known',
    );
    expect(normalizeLine('plain', 'mpich', nodes)).toBe('plain');
  });
});

describe('output tags as viewers show them', () => {
  it('given a rank tag, when recognised and stripped, then only the tag goes', () => {
    expect(rankTag(3, 1)).toBe('[node 1 rank 3] ');
    expect(hasRankTag('[node 1 rank 3] x')).toBe(true);
    expect(hasRankTag('[rank 3] x')).toBe(true);
    expect(hasRankTag('[node 1] x')).toBe(false);
    expect(stripRankTag('[node 1 rank 3] [node 7 rank 9] x')).toBe('[node 7 rank 9] x');
  });

  it("given lines of node 0, when displayed, then rank-tagged lines stay, others get [node 0], and raw shows the programs' text only", () => {
    expect(displayLine('[node 1 rank 3] hi', 0, false)).toBe('[node 1 rank 3] hi');
    expect(displayLine('[mnbatch-agent node 0/2 main] x', 0, false)).toBe(
      '[node 0] [mnbatch-agent node 0/2 main] x',
    );
    expect(displayLine('[node 1 rank 3] hi', 0, true)).toBe('hi');
    expect(displayLine('plain', 0, true)).toBe('plain');
  });
});
