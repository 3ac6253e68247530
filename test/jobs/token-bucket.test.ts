import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/jobs/token-bucket.js';
import { FakeClock } from '../_helpers/fake-clock.js';

describe('TokenBucket', () => {
  it('lets a burst through, then spaces calls at the rate', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(clock, 2, 2);
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await bucket.take();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('returns at once when aborted', async () => {
    const clock = new FakeClock(0);
    const bucket = new TokenBucket(clock, 1, 1);
    await bucket.take();
    const abort = new AbortController();
    abort.abort();
    await bucket.take(abort.signal);
    expect(clock.now()).toBe(0);
  });
});
