/**
 * Which MPI the image has: `mpirun --version` classified (pure), and the check of job.yaml's
 * `mpi.implementation` against it, so a wrong setting fails in seconds naming both, instead of
 * as an MPI's own puzzling error (Hydra's "token slots not supported") minutes later.
 */
import { execFile } from 'node:child_process';
import type { MpiImplementation, MpiSetting } from '../contract/agent-env.js';
import { AgentError } from './errors.js';

/** An MPI found in the image. */
export interface DetectedMpi {
  readonly implementation: MpiImplementation;
  /** As printed, e.g. `4.1.4`, `4.0.2`, `2021.10`; empty when the text had none. */
  readonly version: string;
  /** For messages: `Open MPI 4.1.4`, `MPICH 4.0.2 (Hydra)`, `Intel MPI 2021.10`. */
  readonly label: string;
}

/** What `mpirun --version` gave: its output, or why there was none. */
export type VersionProbe =
  | { readonly kind: 'output'; readonly text: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'failed'; readonly reason: string };

const NAMES: Record<MpiImplementation, string> = {
  openmpi: 'Open MPI',
  mpich: 'MPICH',
  intelmpi: 'Intel MPI',
};

/** Classifies the output of `mpirun --version`; undefined when it is none of the three. */
export function parseMpiVersion(text: string): DetectedMpi | undefined {
  // Open MPI 4 and 5: "mpirun (Open MPI) 4.1.4" (5.x the same, from PRRTE's mpirun/mpiexec).
  const ompi = /\((?:Open MPI|OpenRTE)\)\s+(\d[\w.]*)/.exec(text);
  if (ompi) return found('openmpi', ompi[1] ?? '');
  // Intel MPI: "Intel(R) MPI Library for Linux* OS, Version 2021.10 Build 20230619 (id: …)".
  if (/Intel\(R\) MPI Library/.test(text)) {
    const v = /Version\s+(\d[\w.]*(?: Update \d+)?)/.exec(text);
    return found('intelmpi', v?.[1] ?? '');
  }
  // MPICH's Hydra: "HYDRA build details:\n    Version:   4.0.2" (Intel's Hydra says Intel first).
  if (/HYDRA build details/i.test(text)) {
    const v = /^\s*Version:\s+(\S+)/m.exec(text);
    return found('mpich', v?.[1] ?? '', ' (Hydra)');
  }
  return undefined;
}

function found(implementation: MpiImplementation, version: string, suffix = ''): DetectedMpi {
  const label = `${NAMES[implementation]}${version === '' ? '' : ` ${version}`}${suffix}`;
  return { implementation, version, label };
}

/** What the agent does with the setting and the probe: the implementation to launch with, and a warning if any. */
export interface MpiChoice {
  readonly mpi: MpiImplementation;
  readonly detected: DetectedMpi | undefined;
  readonly warning?: string;
}

/**
 * The implementation to launch with. Throws AgentError('mpiMismatch') when the image has no mpirun,
 * when the image's MPI is not the one named, or (with `auto`) when its MPI cannot be told.
 */
export function chooseMpi(setting: MpiSetting, probe: VersionProbe): MpiChoice {
  const said = `job.yaml mpi.implementation: ${setting}`;
  if (probe.kind === 'missing') {
    throw new AgentError(
      'mpiMismatch',
      `${said}, but the image has no mpirun on PATH: install an MPI in the image (the mnbatch/agent images have Open MPI or MPICH), or use launch: main or each`,
    );
  }
  const detected = probe.kind === 'output' ? parseMpiVersion(probe.text) : undefined;
  if (detected === undefined) {
    const what =
      probe.kind === 'failed'
        ? `mpirun --version failed (${probe.reason})`
        : `mpirun --version names no MPI mnbatch knows (first line: "${firstLine(probe.text)}")`;
    if (setting === 'auto') {
      throw new AgentError(
        'mpiMismatch',
        `${said}, but ${what}: set mpi.implementation to openmpi, mpich or intelmpi`,
      );
    }
    return { mpi: setting, detected, warning: `${what}; going on with ${setting} as job.yaml says` };
  }
  if (setting !== 'auto' && setting !== detected.implementation) {
    throw new AgentError(
      'mpiMismatch',
      `${said}, but the image's mpirun is ${detected.label}: set mpi.implementation: ${detected.implementation} or auto`,
    );
  }
  return { mpi: detected.implementation, detected };
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 120);
}

/** How long `mpirun --version` may take. */
export const VERSION_TIMEOUT_MS = 10_000;

/** Runs `mpirun --version` (bounded); never throws. */
export function probeMpirun(env: NodeJS.ProcessEnv, timeoutMs = VERSION_TIMEOUT_MS): Promise<VersionProbe> {
  return new Promise((resolve) => {
    execFile(
      'mpirun',
      ['--version'],
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        const text = `${stdout}${stderr}`;
        if (error === null) return resolve({ kind: 'output', text });
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ kind: 'missing' });
        // Some mpiruns print their version and exit non-zero: the text is what counts.
        if (parseMpiVersion(text) !== undefined) return resolve({ kind: 'output', text });
        const reason = error.killed ? `no answer in ${timeoutMs / 1000}s` : error.message.split('\n')[0];
        resolve({ kind: 'failed', reason: reason ?? 'unknown error' });
      },
    );
  });
}
