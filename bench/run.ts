/**
 * `npm run bench`: runs every benchmark and writes BENCHMARKS.md. Benchmarks measure on this
 * machine; targets are stated next to the numbers, not asserted in unit tests.
 * `npm run bench -- NAME...` runs only the named ones (and rewrites only their sections).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { type BringUpOptions, benchBringUp } from './bringup.js';
import { benchCliStartup } from './cli-startup.js';
import { benchMpiInit } from './mpi-init.js';
import type { BenchSection } from './section.js';
import { benchSpecKeys } from './spec-keys.js';

const benchmarks: Record<string, () => Promise<BenchSection>> = {
  cliStartup: benchCliStartup,
  bringup: () => benchBringUp(sizeOptions()),
  mpiInit: () => benchMpiInit(sizeOptions()),
  specKeys: benchSpecKeys,
};

/** MNBATCH_BENCH_SIZES=2,16 and MNBATCH_BENCH_RUNS=1 narrow the node benchmarks for a quick look. */
function sizeOptions(): BringUpOptions {
  const sizes = process.env.MNBATCH_BENCH_SIZES?.split(',').map(Number);
  const runs =
    process.env.MNBATCH_BENCH_RUNS === undefined ? undefined : Number(process.env.MNBATCH_BENCH_RUNS);
  return { ...(sizes === undefined ? {} : { sizes }), ...(runs === undefined ? {} : { runs }) };
}

const only = process.argv.slice(2);
const names = only.length > 0 ? only : Object.keys(benchmarks);
const unknown = names.filter((n) => !(n in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`,
  );
  process.exit(2);
}

const sections = new Map<string, string>(readExisting());
for (const name of names) {
  process.stderr.write(`[bench] ${name}\n`);
  const s = await benchmarks[name]!();
  sections.set(name, `## ${s.title}\n\nCommand: \`${s.command}\`\n\n${s.markdown.trim()}\n`);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = `# Benchmarks\n\nWritten by \`npm run bench\` (bench/run.ts). Last run ${new Date().toISOString()} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}.\n`;
const body = Object.keys(benchmarks)
  .filter((n) => sections.has(n))
  .map((n) => `<!-- bench:${n} -->\n${sections.get(n)}`)
  .join('\n');
writeFileSync('BENCHMARKS.md', `${header}\n${body}`);
process.stderr.write('[bench] wrote BENCHMARKS.md\n');

function readExisting(): [string, string][] {
  let text: string;
  try {
    text = readFileSync('BENCHMARKS.md', 'utf8');
  } catch {
    return [];
  }
  const parts = text.split(/^<!-- bench:([\w-]+) -->\n/m);
  const out: [string, string][] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) out.push([parts[i]!, parts[i + 1]!.replace(/\n+$/, '\n')]);
  return out;
}
