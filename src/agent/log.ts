/** The agent's stderr log: one prefix per line, a level filter, and the launch line others parse. */

import type { LaunchMode } from '../contract/agent-env.js';
import { plural } from '../contract/words.js';
import type { LogLevel } from './config.js';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes prefixed lines to a sink (stderr in production, an array in tests). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Logged whatever the level (the launch line, which tools parse). */
  always(message: string): void;
  /** The prefix, for tagging lines of child processes (sshd). */
  readonly prefix: string;
}

/** `[mnbatch-agent node 1/4 child]` */
export function logPrefix(nodeIndex: number, numNodes: number, role: 'main' | 'child'): string {
  return `[mnbatch-agent node ${nodeIndex}/${numNodes} ${role}]`;
}

/** A logger that writes `<prefix> <message>` lines at `level` and above. */
export function createLogger(prefix: string, level: LogLevel, write: (line: string) => void): Logger {
  const at =
    (l: LogLevel, force = false) =>
    (message: string) => {
      if (!force && RANK[l] < RANK[level]) return;
      for (const line of message.split('\n')) write(`${prefix} ${l === 'info' ? '' : `${l}: `}${line}\n`);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    always: at('info', true),
    prefix,
  };
}

/** What the main node's launch line says. */
export interface LaunchLine {
  readonly mode: LaunchMode;
  readonly nodes: number;
  readonly slots: number;
  /** Seconds from the main node's start to the launch. */
  readonly bringUpSeconds: number;
  /** Epoch milliseconds when the command was started. */
  readonly t: number;
}

/** The one line the main node logs when it starts the command. */
export function formatLaunchLine(l: LaunchLine): string {
  return `launching ${l.mode}: ${plural(l.nodes, 'node')}, ${plural(l.slots, 'slot')}, bring-up ${l.bringUpSeconds.toFixed(3)}s, t=${l.t}`;
}

/** Matches the launch line anywhere in a log line (whatever prefix the log shipper adds). */
export const LAUNCH_LINE_RE =
  /launching (mpirun|each|main): (\d+) nodes?, (\d+) slots?, bring-up (\d+\.\d{3})s, t=(\d+)/;

/** Parses a launch line, or undefined when `line` is not one. */
export function parseLaunchLine(line: string): LaunchLine | undefined {
  const m = LAUNCH_LINE_RE.exec(line);
  if (m === null) return undefined;
  return {
    mode: m[1] as LaunchMode,
    nodes: Number(m[2]),
    slots: Number(m[3]),
    bringUpSeconds: Number(m[4]),
    t: Number(m[5]),
  };
}
