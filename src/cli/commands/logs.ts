import { InvalidArgumentError } from 'commander';
import type { LogsFlags } from '../../jobs/command.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { withAwsOptions } from './submit.js';

function parseNode(value: string): number | 'all' {
  if (value.trim() === 'all') return 'all';
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a node index (0, 1, ...) or all');
  return Number(value);
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m`, `2h`, `1d`, `90s` before now, or a date/time (ISO 8601); as ms since the epoch. */
export function parseSince(value: string, now = Date.now()): number {
  const relative = /^(\d+)([smhd])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * (UNIT_MS[relative[2] ?? 's'] ?? 1000);
  const at = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at))
    throw new InvalidArgumentError('must be a duration like 10m, 2h, 1d or a time like 2026-12-02T13:00Z');
  return at;
}

function parseTail(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 10_000)
    throw new InvalidArgumentError('must be a number of lines from 1 to 10000');
  return Number(value);
}

/** `mnbatch logs JOB`: a node's CloudWatch log. */
export const register: RegisterCommand = (program, ctx) => {
  withAwsOptions(
    program
      .command('logs')
      .description('print a node’s log (the main node by default) from CloudWatch Logs')
      .argument('<job>', 'job id, or job name (the most recent job of that name)')
      .option(
        '--node <index>',
        'node index, or all: every node interleaved by time (default: the main node)',
        parseNode,
      )
      .option(
        '--since <time>',
        'only lines from this long ago (10m, 2h, 1d) or since this time (ISO 8601)',
        (v) => parseSince(v),
      )
      .option('--tail <lines>', 'only the last lines (of all nodes together with --node all)', parseTail)
      .option('--timestamps', 'prefix each line with its time (ISO 8601, UTC)')
      .option('--raw', 'lines as the programs printed them: no [node i] or [node i rank r] prefixes')
      .option('--follow', 'keep printing until the job ends; exit with its exit code')
      .option('--queue <queue>', 'queue to look for a job name in'),
  ).action(
    action(ctx, async (job: string, flags: LogsFlags) => {
      const { logsCommand } = await import('../../jobs/command.js');
      return logsCommand(job, flags, ctx);
    }),
  );
};
