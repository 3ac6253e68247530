/** The user's command (or mpirun) as a child process: started, signalled as a group, awaited. */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { AgentError, errorMessage } from './errors.js';

/** How long a command may take to stop after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 10_000;

/** A started command. */
export interface RunningCommand {
  readonly pid: number;
  /** Settles with the exit code (128+n when killed by signal n). */
  readonly exited: Promise<number>;
  /** Sends `signal` to the command's process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs: number): Promise<number>;
}

/** Exit code of a process that ended with `code` or by `signal`. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal === null ? undefined : constants.signals[signal];
  return 128 + (n ?? 15);
}

/**
 * Starts `argv` with inherited stdio in its own process group (so signals reach the whole
 * tree, e.g. a shell and its children). Throws AgentError('launchFailed') when it cannot start.
 */
export async function startCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<RunningCommand> {
  const [file, ...args] = argv;
  if (file === undefined) throw new AgentError('launchFailed', 'empty command');
  const child = spawn(file, args, { stdio: 'inherit', env, detached: true });
  const started = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (e) => resolve(e));
  });
  if (started !== undefined) {
    throw new AgentError('launchFailed', `cannot start ${file}: ${errorMessage(started)}`, {
      cause: started,
    });
  }
  const pid = child.pid ?? -1;
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(exitCodeOf(code, signal)));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const signal = (s: NodeJS.Signals) => {
    if (done) return;
    try {
      process.kill(-pid, s);
    } catch {
      try {
        child.kill(s);
      } catch {
        // already gone
      }
    }
  };
  return {
    pid,
    exited,
    signal,
    async stop(graceMs) {
      signal('SIGTERM');
      const killer = setTimeout(() => signal('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(killer);
      // Anything the command left behind in its group goes too.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // group already empty
      }
      return code;
    },
  };
}
