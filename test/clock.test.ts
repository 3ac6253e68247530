import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/clock.js';

describe('systemClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 21, 10) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the wall clock', () => {
    expect(systemClock.now()).toBe(Date.UTC(2026, 10, 21, 10));
  });

  it('resolves after the time has passed, not before', async () => {
    let woke = false;
    const sleeping = systemClock.sleep(5_000).then(() => {
      woke = true;
    });

    await vi.advanceTimersByTimeAsync(4_999);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it('resolves early, without throwing, when the signal is aborted, and leaves no timer behind', async () => {
    const abort = new AbortController();
    const sleeping = systemClock.sleep(60_000, abort.signal);

    abort.abort();

    await expect(sleeping).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not sleep at all on a signal aborted before', async () => {
    const abort = new AbortController();
    abort.abort();

    await expect(systemClock.sleep(60_000, abort.signal)).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
