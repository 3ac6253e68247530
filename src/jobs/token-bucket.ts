import type { Clock } from '../clock.js';

/**
 * A token bucket: at most `burst` calls at once and `perSecond` on average. CloudWatch Logs
 * allows GetLogEvents 10 times a second per account and region; the launcher keeps well below
 * so other tools (and a second terminal) still have room.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly perSecond = 2,
    private readonly burst = 2,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Waits until a call is allowed (returns early when `signal` is aborted). */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      if (signal?.aborted) return;
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
    }
  }
}
