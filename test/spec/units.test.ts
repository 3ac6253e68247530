import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseMebibytes } from '../../src/spec/units.js';

describe('parseDuration', () => {
  it.each([
    ['90m', 5400],
    ['2h', 7200],
    ['1h30m', 5400],
    ['3600s', 3600],
    ['1d', 86400],
    ['1h0m5s', 3605],
    [' 10m ', 600],
    [120, 120],
    [0, 0],
  ])('%j is %i seconds', (input, seconds) => {
    expect(parseDuration(input)).toEqual({ ok: true, value: seconds });
  });

  it.each(['', '90', '1.5h', '30m1h', 'h', '10 mins', '-5m', '1h 30m'])('rejects %j', (input) => {
    expect(parseDuration(input)).toEqual({
      ok: false,
      message: expect.stringContaining('must be a duration'),
    });
  });

  it.each([1.5, -1])('rejects the number %j', (input) => {
    expect(parseDuration(input).ok).toBe(false);
  });

  it('formats seconds back', () => {
    expect([5400, 3605, 45, 0].map(formatDuration)).toEqual(['1h30m', '1h5s', '45s', '0s']);
  });
});

describe('parseMebibytes', () => {
  it.each([
    ['512MiB', 512],
    ['8GiB', 8192],
    ['1.5GiB', 1536],
    ['2Ti', 2 * 1024 * 1024],
    ['4 Gi', 4096],
    [2048, 2048],
  ])('%j is %i MiB', (input, mib) => {
    expect(parseMebibytes(input)).toEqual({ ok: true, value: mib });
  });

  it('asks for binary units when given decimal ones', () => {
    expect(parseMebibytes('8GB')).toEqual({
      ok: false,
      message: expect.stringContaining('use binary units'),
    });
    expect(parseMebibytes('512m')).toEqual({
      ok: false,
      message: expect.stringContaining('use binary units'),
    });
  });

  it.each(['lots', '', '8 XiB', 'GiB'])('rejects %j', (input) => {
    expect(parseMebibytes(input)).toEqual({ ok: false, message: expect.stringContaining('must be a size') });
  });

  it('rejects sizes that are not whole MiB', () => {
    expect(parseMebibytes('0.3MiB')).toEqual({
      ok: false,
      message: expect.stringContaining('whole number of MiB'),
    });
    expect(parseMebibytes(1.5).ok).toBe(false);
  });
});
