/**
 * Node ranges of `nodeGroups` ("0:3", "4:", or {from, to}) and the Batch rule that they cover
 * every node exactly once. Pure.
 */

/** A range of node indices; `to` undefined means "to the last node". */
export interface NodeRange {
  readonly from: number;
  readonly to: number | undefined;
}

/** What a range string looks like: `from:to` or `from:` (indices). */
export const RANGE_PATTERN = /^(\d+):(\d*)$/;

/** The range a `"4:7"` / `"4:"` string means, or undefined when it is not one. */
export function parseRange(text: string): NodeRange | undefined {
  const m = RANGE_PATTERN.exec(text.trim());
  if (!m) return undefined;
  return { from: Number(m[1]), to: m[2] === '' ? undefined : Number(m[2]) };
}

/** The range as Batch's `targetNodes` writes it. */
export function formatRange(range: NodeRange): string {
  return `${range.from}:${range.to ?? ''}`;
}

/** One problem with a list of ranges: which range (by its index in the list) and what is wrong. */
export interface RangeProblem {
  readonly index: number;
  readonly message: string;
}

/** Problems of `ranges` as a cover of nodes 0..nodes-1: out of bounds, overlaps, gaps, open range not last. */
export function rangeProblems(ranges: readonly NodeRange[], nodes: number): RangeProblem[] {
  const problems: RangeProblem[] = [];
  const show = (r: NodeRange) => `"${formatRange(r)}"`;
  ranges.forEach((r, index) => {
    if (r.to !== undefined && r.to < r.from) {
      problems.push({ index, message: `range ${show(r)} ends before it starts` });
    } else if (r.from >= nodes || (r.to ?? 0) >= nodes) {
      problems.push({ index, message: `range ${show(r)} is outside the job's nodes 0..${nodes - 1}` });
    }
  });
  if (problems.length > 0) return problems;

  const order = ranges.map((r, index) => ({ r, index })).sort((a, b) => a.r.from - b.r.from);
  let next = 0;
  for (const [k, { r, index }] of order.entries()) {
    const end = r.to ?? nodes - 1;
    if (r.to === undefined && k < order.length - 1) {
      problems.push({
        index,
        message: `open range ${show(r)} must be the last one (it runs to the last node)`,
      });
    }
    if (r.from < next) {
      const prev = order[k - 1]!;
      problems.push({ index, message: `range ${show(r)} overlaps range ${show(prev.r)}` });
    } else if (r.from > next) {
      problems.push({ index, message: `${gap(next, r.from - 1)} in no range` });
    }
    next = Math.max(next, end + 1);
  }
  if (next < nodes && order.length > 0) {
    problems.push({ index: order.at(-1)!.index, message: `${gap(next, nodes - 1)} in no range` });
  }
  return problems;
}

function gap(from: number, to: number): string {
  return from === to ? `node ${from} is` : `nodes ${from}..${to} are`;
}
