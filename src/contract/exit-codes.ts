/**
 * Exit codes of the agent that are its own rather than the user's command's. On the main node
 * they become the job's exit code, so the launcher's retry rules and `submit --wait` read them.
 * They sit in the 200s, where programs rarely exit on their own.
 */
export const AGENT_EXIT = {
  /** A Batch or MNBATCH_* variable is missing or malformed. Not worth a retry. */
  config: 201,
  /** Bring-up failed: the deadline passed with fewer than the required nodes, or the rendezvous could not run. */
  bringUp: 202,
  /** SSH setup failed: key generation, sshd start, or key exchange. */
  sshSetup: 203,
  /** A child node was lost while the command ran. */
  nodeLost: 204,
  /** (Children only) the main node went away. Never the job's code: the job ends with the main node. */
  mainLost: 205,
  /** The launcher (mpirun, or the command with `launch: main|each`) could not be started. */
  launchFailed: 206,
  /** The image's MPI is not the one job.yaml names (mpi.implementation), or the image has no mpirun. Not worth a retry. */
  mpiMismatch: 207,
} as const;

export type AgentExitName = keyof typeof AGENT_EXIT;

/** Exit codes that mean the nodes or the network failed rather than the program: retried with `retries.on: infrastructure`. */
export const INFRASTRUCTURE_EXIT_CODES: readonly number[] = [
  AGENT_EXIT.bringUp,
  AGENT_EXIT.sshSetup,
  AGENT_EXIT.nodeLost,
];

/** Status reason prefix of Batch jobs whose host failed (used with `onStatusReason`). */
export const HOST_FAILURE_REASON = 'Host EC2*';

/** Exit code a process gets when it ends because of signal `n` (shell convention). */
export function signalExitCode(signal: NodeJS.Signals | number): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGTERM: 15,
  };
  const n = typeof signal === 'number' ? signal : (numbers[signal] ?? 15);
  return 128 + n;
}

/** Words for an exit code, for error messages ("137: killed (SIGKILL, often out of memory)"). */
export function describeExitCode(code: number): string {
  const agent = Object.entries(AGENT_EXIT).find(([, v]) => v === code)?.[0] as AgentExitName | undefined;
  const words: Record<AgentExitName, string> = {
    config: 'agent configuration invalid',
    bringUp: 'bring-up failed (not all nodes registered in time)',
    sshSetup: 'SSH setup failed',
    nodeLost: 'a child node was lost mid-run',
    mainLost: 'the main node went away',
    launchFailed: 'the command could not be started',
    mpiMismatch: "the image's MPI is not the one job.yaml names, or it has none",
  };
  if (agent) return words[agent];
  const known: Record<number, string> = {
    0: 'success',
    1: 'failed',
    2: 'misuse (bad arguments)',
    126: 'command found but not executable',
    127: 'command not found',
    130: 'interrupted (SIGINT)',
    134: 'aborted (SIGABRT)',
    137: 'killed (SIGKILL, often out of memory)',
    139: 'segmentation fault (SIGSEGV)',
    143: 'terminated (SIGTERM)',
  };
  return known[code] ?? (code > 128 && code < 160 ? `killed by signal ${code - 128}` : 'failed');
}
