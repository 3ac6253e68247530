/** Starting and stopping this node's sshd, with a bounded wait until it listens. */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { delimiter } from 'node:path';
import { findExecutable } from '../contract/executables.js';
import { AgentError, errorMessage } from './errors.js';
import type { Logger } from './log.js';

/** A running sshd. */
export interface Sshd {
  readonly pid: number;
  /** Stops sshd (SIGTERM, then SIGKILL after a bound); resolves once it is gone. */
  stop(): Promise<void>;
  /** Settles when sshd exits on its own (with a reason). */
  readonly exited: Promise<string>;
}

/** How long sshd may take to listen, and to stop. */
export const SSHD_START_TIMEOUT_MS = 15_000;
const SSHD_STOP_TIMEOUT_MS = 3_000;

/** sshd's path: on PATH, else /usr/sbin/sshd (often not on a container's PATH). */
export function findSshd(path: string | undefined): string {
  // An empty PATH entry does not count here: sshd must be a real install, not the work directory.
  const found = findExecutable('sshd', [
    ...(path ?? '').split(delimiter).filter((d) => d !== ''),
    '/usr/sbin',
    '/usr/local/sbin',
    '/sbin',
  ]);
  if (found) return found;
  throw new AgentError(
    'sshSetup',
    `sshd not found on PATH or in /usr/sbin: install openssh-server in the image`,
  );
}

/** Starts `sshd -D -e -f <config>` and resolves once it reports listening. */
export async function startSshd(sshdPath: string, configFile: string, log: Logger): Promise<Sshd> {
  // sshd refuses to start without its privilege separation directory, which images rarely have.
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch (e) {
    log.debug(`cannot create /run/sshd: ${errorMessage(e)}`);
  }
  const child = spawn(sshdPath, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let listening: (() => void) | undefined;
  const isListening = new Promise<void>((resolve) => {
    listening = resolve;
  });
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      if (line.startsWith('Server listening on')) listening?.();
      log[sshdLineLevel(line)](`sshd: ${line}`);
    }
  });
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(`sshd could not be started: ${errorMessage(e)}`));
    child.on('exit', (code, signal) => resolve(`sshd exited (${signal ?? `code ${code}`})`));
  });
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    isListening.then(() => 'ok' as const),
    exited,
    new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`sshd did not listen within ${SSHD_START_TIMEOUT_MS / 1000}s`),
        SSHD_START_TIMEOUT_MS,
      );
    }),
  ]);
  clearTimeout(timer);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), SSHD_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
  };
  if (outcome !== 'ok') {
    await stop();
    throw new AgentError('sshSetup', outcome);
  }
  return { pid: child.pid ?? -1, stop, exited };
}

/** sshd lines every healthy job prints (one per mpirun connection); shown only at debug level. */
const ROUTINE_SSHD_LINES =
  /^(Server listening on|Accepted publickey for|Received disconnect from|Disconnected from|Connection closed by [0-9a-f.:]+ port |Received signal 15)/;

/** The log level of a line of sshd's stderr: routine session lines are debug, the rest (refusals, errors) info. */
export function sshdLineLevel(line: string): 'debug' | 'info' {
  return ROUTINE_SSHD_LINES.test(line) ? 'debug' : 'info';
}
