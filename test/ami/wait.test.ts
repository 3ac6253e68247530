import { describe, expect, it } from 'vitest';
import { pollBake } from '../../src/ami/wait.js';
import { FakeClock } from '../_helpers/fake-clock.js';

const clock = () => new FakeClock(0);

describe('pollBake', () => {
  it('backs off by half each time up to the maximum and returns the first value', async () => {
    const c = clock();
    let calls = 0;

    const value = await pollBake({
      poll: async () => (++calls === 7 ? 'done' : undefined),
      deadline: 10_000_000,
      clock: c,
      signal: new AbortController().signal,
      backoff: { first: 10_000, max: 30_000 },
      onTimeout: () => new Error('timeout'),
    });

    expect(value).toBe('done');
    expect(c.sleeps).toEqual([10_000, 15_000, 22_500, 30_000, 30_000, 30_000]);
  });

  it('never sleeps past the deadline and then fails with onTimeout', async () => {
    const c = clock();

    const wait = pollBake({
      poll: async () => undefined,
      deadline: 40_000,
      clock: c,
      signal: new AbortController().signal,
      backoff: { first: 10_000, max: 30_000 },
      onTimeout: () => new Error('gave up'),
    });

    await expect(wait).rejects.toThrow('gave up');
    expect(c.sleeps).toEqual([10_000, 15_000, 15_000]);
    expect(c.now()).toBe(40_000);
  });

  it('stops with exit code 130 when aborted', async () => {
    const c = clock();
    const abort = new AbortController();
    let calls = 0;

    const wait = pollBake({
      poll: async () => {
        if (++calls === 2) abort.abort();
        return undefined;
      },
      deadline: 1_000_000,
      clock: c,
      signal: abort.signal,
      backoff: { first: 1_000, max: 1_000 },
      onTimeout: () => new Error('timeout'),
    });

    await expect(wait).rejects.toMatchObject({ code: 'AMI_INTERRUPTED', exitCode: 130 });
    expect(calls).toBe(2);
  });
});
