import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable, pathDirs } from '../../src/contract/executables.js';

const root = mkdtempSync(join(tmpdir(), 'mnbatch-exe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A directory holding `name`, executable or not. */
function dirWith(dir: string, name: string, executable: boolean): string {
  const d = join(root, dir);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, name), '#!/bin/sh\n');
  chmodSync(join(d, name), executable ? 0o755 : 0o644);
  return d;
}

describe('findExecutable', () => {
  it('returns the first directory that has it executable, skipping a plain file', () => {
    const plain = dirWith('plain', 'tool', false);
    const first = dirWith('first', 'tool', true);
    const second = dirWith('second', 'tool', true);
    expect(findExecutable('tool', [join(root, 'none'), plain, first, second])).toBe(join(first, 'tool'));
  });

  it('is undefined when no directory has it', () => {
    expect(findExecutable('no-such-tool', [join(root, 'none')])).toBeUndefined();
  });
});

describe('pathDirs', () => {
  it('reads an empty PATH entry as the current directory, as a shell does', () => {
    expect(pathDirs(['/a', '', '/b'].join(delimiter))).toEqual(['/a', '.', '/b']);
    expect(pathDirs(undefined)).toEqual(['.']);
  });
});
