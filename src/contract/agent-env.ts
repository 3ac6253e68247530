/**
 * The variables the launcher (and the local runner) give the agent, beside the AWS_BATCH_*
 * ones Batch sets. Both sides import the names from here, so they cannot drift apart.
 * Values are strings; lists and maps are JSON.
 */
export const AGENT_ENV = {
  /** Per-run secret for the rendezvous HMAC: local runs only (`run --local` gives it through a 0600 env file). */
  token: 'MNBATCH_TOKEN',
  /**
   * The stack's rendezvous key (Batch): ECS puts it here from the job definition's `secrets`
   * (an SSM SecureString); the agent derives the job's token from it and the job id and attempt.
   */
  rendezvousKey: 'MNBATCH_RENDEZVOUS_KEY',
  /** Agent protocol version the launcher planned for ("1"). */
  protocol: 'MNBATCH_PROTOCOL',
  /** The job's name from job.yaml (for logs). */
  jobName: 'MNBATCH_JOB_NAME',
  /** `mpirun` (main node runs mpirun over all nodes), `each` (every node runs the command), `main` (main node runs the command, e.g. the user's own mpirun/pdsh/deepspeed). */
  launch: 'MNBATCH_LAUNCH',
  /** MPI implementation: `auto` (whatever the image's `mpirun --version` says) | `openmpi` | `mpich` | `intelmpi`. */
  mpi: 'MNBATCH_MPI',
  /** Slots per node: `auto` (GPUs when MNBATCH_GPUS > 0, else physical cores) or a positive integer. */
  slots: 'MNBATCH_SLOTS',
  /** `1` when the job's ranks outnumber the CPUs they share (set by the local runner): the MPI yields the CPU when idle instead of busy-polling. */
  yieldWhenIdle: 'MNBATCH_YIELD_WHEN_IDLE',
  /** GPUs per node the job asked for (`0` when none). */
  gpus: 'MNBATCH_GPUS',
  /** JSON array of extra mpirun arguments. */
  mpirunArgs: 'MNBATCH_MPIRUN_ARGS',
  /** JSON object of variables exported to every rank. */
  mpiEnv: 'MNBATCH_MPI_ENV',
  /** TCP port of the main node's rendezvous server. */
  rendezvousPort: 'MNBATCH_RENDEZVOUS_PORT',
  /** Bring-up deadline in seconds, counted from the main node's start. */
  rendezvousTimeout: 'MNBATCH_RENDEZVOUS_TIMEOUT',
  /** Nodes (main included) that must register before the command starts; the rest may be missing when the deadline passes. */
  minNodes: 'MNBATCH_MIN_NODES',
  /** sshd port on every node. */
  sshPort: 'MNBATCH_SSH_PORT',
  /** Network interface whose IPv4 address is this node's (never a 169.254.x address). */
  interface: 'MNBATCH_INTERFACE',
  /** Explicit IPv4 address of this node, overriding the interface (tests, unusual networks). */
  ip: 'MNBATCH_IP',
  /** Directory for the agent's generated files (keys, hostfiles, sshd config). */
  stateDir: 'MNBATCH_STATE_DIR',
  /** `debug` | `info` | `warn` | `error`. */
  logLevel: 'MNBATCH_LOG_LEVEL',
  /** `auto` (default: only when the state dir is the default, i.e. in a container) | `yes` | `no`: also install the SSH client config, key and known_hosts into `$HOME/.ssh` so plain `ssh`/`pdsh` work. */
  installSsh: 'MNBATCH_INSTALL_SSH',
  /** `tagged` (default: each line of mpirun's output as `[node i rank r] text`, see output-tags.ts) | `raw` (mpirun's output as it is). */
  output: 'MNBATCH_OUTPUT',
} as const;

/** The agent's secrets: read once, then kept out of every process it starts (sshd, the command, ranks). */
export const SECRET_AGENT_ENV: readonly string[] = [AGENT_ENV.token, AGENT_ENV.rendezvousKey];

/** Variables the agent sets for the user's command (on the main node, or every node with `launch: each`). */
export const COMMAND_ENV = {
  mainIp: 'MNBATCH_MAIN_IP',
  nodeRank: 'MNBATCH_NODE_RANK',
  numNodes: 'MNBATCH_NUM_NODES',
  hostfile: 'MNBATCH_HOSTFILE',
  sshConfig: 'MNBATCH_SSH_CONFIG',
} as const;

/** The variables AWS Batch sets on every node of a multi-node parallel job. */
export const BATCH_ENV = {
  jobId: 'AWS_BATCH_JOB_ID',
  attempt: 'AWS_BATCH_JOB_ATTEMPT',
  nodeIndex: 'AWS_BATCH_JOB_NODE_INDEX',
  numNodes: 'AWS_BATCH_JOB_NUM_NODES',
  mainNodeIndex: 'AWS_BATCH_JOB_MAIN_NODE_INDEX',
  /** Set on children only. */
  mainNodeIp: 'AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS',
} as const;

export const AGENT_DEFAULTS = {
  protocol: '1',
  launch: 'mpirun',
  mpi: 'auto',
  slots: 'auto',
  rendezvousPort: 7070,
  rendezvousTimeoutSeconds: 600,
  sshPort: 2222,
  interface: 'eth0',
  stateDir: '/run/mnbatch',
} as const;

/** Timing of the rendezvous connection, the same on the main node's server and the children's client. */
export const RENDEZVOUS_TIMING = {
  /** How often each side pings the other once a child is registered. */
  heartbeatMs: 5_000,
  /** A peer silent for this long is lost (covers hosts that vanish without a FIN). */
  lostAfterMs: 30_000,
  /** TCP keep-alive delay of the rendezvous sockets. */
  keepAliveMs: 5_000,
} as const;

export type LaunchMode = 'mpirun' | 'each' | 'main';
export type MpiImplementation = 'openmpi' | 'mpich' | 'intelmpi';
/** What job.yaml may say: an implementation, or `auto` for the image's own. */
export type MpiSetting = MpiImplementation | 'auto';
export const MPI_SETTINGS: readonly MpiSetting[] = ['auto', 'openmpi', 'mpich', 'intelmpi'];

/**
 * Open MPI's yield-when-idle variable: the agent sets it when ranks outnumber the CPUs, unless the
 * job sets it itself (and `run --local` says which).
 */
export const OPEN_MPI_YIELD_VAR = 'OMPI_MCA_mpi_yield_when_idle';
