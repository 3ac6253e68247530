import { describe, expect, it } from 'vitest';
import { type PollOptions, pollUntil } from '../src/wait.js';
import { FakeClock } from './_helpers/fake-clock.js';

/** A poll that is done at look `doneAt` (never by default), and how often it was called. */
function target(doneAt = Number.POSITIVE_INFINITY) {
  let looks = 0;
  return {
    poll: async () => (++looks === doneAt ? 42 : undefined),
    looks: () => looks,
  };
}

/** pollUntil with a fake clock at 0, and plain errors for timeout and interrupt. */
function poll(options: Partial<PollOptions<number>> & Pick<PollOptions<number>, 'poll' | 'backoff'>) {
  return pollUntil({
    clock: new FakeClock(0),
    deadline: 3_600_000,
    onTimeout: () => new Error('timed out'),
    onInterrupt: () => new Error('interrupted'),
    ...options,
  });
}

describe('pollUntil', () => {
  it('grows the delay by the given factor up to the maximum and returns the first value', async () => {
    // given a poll that is done at the 6th look
    const clock = new FakeClock(0);

    // when
    const value = await poll({
      poll: target(6).poll,
      clock,
      backoff: { first: 2_000, max: 20_000, factor: 2 },
    });

    // then
    expect(value).toBe(42);
    expect(clock.sleeps).toEqual([2_000, 4_000, 8_000, 16_000, 20_000]);
  });

  it('looks one last time at the deadline, then throws the caller’s timeout error', async () => {
    const clock = new FakeClock(0);
    const t = target();

    const wait = poll({
      poll: t.poll,
      clock,
      deadline: 10_000,
      backoff: { first: 4_000, max: 4_000, factor: 1 },
    });

    await expect(wait).rejects.toThrow('timed out');
    expect(clock.sleeps).toEqual([4_000, 4_000, 2_000]);
    expect(t.looks()).toBe(4);
    expect(clock.now()).toBe(10_000);
  });

  it('wakes from a sleep when the signal is aborted and throws the caller’s interrupted error without another look', async () => {
    // given Ctrl-C one minute into a sleep of five
    const clock = new FakeClock(0);
    const abort = new AbortController();
    clock.after(60_000, () => abort.abort());
    const t = target();

    // when
    const wait = poll({
      poll: t.poll,
      clock,
      signal: abort.signal,
      backoff: { first: 300_000, max: 300_000, factor: 1 },
    });

    // then
    await expect(wait).rejects.toThrow('interrupted');
    expect(t.looks()).toBe(1);
    expect(clock.now()).toBe(60_000);
  });

  it('does not look at all when the signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    const t = target();

    const wait = poll({ poll: t.poll, signal: abort.signal, backoff: { first: 1, max: 1, factor: 1 } });

    await expect(wait).rejects.toThrow('interrupted');
    expect(t.looks()).toBe(0);
  });
});
