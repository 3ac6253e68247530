/** The launcher command line for each MPI implementation, built from the job's settings (pure). */
import { type MpiImplementation, OPEN_MPI_YIELD_VAR } from '../contract/agent-env.js';

/** What the mpirun command line is made of. */
export interface MpirunSettings {
  readonly mpi: MpiImplementation;
  /** Total ranks: the sum of the nodes' slots. */
  readonly np: number;
  /** The state dir's hostfiles, by implementation. */
  readonly hostfiles: { readonly openmpi: string; readonly mpich: string; readonly intelmpi: string };
  readonly sshConfig: string;
  /** Executable wrapper that runs `ssh -F <sshConfig> "$@"` (for launchers that take no ssh arguments). */
  readonly sshWrapper: string;
  /** Variables exported to every rank. */
  readonly env: Readonly<Record<string, string>>;
  readonly runAsRoot: boolean;
  readonly extraArgs: readonly string[];
  readonly command: readonly string[];
  /** The launcher's own environment (the job's variables): MCA settings made there win over the agent's. */
  readonly launcherEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * Interfaces Open MPI's TCP traffic must not use, by parameter family: ECS's `ecs-eth0`, the
 * link-local veth every awsvpc container has, carries the same 169.254.172.0/22 subnet on every
 * host, so Open MPI takes it for a network the nodes share and connects to the wrong container (or
 * nowhere). The BTL also keeps its default exclusion of loopback; the OOB must keep loopback, which
 * is all a one-node job without a network has. Names, not subnets: Open MPI warns about a subnet no
 * interface has, not about a missing name.
 */
export const OPENMPI_EXCLUDED_INTERFACES = { btl_tcp_if_: 'lo,ecs-eth0', oob_tcp_if_: 'ecs-eth0' } as const;

/** Whether the job chose a parameter of `family` itself (`btl_tcp_if_`: btl_tcp_if_include/exclude), as an argument or an MCA variable. */
function chosenByJob(s: MpirunSettings, family: string): boolean {
  const inEnv = (env: Readonly<Record<string, string | undefined>>) =>
    Object.keys(env).some((k) => k.includes(`MCA_${family}`));
  return s.extraArgs.some((a) => a.includes(family)) || inEnv(s.env) || inEnv(s.launcherEnv ?? {});
}

/** `--mca btl_tcp_if_exclude …` / `oob_tcp_if_exclude …`, except where the job set its own interfaces. */
function openmpiInterfaceArgs(s: MpirunSettings): string[] {
  return Object.entries(OPENMPI_EXCLUDED_INTERFACES)
    .filter(([family]) => !chosenByJob(s, family))
    .flatMap(([family, names]) => ['--mca', `${family}exclude`, names]);
}

/** argv (first element the executable) that starts the command on every node's slots. */
export function mpirunArgv(s: MpirunSettings): string[] {
  const env = Object.entries(s.env);
  switch (s.mpi) {
    case 'openmpi':
      return [
        'mpirun',
        '--hostfile',
        s.hostfiles.openmpi,
        '-np',
        String(s.np),
        '--mca',
        'plm_rsh_agent',
        'ssh',
        '--mca',
        'plm_rsh_args',
        `-F ${s.sshConfig}`,
        // Only the main node holds the job's private key, so daemons must not ssh onwards (tree spawn).
        '--mca',
        'plm_rsh_no_tree_spawn',
        '1',
        ...openmpiInterfaceArgs(s),
        ...env.flatMap(([k, v]) => ['-x', `${k}=${v}`]),
        ...(s.runAsRoot ? ['--allow-run-as-root'] : []),
        ...s.extraArgs,
        ...s.command,
      ];
    case 'mpich':
      return [
        'mpiexec',
        '-f',
        s.hostfiles.mpich,
        '-n',
        String(s.np),
        '-launcher',
        'ssh',
        // Hydra takes the launcher executable as one word, hence the wrapper that adds `-F`.
        '-launcher-exec',
        s.sshWrapper,
        ...env.flatMap(([k, v]) => ['-genv', k, v]),
        ...s.extraArgs,
        ...s.command,
      ];
    case 'intelmpi':
      return [
        'mpirun',
        '-f',
        s.hostfiles.intelmpi,
        '-n',
        String(s.np),
        '-bootstrap',
        'ssh',
        '-bootstrap-exec-args',
        `-F ${s.sshConfig}`,
        ...env.flatMap(([k, v]) => ['-genv', k, v]),
        ...s.extraArgs,
        ...s.command,
      ];
  }
}

/**
 * Variables the launcher itself needs (the job's own win). Both keep every ssh on the main node,
 * the only one holding the job's private key:
 * - Open MPI 5 launches through PRRTE, whose ssh launcher is `plm_ssh_*` (Open MPI 4's `plm_rsh_*`
 *   flags above mean nothing to it): without these it tree-spawns from children, with plain ssh.
 * - Intel MPI's Hydra launches hierarchically from 128 nodes on (I_MPI_HYDRA_BRANCH_COUNT 32).
 * And Open MPI 4's shared-memory single copy (CMA, process_vm_readv) is refused in a container
 * without CAP_SYS_PTRACE (Docker's and ECS's default): every large message between two ranks of a
 * node would print `Read -1, expected N, errno = 1` and fall back. mpirun passes OMPI_MCA_* on to
 * every rank. With `yieldWhenIdle` (ranks outnumber the CPUs), Open MPI's idle ranks yield the CPU
 * instead of busy-polling it away from the rank they wait for; MPICH and Intel MPI have no
 * such setting.
 */
export function launcherEnv(
  mpi: MpiImplementation,
  sshConfig: string,
  env: Readonly<Record<string, string | undefined>>,
  yieldWhenIdle = false,
): Record<string, string> {
  const wanted: Record<string, string> =
    mpi === 'openmpi'
      ? {
          PRTE_MCA_plm_ssh_agent: 'ssh',
          PRTE_MCA_plm_ssh_args: `-F ${sshConfig}`,
          PRTE_MCA_plm_ssh_no_tree_spawn: '1',
          OMPI_MCA_btl_vader_single_copy_mechanism: 'none',
          ...(yieldWhenIdle ? { [OPEN_MPI_YIELD_VAR]: '1' } : {}),
        }
      : mpi === 'intelmpi'
        ? { I_MPI_HYDRA_BRANCH_COUNT: '-1' }
        : {};
  return Object.fromEntries(Object.entries(wanted).filter(([k]) => env[k] === undefined));
}

/** The `sh` wrapper that runs ssh with the job's client config. */
export function renderSshWrapper(sshConfig: string): string {
  return `#!/bin/sh\nexec ssh -F '${sshConfig.replace(/'/g, `'\\''`)}' "$@"\n`;
}
