import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** Every module specifier in `text`: static imports and re-exports, `import type`, and `import(...)`. */
function specifiersOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) found.push(m[1] ?? '');
  return found;
}

/** `file: specifier` for each import of a file outside `layer` (a folder of src/) that points into it. */
function importsInto(layer: string, files: ReadonlyMap<string, string>): string[] {
  const inside = join(SRC, layer) + sep;
  const offenders: string[] = [];
  for (const [file, text] of files) {
    if (file.startsWith(inside)) continue;
    for (const spec of specifiersOf(text)) {
      if (!spec.startsWith('.')) continue;
      if (resolve(dirname(file), spec).startsWith(inside)) offenders.push(`${relative(ROOT, file)}: ${spec}`);
    }
  }
  return offenders;
}

function sourceFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, readFileSync(path, 'utf8'));
  }
  return files;
}

describe('layering: src/cli only wires flags, nothing below it imports it', () => {
  it('given the source tree, then no module outside src/cli imports from src/cli', () => {
    const files = sourceFiles(SRC);
    expect(files.size).toBeGreaterThan(50);
    expect(importsInto('cli', files)).toEqual([]);
  });

  it('given a domain module that imports src/cli in any form, then the check names it', () => {
    const files = new Map([
      [join(SRC, 'jobs/a.ts'), "import type { Output } from '../cli/output.js';"],
      [join(SRC, 'jobs/b.ts'), "const { exec } = await import('../cli/cli.js');"],
      [join(SRC, 'infra/deep/c.ts'), "export { x } from '../../cli/commands/plan.js';"],
      [join(SRC, 'ok.ts'), "import { a } from './clinic/x.js';\nimport { Command } from 'commander';"],
      [join(SRC, 'cli/commands/d.ts'), "import { exec } from '../cli.js';"],
    ]);
    expect(importsInto('cli', files)).toEqual([
      'src/jobs/a.ts: ../cli/output.js',
      'src/jobs/b.ts: ../cli/cli.js',
      'src/infra/deep/c.ts: ../../cli/commands/plan.js',
    ]);
  });
});
