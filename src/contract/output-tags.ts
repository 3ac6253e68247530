/**
 * The one format of attributable output: the agent on the main node rewrites each line mpirun
 * tagged with a rank (Open MPI's `--tag-output`, Hydra's `-prepend-rank`) to `[node 1 rank 3] text`;
 * `run --local` and `logs` show such a line as it is and put `[node i]` before every other line.
 * With `MNBATCH_OUTPUT=raw` the agent leaves mpirun's output alone.
 */

/** Values of MNBATCH_OUTPUT. */
export type OutputMode = 'tagged' | 'raw';
export const OUTPUT_MODES: readonly OutputMode[] = ['tagged', 'raw'];

/** `[node 1 rank 3] `; `[rank 3] ` when the rank's node is not known (the job chose its own mapping). */
export function rankTag(rank: number, node: number | undefined): string {
  return node === undefined ? `[rank ${rank}] ` : `[node ${node} rank ${rank}] `;
}

const RANK_TAG = /^\[(?:node (\d+) )?rank (\d+)\] /;

/** Whether `line` starts with a rank tag (then it needs no `[node i]` of its own). */
export function hasRankTag(line: string): boolean {
  return RANK_TAG.test(line);
}

/** `line` without its rank tag (`--raw`). */
export function stripRankTag(line: string): string {
  return line.replace(RANK_TAG, '');
}

/** How a viewer shows a line of node `node`'s output: raw as is, rank-tagged as is, else `[node i] `. */
export function displayLine(line: string, node: number, raw: boolean): string {
  if (raw) return stripRankTag(line);
  return hasRankTag(line) ? line : `[node ${node}] ${line}`;
}
