/** The launcher command line for each MPI implementation, built from the job's settings (pure). */
import type { MpiImplementation } from '../contract/agent-env.js';

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

/** The `sh` wrapper that runs ssh with the job's client config. */
export function renderSshWrapper(sshConfig: string): string {
  return `#!/bin/sh\nexec ssh -F '${sshConfig.replace(/'/g, `'\\''`)}' "$@"\n`;
}
