/**
 * The one clock of the tests (launcher, bake, infra), whose sleeps take no real time. Time jumps
 * to the earliest pending sleep once every promise chain has settled (a discrete-event clock), so
 * concurrent loops (the status poll and the log follower) interleave exactly as they would in
 * real time, and a single wait simply moves on by each sleep.
 */
import type { Clock } from '../../src/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class FakeClock implements Clock {
  /** Every sleep that started (ms), in order; a sleep on an aborted signal is not one. */
  readonly sleeps: number[] = [];
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private scheduled = false;
  private readonly limit: number;

  /** `limitMs`: time after which sleeping fails the test instead of running forever. */
  constructor(start = Date.UTC(2026, 0, 1, 12), limitMs = 48 * 3600_000) {
    this.t = start;
    this.limit = start + limitMs;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      const at = this.t + Math.max(0, ms);
      if (at > this.limit) {
        reject(new Error(`FakeClock: slept past the test's time limit (a wait that never ends?)`));
        return;
      }
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      const timer: Timer = {
        at,
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Runs `fn` when the clock reaches `ms` after now (e.g. a Ctrl-C at minute 3). */
  after(ms: number, fn: () => void): void {
    this.timers.push({ at: this.t + ms, seq: this.seq++, fire: fn });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.t = Math.max(this.t, next.at);
      next.fire();
      if (this.timers.length > 0) this.schedule();
    });
  }
}
