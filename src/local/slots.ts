/**
 * Pure: how many ranks each local node runs. On Batch every node has its instance's cores to
 * itself; on one machine all nodes share the same CPUs, so `slots: auto` (all of a node's cores
 * on Batch) becomes an equal share of them, and a job that still has more ranks than CPUs gets
 * its MPI told to yield the CPU when idle: a busy-polling rank otherwise holds the CPU the rank
 * it waits for needs (0-byte ping-pong in milliseconds instead of microseconds).
 */
import type { LaunchMode, MpiSetting } from '../contract/agent-env.js';
import { plural } from '../contract/words.js';

/** What a node's agent variables say about its ranks. */
export interface NodeSlots {
  /** MNBATCH_SLOTS: `auto` or a positive integer. */
  readonly slots: number | 'auto';
  /** MNBATCH_GPUS: with `auto`, the agent runs one rank per GPU. */
  readonly gpus: number;
  readonly launch: LaunchMode;
  readonly mpi: MpiSetting;
  /**
   * OMPI_MCA_mpi_yield_when_idle as the job sets it (its environment or `mpi.env`); the job's
   * value wins over the agent's, so the note must not promise a yield the job turned off.
   */
  readonly jobYield?: string | undefined;
}

export interface LocalSlots {
  /** MNBATCH_SLOTS for each node (in node order), where it must change; undefined: leave it. */
  readonly slots: readonly (number | undefined)[];
  /** More ranks than CPUs: the agent asks the MPI to yield when idle (MNBATCH_YIELD_WHEN_IDLE=1). */
  readonly oversubscribed: boolean;
  /** One line for the user when the ranks outnumber the CPUs. */
  readonly note: string | undefined;
}

/** What each MPI does about idle ranks when asked to yield, for the note. */
const YIELD_SETTING: Readonly<Record<MpiSetting, string | undefined>> = {
  openmpi: 'mpi_yield_when_idle=1',
  // The image's MPI is known only when the agent starts; it sets Open MPI's (the others have none).
  auto: 'mpi_yield_when_idle=1 when the image has Open MPI; MPICH and Intel MPI have no such setting',
  mpich: undefined,
  intelmpi: undefined,
};

const MPI_NAME: Readonly<Record<MpiSetting, string>> = {
  openmpi: 'Open MPI',
  auto: 'the image’s MPI:',
  mpich: 'MPICH',
  intelmpi: 'Intel MPI',
};

/** Slots of every node of a local run on `cpus` shared CPUs, and whether the ranks must yield. */
export function planLocalSlots(nodes: readonly NodeSlots[], cpus: number): LocalSlots {
  const share = Math.max(1, Math.floor(cpus / Math.max(1, nodes.length)));
  const slots = nodes.map((n) => (n.slots === 'auto' && n.gpus === 0 ? share : undefined));
  // launch and mpi are the job's, the same on every node.
  const job = nodes[0];
  // Only mpirun's ranks are known here: `each` and `main` start what they like.
  if (job === undefined || job.launch !== 'mpirun') return { slots, oversubscribed: false, note: undefined };
  const ranks = nodes.reduce((sum, n, i) => {
    const own = slots[i] ?? (n.slots === 'auto' ? n.gpus : n.slots);
    return sum + own;
  }, 0);
  if (ranks <= cpus) return { slots, oversubscribed: false, note: undefined };
  const setting = YIELD_SETTING[job.mpi];
  const what = `${plural(ranks, 'rank')} on ${plural(cpus, 'CPU')}`;
  if (job.jobYield !== undefined && job.mpi !== 'mpich' && job.mpi !== 'intelmpi')
    return {
      slots,
      oversubscribed: true,
      note: `${what}: oversubscribed; the job sets OMPI_MCA_mpi_yield_when_idle=${job.jobYield} itself, and that is kept${job.jobYield === '0' ? `: idle Open MPI ranks busy-poll, expect it much slower than on ${plural(nodes.length, 'instance')}` : ''}`,
    };
  const note =
    setting !== undefined
      ? `${what}: oversubscribed, so idle ranks yield the CPU (${MPI_NAME[job.mpi]} ${setting}); expect it slower than on ${plural(nodes.length, 'instance')}`
      : `${what}: oversubscribed, and ${MPI_NAME[job.mpi]} has no setting to make idle ranks yield the CPU; expect it much slower than on ${plural(nodes.length, 'instance')}`;
  return { slots, oversubscribed: true, note };
}
