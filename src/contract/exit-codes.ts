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

/**
 * Exit codes of the mnbatch CLI itself, one table for every command. A command that waits for a
 * job (`submit --wait`, `status --wait`, `logs --follow`, `run --local`) exits with the job's own
 * code instead, so these sit where programs rarely exit: the sysexits range (64–78), timeout(1)'s
 * 124/125, the shell's 128+n, and the 200s next to the agent's codes.
 */
export const EXIT = {
  /** Done; or the job succeeded. */
  success: 0,
  /** mnbatch could not do it: a request AWS rejected, Docker failed, a check failed. */
  error: 1,
  /** Bad command line: unknown option or command, missing or bad argument, flags that disagree. */
  usage: 2,
  /** A job file with problems (sysexits EX_DATAERR): every problem named as file:line:col. */
  invalidInput: 65,
  /** Unexpected internal error (sysexits EX_SOFTWARE). */
  internal: 70,
  /** AWS throttled a call even after the SDK's retries (sysexits EX_TEMPFAIL). */
  awsThrottled: 75,
  /** AWS credentials expired or missing, or access denied (sysexits EX_NOPERM). */
  awsCredentials: 77,
  /** A bound ran out: the job's `timeout` in a local run, `ami bake --timeout`, an infra wait (as timeout(1)). */
  timedOut: 124,
  /** A local run's main node stopped answering. */
  mainUnresponsive: 125,
  /** Interrupted with Ctrl-C (SIGINT). */
  interrupted: 130,
  /** Stopped with SIGTERM. */
  terminated: 143,
  /** The job failed without an exit code: cancelled or terminated before it ran, host lost. */
  failedWithoutExitCode: 210,
} as const;

/** One row of the exit-code table of the README (generated from here by scripts/generate.ts). */
export interface ExitCodeRow {
  /** The code, or what stands for it ("128+n", "the command's"). */
  readonly code: number | string;
  readonly who: 'agent' | 'launcher' | 'CLI' | 'local runner';
  readonly meaning: string;
}

/** Every exit code mnbatch and its agent use, documented; README.md shows this table. */
export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = [
  {
    code: "the command's",
    who: 'agent',
    meaning:
      "the job ran; with `launch: each`, the main node's own code if its command failed, else the first failing child's",
  },
  {
    code: '128+n',
    who: 'agent',
    meaning:
      "the main node got signal n (SIGTERM → 143, SIGINT → 130); it was forwarded to the command, which has until the container's stop timeout (ECS's 30 s on Batch, `--grace` locally) before SIGKILL, and the children were stopped",
  },
  {
    code: 201,
    who: 'agent',
    meaning:
      "configuration invalid: a Batch or `MNBATCH_*` variable is missing or malformed, there is no command, or the container's user id is not in `/etc/passwd` (sshd could not log it in)",
  },
  {
    code: 202,
    who: 'agent',
    meaning:
      'bring-up failed: `bring-up timed out after <T>s: k/N nodes registered; missing node indices 2, 3`, or the rendezvous port could not be opened',
  },
  {
    code: 203,
    who: 'agent',
    meaning:
      'SSH setup failed: key generation, state dir, `sshd` missing or not listening in time — on the main node, or on a child that reported it (named in the log; with `rendezvous.minNodes` the job goes on without that child instead)',
  },
  {
    code: 204,
    who: 'agent',
    meaning:
      'a child node was lost mid-run (`node 3 (10.0.1.23) lost mid-run: connection closed`); the command was stopped',
  },
  {
    code: 205,
    who: 'agent',
    meaning: "(children only, never the job's) the main node went away without saying `exit`",
  },
  { code: 206, who: 'agent', meaning: 'the command or the MPI launcher could not be started' },
  {
    code: 207,
    who: 'agent',
    meaning:
      "the image's MPI is not the one job.yaml names (mpi.implementation), or it has no mpirun; the message names both",
  },
  {
    code: 210,
    who: 'launcher',
    meaning: 'the job failed without an exit code (cancelled before it ran, host lost, …)',
  },
  { code: 0, who: 'CLI', meaning: 'done (for a command that waits for a job: the job succeeded)' },
  {
    code: 1,
    who: 'CLI',
    meaning:
      'mnbatch could not do it: a request AWS rejected (its message is shown), Docker failed, a check failed',
  },
  {
    code: 2,
    who: 'CLI',
    meaning:
      'bad command line, on every command: unknown command or option, missing or malformed argument, flags that disagree, `--output json` on a command without a JSON form',
  },
  {
    code: 65,
    who: 'CLI',
    meaning:
      'a job file with problems (`validate`, `plan`, `submit`, `run --local`): each named as file:line:col',
  },
  { code: 70, who: 'CLI', meaning: 'unexpected internal error (`--debug` shows the stack)' },
  { code: 75, who: 'CLI', meaning: "AWS kept throttling a call after the SDK's retries" },
  {
    code: 77,
    who: 'CLI',
    meaning: 'AWS credentials expired or missing, or access denied (the denied action is named)',
  },
  {
    code: 124,
    who: 'CLI',
    meaning:
      "a bound ran out: a local run reached the job's `timeout` (stopped like Batch does: SIGTERM, grace, SIGKILL), `ami bake --timeout`, or an `infra` wait",
  },
  {
    code: 125,
    who: 'local runner',
    meaning:
      'the main node stopped answering (paused, frozen, its state unreadable) for 30 s: every node was stopped',
  },
  {
    code: 130,
    who: 'CLI',
    meaning:
      'interrupted (Ctrl-C): `run --local` gave every node SIGTERM and `--grace` (30 s) before SIGKILL — a second Ctrl-C kills at once — then removed the run (kept with `--keep`); `submit --wait` detached (or, with `--cancel-on-interrupt`, terminated the job)',
  },
  { code: 143, who: 'CLI', meaning: 'stopped with SIGTERM, as on Ctrl-C' },
];

/** The table as Markdown (README.md, between the exit-codes markers). */
export function exitCodeTableMarkdown(): string {
  const rows = EXIT_CODE_TABLE.map((r) => `| ${r.code} | ${r.who} | ${r.meaning} |`);
  return ['| code | who | meaning |', '|---|---|---|', ...rows].join('\n');
}

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
