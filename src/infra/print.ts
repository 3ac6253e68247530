/**
 * How plans and stack resources look on the terminal (pure).
 */
import type { ActionOp, Plan } from './plan.js';

const MARK: Record<ActionOp, string> = { create: '+', update: '~', replace: '!', delete: '-', nothing: '=' };

/** Aligns rows of cells into lines. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows.map((r) =>
    (indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).trimEnd(),
  );
}

/** One line per action: mark, operation, kind, name, id, reason. */
export function formatPlan(plan: Plan): string[] {
  return table(plan.actions.map((a) => [MARK[a.op], a.op, a.kind, a.name, a.id ?? '', a.reason]));
}
