/**
 * Who owns a local run: the `mnbatch run` process, named by pid namespace, pid and start time
 * (from /proc), so that a pid reused by another process, or a run started in another pid
 * namespace (a container with the Docker socket), is never mistaken for a dead run's owner.
 */
import { readFileSync, readlinkSync } from 'node:fs';

/** Reads /proc (a parameter so tests can give their own). */
export interface ProcReader {
  readFile(path: string): string;
  readLink(path: string): string;
}

const realProc: ProcReader = {
  readFile: (path) => readFileSync(path, 'utf8'),
  readLink: (path) => readlinkSync(path),
};

/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function startTime(proc: ProcReader, pid: number | 'self'): string {
  const stat = proc.readFile(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  if (start === undefined || !/^\d+$/.test(start)) throw new Error(`unexpected /proc/${pid}/stat`);
  return start;
}

/** `<pid namespace>/<pid>/<start time>` of this process. */
export function selfOwner(pid: number = process.pid, proc: ProcReader = realProc): string {
  return `${proc.readLink('/proc/self/ns/pid')}/${pid}/${startTime(proc, 'self')}`;
}

/**
 * Whether the process named by `owner` still runs: `dead` only when that is certain (same pid
 * namespace, and the pid is gone or now belongs to a process started at another time).
 */
export function ownerState(
  owner: string | undefined,
  proc: ProcReader = realProc,
): 'alive' | 'dead' | 'unknown' {
  const m = /^(.+)\/(\d+)\/(\d+)$/.exec(owner ?? '');
  if (!m) return 'unknown';
  const [, ns, pid, start] = m;
  try {
    if (proc.readLink('/proc/self/ns/pid') !== ns) return 'unknown';
  } catch {
    return 'unknown';
  }
  try {
    return startTime(proc, Number(pid)) === start ? 'alive' : 'dead';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'dead' : 'unknown';
  }
}
