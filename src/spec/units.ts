/**
 * Durations and sizes as people write them in job.yaml ("1h30m", "8GiB"), turned into the
 * numbers AWS Batch wants (seconds, MiB). Pure: each returns the number or a message.
 */

/** What a duration string looks like: days, hours, minutes, seconds, each optional, in this order. */
export const DURATION_PATTERN = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** What a size string looks like: a number and a binary unit (MiB, GiB, TiB or Mi, Gi, Ti). */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(Mi|Gi|Ti)B?$/;

export type Parsed =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly message: string };

const DURATION_HINT = 'must be a duration like 90m, 2h, 1h30m, 3600s or a number of seconds';
const SIZE_HINT = 'must be a size like 512MiB, 8GiB or a number of MiB';

/** Seconds of a duration: a whole number of seconds, or a string such as `90m`, `2h`, `1h30m`, `3600s`. */
export function parseDuration(input: number | string): Parsed {
  if (typeof input === 'number') {
    return Number.isInteger(input) && input >= 0 ? ok(input) : fail(DURATION_HINT);
  }
  const m = DURATION_PATTERN.exec(input.trim());
  if (!m || m[0] === '') return fail(DURATION_HINT);
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  return ok(((d * 24 + h) * 60 + min) * 60 + s);
}

/** Whole MiB of a size: a number of MiB, or a string such as `512MiB`, `8GiB`, `1.5GiB`, `2Ti`. */
export function parseMebibytes(input: number | string): Parsed {
  if (typeof input === 'number') {
    return Number.isInteger(input) && input >= 0 ? ok(input) : fail(`${SIZE_HINT} (whole MiB)`);
  }
  const text = input.trim();
  const m = SIZE_PATTERN.exec(text);
  if (!m) {
    if (/^\d+(?:\.\d+)?\s*[kKmMgGtT]B?$/.test(text)) {
      return fail(`${SIZE_HINT}: use binary units MiB, GiB or TiB (got "${input}")`);
    }
    return fail(SIZE_HINT);
  }
  const factor = { Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[m[2] as 'Mi' | 'Gi' | 'Ti'];
  const mib = Number(m[1]) * factor;
  return Number.isInteger(mib) ? ok(mib) : fail(`must be a whole number of MiB (${input} is ${mib} MiB)`);
}

/** `90m` style text for a number of seconds (for messages and summaries). */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const text = `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
  return text === '' ? '0s' : text;
}

function ok(value: number): Parsed {
  return { ok: true, value };
}

function fail(message: string): Parsed {
  return { ok: false, message };
}
