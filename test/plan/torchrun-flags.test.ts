/**
 * The torchrun examples must run on the torch users have: Debian bookworm's 1.13 (whose
 * torch/distributed/run.py knows only the underscore spellings) and 2.x (which adds the dashed
 * ones and keeps the underscores). The slow tier runs examples/torchrun with 1.13 for real; this
 * checks every flag of every torchrun example against both option lists, without torch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** Long options of torchrun 1.13.1's argument parser (Debian's python3-torch 1.13.1+dfsg-4). */
const TORCH_1_13 = [
  '--nnodes',
  '--nproc_per_node',
  '--rdzv_backend',
  '--rdzv_endpoint',
  '--rdzv_id',
  '--rdzv_conf',
  '--standalone',
  '--max_restarts',
  '--monitor_interval',
  '--start_method',
  '--role',
  '--module',
  '--no_python',
  '--run_path',
  '--log_dir',
  '--redirects',
  '--tee',
  '--node_rank',
  '--master_addr',
  '--master_port',
];
/** torch 2.x: the same options, each also spelt with dashes. */
const TORCH_2 = [...TORCH_1_13, ...TORCH_1_13.map((f) => f.replace(/_/g, '-'))];

const root = join(import.meta.dirname, '../..');

/** Every job file of examples/ whose command runs torchrun, with the torchrun options it passes. */
function torchrunExamples(): { file: string; flags: string[] }[] {
  const files = readdirSync(join(root, 'examples'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.yaml'),
  );
  return files.flatMap((file) => {
    const command: unknown = (
      parse(readFileSync(join(root, 'examples', file), 'utf8')) as { command?: unknown }
    )?.command;
    const text = Array.isArray(command) ? command.join(' ') : String(command ?? '');
    const start = text.indexOf('torchrun');
    if (start < 0) return [];
    // Options up to the training script (a .py file).
    const words = text.slice(start).split(/\s+/).slice(1);
    const script = words.findIndex((w) => w.endsWith('.py'));
    const flags = words
      .slice(0, script < 0 ? words.length : script)
      .filter((w) => w.startsWith('--'))
      .map((w) => w.split('=')[0] ?? w);
    return [{ file, flags }];
  });
}

describe('torchrun examples', () => {
  it('are found', () => {
    expect(
      torchrunExamples()
        .map((e) => e.file)
        .sort(),
    ).toEqual(['torchrun-each.yaml', 'torchrun/job.yaml']);
  });

  it.each(torchrunExamples())('$file passes only options torchrun 1.13 and 2.x both know', ({ flags }) => {
    expect(flags.length).toBeGreaterThan(3);
    for (const f of flags) {
      expect(TORCH_1_13, f).toContain(f);
      expect(TORCH_2, f).toContain(f);
    }
  });
});
