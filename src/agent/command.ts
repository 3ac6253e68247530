/** The user's command (or mpirun) as a child process: started, signalled as a group, awaited. */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
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

/** Receives the command's output line by line (without the line break). */
export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

/** How long after the command's exit its output may still arrive (a grandchild may hold the pipe). */
const OUTPUT_DRAIN_MS = 2_000;

/** Calls `sink` for each line of `stream`, and for a last line without a break; resolves when it closes. */
function splitLines(stream: Readable, name: 'stdout' | 'stderr', sink: LineSink): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const emit = (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) sink(line, name);
  };
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => emit(decoder.write(chunk)));
    stream.once('close', () => {
      emit(decoder.end());
      if (rest !== '') sink(rest, name);
      rest = '';
      resolve();
    });
  });
}

/**
 * Starts `argv` in its own process group (so signals reach the whole tree, e.g. a shell and its
 * children), with inherited stdio, or with its stdout and stderr line by line to `lines`.
 * Throws AgentError('launchFailed') when it cannot start.
 */
export async function startCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  lines?: LineSink,
): Promise<RunningCommand> {
  const [file, ...args] = argv;
  if (file === undefined) throw new AgentError('launchFailed', 'empty command');
  const child = spawn(file, args, {
    stdio: lines === undefined ? 'inherit' : ['inherit', 'pipe', 'pipe'],
    env,
    detached: true,
  });
  const output =
    lines !== undefined && child.stdout !== null && child.stderr !== null
      ? Promise.all([splitLines(child.stdout, 'stdout', lines), splitLines(child.stderr, 'stderr', lines)])
      : Promise.resolve();
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
  const exitCode = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(exitCodeOf(code, signal)));
  });
  // The exit counts once the output has been passed on (or has had its time).
  const exited = exitCode.then(async (code) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([output, new Promise((r) => (timer = setTimeout(r, OUTPUT_DRAIN_MS)))]);
    clearTimeout(timer);
    return code;
  });
  let done = false;
  void exitCode.then(() => {
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
