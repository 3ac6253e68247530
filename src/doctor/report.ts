/**
 * What `mnbatch doctor` reports: one result per check, each ok / warn / fail / skip with the
 * one line that fixes it, printed as text or JSON (pure).
 */

/** How a check came out. `skip`: not run (no input for it, or not allowed to look). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** The result of one check. */
export interface CheckResult {
  /** Stable name for scripts (`identity`, `route`, `quota`, …). */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found, one line. */
  readonly detail: string;
  /** One line that fixes it (warn / fail), or says why it was skipped. */
  readonly fix?: string;
}

/** Shorthands that keep the checks readable. */
export const ok = (check: string, detail: string): CheckResult => ({ check, status: 'ok', detail });
export const warn = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'warn',
  detail,
  fix,
});
export const fail = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'fail',
  detail,
  fix,
});
export const skip = (check: string, detail: string, fix?: string): CheckResult => ({
  check,
  status: 'skip',
  detail,
  ...(fix ? { fix } : {}),
});

/** How many results have each status. */
export function summarize(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** The exit code of a doctor run: 1 when any check failed. */
export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

/** The report as lines for a terminal: status, check, detail, and the fix under it. */
export function formatReport(results: readonly CheckResult[]): string[] {
  const width = Math.max(0, ...results.map((r) => r.check.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.status.padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`);
    if (r.fix) lines.push(`${' '.repeat(width + 8)}${r.status === 'skip' ? 'note' : 'fix'}: ${r.fix}`);
  }
  const c = summarize(results);
  lines.push('');
  lines.push(`${c.fail} failed, ${c.warn} warning${c.warn === 1 ? '' : 's'}, ${c.ok} ok, ${c.skip} skipped`);
  return lines;
}

/** The report as the JSON document `--json` prints. */
export function reportJson(results: readonly CheckResult[]): string {
  return JSON.stringify(
    { ok: exitCodeOf(results) === 0, summary: summarize(results), checks: results },
    null,
    2,
  );
}
