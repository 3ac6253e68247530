/**
 * Where `--wait` shows the job. On a terminal one status line stays at the bottom and is redrawn
 * in place, with log lines scrolling above it; otherwise a plain line is printed only when
 * something changed, so CI logs stay short.
 */
import { type Output, REDRAW_LINE } from '../ui/output.js';
import type { JobView } from './job-view.js';
import { changeLine, progressKey, progressLine } from './render.js';

/** The progress display of one wait. */
export class Progress {
  private statusShown = false;
  private lastStatus = '';
  private lastKey = '';

  constructor(
    private readonly output: Output,
    /** false: print nothing about the job's state (e.g. `logs --follow`). */
    private readonly show = true,
  ) {}

  /** The job as of now, in its state for `inStateMs`. */
  update(view: JobView, inStateMs: number): void {
    if (!this.show) return;
    if (this.output.isTty) {
      this.lastStatus = progressLine(view, inStateMs);
      this.output.out(`${this.statusShown ? REDRAW_LINE : ''}${this.lastStatus}`);
      this.statusShown = true;
      return;
    }
    const key = progressKey(view);
    if (key !== this.lastKey) this.output.err(changeLine(view));
    this.lastKey = key;
  }

  /** Lines of the job's log (stdout), kept above the status line. */
  log(lines: readonly string[]): void {
    this.above(lines, (l) => this.output.out(l));
  }

  /** A note that stays (diagnosis, warnings): stderr, above the status line. */
  note(lines: readonly string[]): void {
    this.above(lines, (l) => this.output.err(l));
  }

  /** Ends the display: the status line, if any, is left as it is. */
  done(): void {
    this.statusShown = false;
  }

  private above(lines: readonly string[], write: (line: string) => void): void {
    if (lines.length === 0) return;
    if (this.output.isTty && this.statusShown) {
      // One terminal: everything goes to stdout so the cursor moves stay in step.
      this.output.out(`${REDRAW_LINE}${lines[0]}`);
      for (const l of lines.slice(1)) this.output.out(l);
      this.output.out(this.lastStatus);
      return;
    }
    for (const l of lines) write(l);
  }
}
