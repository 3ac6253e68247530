/** How long checking a job file with many keys takes: duplicate detection must stay linear. */
import { checkJobSpec } from '../src/spec/index.js';
import type { BenchSection } from './section.js';

const HEAD = 'name: demo\nimage: demo:1\nnodes: 4\nresources: { vcpus: 2, memory: 2GiB }\nenvironment:\n';

/** Milliseconds of checkJobSpec on a mapping of `n` keys whose last repeats the first (best of 3). */
function timeKeys(n: number): number {
  const text = `${HEAD}${Array.from({ length: n }, (_, i) => `  K${i}: v\n`).join('')}  K0: again\n`;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    checkJobSpec(text, 'job.yaml');
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

export async function benchSpecKeys(): Promise<BenchSection> {
  const rows = [12_500, 25_000, 50_000].map((n) => `| ${n} | ${timeKeys(n).toFixed(0)} ms |`);
  return {
    title: 'Checking a job file with many keys (target: 50,000 keys under 1 s, growing linearly)',
    command: 'npm run bench -- specKeys',
    markdown: `| keys in one mapping | checkJobSpec (best of 3) |\n|---|---|\n${rows.join('\n')}`,
  };
}
