/**
 * How fast `mnbatch --help` starts: wall time of `node dist/cli/main.js --help`, which must stay
 * well under half a second (commands load zod, yaml and the AWS SDK only inside their actions).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSection } from './section.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist/cli/main.js');
const RUNS = 20;
const TARGET_MS = 500;

/** Newest modification time of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/. */
function ensureBuilt(): string {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestSource(join(ROOT, 'src')))
    return 'dist was current';
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(MAIN))
    throw new Error(`npm run build did not produce dist/cli/main.js:\n${build.stderr}${build.stdout}`);
  return build.status === 0
    ? 'built dist first'
    : 'built dist first (tsc reported errors; output emitted anyway)';
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `node dist/cli/main.js --help` RUNS times (after one warm-up) and reports median and p95. */
export async function benchCliStartup(): Promise<BenchSection> {
  const note = ensureBuilt();
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [MAIN, '--help'], { cwd: ROOT, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`mnbatch --help exited ${r.status}: ${r.stderr}`);
    if (i > 0) times.push(ms); // the first run warms the file cache
  }
  times.sort((a, b) => a - b);
  const median = percentile(times, 50);
  const p95 = percentile(times, 95);
  const verdict = (ms: number) => (ms < TARGET_MS ? 'yes' : '**no**');
  const markdown = [
    `${RUNS} runs after one warm-up (${note}); the target is well under ${TARGET_MS} ms.`,
    '',
    '| measure | wall time | under 500 ms |',
    '|---|---:|:---:|',
    `| median | ${median.toFixed(0)} ms | ${verdict(median)} |`,
    `| p95 | ${p95.toFixed(0)} ms | ${verdict(p95)} |`,
    `| fastest | ${times[0]!.toFixed(0)} ms | ${verdict(times[0]!)} |`,
    `| slowest | ${times.at(-1)!.toFixed(0)} ms | ${verdict(times.at(-1)!)} |`,
  ].join('\n');
  return { title: 'CLI startup (`mnbatch --help`)', command: 'node dist/cli/main.js --help', markdown };
}
