/**
 * The corpus of broken job files: each file says what it expects on its first lines,
 * `# expect: LINE:COL PATH: MESSAGE` (MESSAGE is a prefix-free part of the message), and the
 * test checks that exactly those problems come out, with their positions and paths.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMnbatchError } from '../../src/errors.js';
import { planJobText } from '../../src/plan/index.js';
import { fixtureInstances } from '../_helpers/instance-types.js';

const dir = join(import.meta.dirname, '../_fixtures/spec/broken');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

interface Expected {
  readonly position: string;
  readonly path: string;
  readonly message: string;
}

function expectations(text: string): Expected[] {
  return [...text.matchAll(/^# expect: (\d+:\d+) (.+?): (.+)$/gm)].map((m) => ({
    position: m[1]!,
    path: m[2]!,
    message: m[3]!,
  }));
}

/** The problem lines validation reports for `text` (with EC2's facts, as submit), or [] when it is valid. */
function problems(text: string, file: string): string[] {
  try {
    const options = {
      rendezvous: { kind: 'placeholder' },
      version: '0.0.0-test',
      instances: fixtureInstances(),
    } as const;
    planJobText(text, file, options, false);
    return [];
  } catch (e) {
    if (!isMnbatchError(e) || e.code !== 'SPEC_INVALID') throw e;
    return [...e.details];
  }
}

describe('broken job files', () => {
  it('has at least 30 files, each with an expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const f of files) expect(expectations(readFileSync(join(dir, f), 'utf8')), f).not.toHaveLength(0);
  });

  it.each(files)('%s gets its expected problems', (file) => {
    // Given a broken job file
    const text = readFileSync(join(dir, file), 'utf8');
    const want = expectations(text);

    // When it is validated and planned
    const got = problems(text, file);

    // Then every expected problem is reported at its position and path, and nothing else
    for (const w of want) {
      const prefix = `${file}:${w.position}: ${w.path}: `;
      const line = got.find((g) => g.startsWith(prefix));
      expect(line, `no problem at ${w.position} ${w.path}; got:\n${got.join('\n')}`).toBeDefined();
      expect(line!.slice(prefix.length)).toContain(w.message);
    }
    expect(got).toHaveLength(want.length);
  });
});
