import { describe, expect, it } from 'vitest';
import { formatRange, parseRange, rangeProblems } from '../../src/spec/ranges.js';

const r = (text: string) => parseRange(text)!;

describe('node ranges', () => {
  it('parses and formats Batch targetNodes', () => {
    expect(parseRange('0:3')).toEqual({ from: 0, to: 3 });
    expect(parseRange('4:')).toEqual({ from: 4, to: undefined });
    expect(parseRange(':3')).toBeUndefined();
    expect(parseRange('0-3')).toBeUndefined();
    expect(formatRange({ from: 4, to: undefined })).toBe('4:');
    expect(formatRange({ from: 0, to: 0 })).toBe('0:0');
  });

  it('accepts ranges that cover every node once, in any order', () => {
    expect(rangeProblems([r('4:'), r('0:1'), r('2:3')], 8)).toEqual([]);
    expect(rangeProblems([r('0:7')], 8)).toEqual([]);
  });

  it.each([
    [['0:1', '4:'], 8, [{ index: 1, message: 'nodes 2..3 are in no range' }]],
    [['1:'], 4, [{ index: 0, message: 'node 0 is in no range' }]],
    [['0:2'], 4, [{ index: 0, message: 'node 3 is in no range' }]],
    [['0:3', '2:'], 8, [{ index: 1, message: 'range "2:" overlaps range "0:3"' }]],
    [
      ['0:', '4:7'],
      8,
      [
        { index: 0, message: 'open range "0:" must be the last one (it runs to the last node)' },
        { index: 1, message: 'range "4:7" overlaps range "0:"' },
      ],
    ],
    [['3:1'], 4, [{ index: 0, message: 'range "3:1" ends before it starts' }]],
    [['0:9'], 4, [{ index: 0, message: 'range "0:9" is outside the job\'s nodes 0..3' }]],
  ])('%j over %i nodes: %j', (texts, nodes, problems) => {
    expect(rangeProblems(texts.map(r), nodes)).toEqual(problems);
  });
});
