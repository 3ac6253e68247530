/**
 * The only place that writes to the terminal. Commands receive an `Output` so tests can
 * capture what a user would see.
 */
export interface Output {
  /** A line of the command's result (stdout). */
  out(line: string): void;
  /** A line of progress, warning or error (stderr). */
  err(line: string): void;
  /** Whether stdout is an interactive terminal (progress redraws, colours). */
  readonly isTty: boolean;
}

/** Output bound to the real process streams; nothing goes to stdout once `closed()` says so. */
export function processOutput(closed: () => boolean = () => false): Output {
  return {
    out: (line) => {
      if (!closed()) process.stdout.write(`${line}\n`);
    },
    err: (line) => process.stderr.write(`${line}\n`),
    isTty: Boolean(process.stdout.isTTY),
  };
}

/** Output that records lines, for tests. */
export function memoryOutput(): Output & {
  readonly stdout: string[];
  readonly stderr: string[];
  text(): string;
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    isTty: false,
    text: () => [...stdout, ...stderr].join('\n'),
  };
}

/** Cursor up one line and clear it: a terminal's previous status line is overwritten in place. */
export const REDRAW_LINE = '\x1b[1A\x1b[2K';
