/**
 * mpirun's rank-tagged output made attributable in one format (pure): the implementation's own
 * tag flag, the parse of its tags, and which node each rank runs on.
 */
import type { MpiImplementation } from '../contract/agent-env.js';
import { rankTag } from '../contract/output-tags.js';
import type { NodeInfo } from './cluster.js';

/** The flag that makes mpirun prefix each line with its rank. */
export function rankTagArgs(mpi: MpiImplementation): string[] {
  // Open MPI 4 and 5 both take --tag-output (5 as an alias of --output tag); Hydra (MPICH, Intel) -prepend-rank.
  return mpi === 'openmpi' ? ['--tag-output'] : ['-prepend-rank'];
}

/** One line of mpirun's output, split into rank and text; undefined when mpirun did not tag it. */
export interface RankLine {
  readonly rank: number;
  readonly text: string;
}

// Open MPI 4: "[1,3]<stdout>:text"; Open MPI 5 (PRRTE) puts a space after the colon.
const OPENMPI_TAG = /^\[\d+,(\d+)\]<(?:stdout|stderr|stddiag)>: ?/;
// Hydra: "[3] text".
const HYDRA_TAG = /^\[(\d+)\] /;

/** Parses the implementation's rank tag at the start of `line`. */
export function parseRankLine(mpi: MpiImplementation, line: string, openmpiMajor = 4): RankLine | undefined {
  const m = (mpi === 'openmpi' ? OPENMPI_TAG : HYDRA_TAG).exec(line);
  if (m === null) return undefined;
  let tagLength = m[0].length;
  // Only Open MPI 5's tag has the space; in 4's a leading space is the program's own.
  if (mpi === 'openmpi' && openmpiMajor < 5 && m[0].endsWith(' ')) tagLength -= 1;
  return { rank: Number(m[1]), text: line.slice(tagLength) };
}

/**
 * Options and variables that place ranks otherwise than filling the hostfile's nodes in order
 * (Open MPI's default by-slot/by-core fill and Hydra's host:slots fill both do that).
 */
const OWN_MAPPING_ARGS =
  /^-{1,2}(map-by|rank-by|npernode|N|npersocket|bynode|rf|rankfile|H|host|hosts|hostfile|machinefile|f|ppn|perhost|rr|configfile)(=|$)/;
const OWN_MAPPING_ENV = /^(OMPI_MCA_rmaps_|PRTE_MCA_rmaps_|I_MPI_PERHOST$|HYDRA_HOST_FILE$)/;

/**
 * The node index of each rank (rank r at [r]) when ranks fill the hostfile's nodes in order;
 * undefined when the job chose its own mapping, so a rank's node cannot be told from its number.
 */
export function rankNodes(
  ordered: readonly NodeInfo[],
  extraArgs: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): number[] | undefined {
  if (extraArgs.some((a) => OWN_MAPPING_ARGS.test(a))) return undefined;
  if (Object.keys(env).some((k) => OWN_MAPPING_ENV.test(k) && env[k] !== undefined)) return undefined;
  return ordered.flatMap((n) => Array.from({ length: n.slots }, () => n.index));
}

/** Rewrites one line of mpirun's output to the common format; lines mpirun did not tag stay as they are. */
export function normalizeLine(
  line: string,
  mpi: MpiImplementation,
  nodes: readonly number[] | undefined,
  openmpiMajor = 4,
): string {
  const parsed = parseRankLine(mpi, line, openmpiMajor);
  if (parsed === undefined) return line;
  return `${rankTag(parsed.rank, nodes?.[parsed.rank])}${parsed.text}`;
}
