/** The one exit-code table: every code unique, every code mnbatch uses documented, the README current. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AWS_EXIT } from '../../src/aws/errors.js';
import { AGENT_EXIT, EXIT, EXIT_CODE_TABLE, exitCodeTableMarkdown } from '../../src/contract/exit-codes.js';
import { LAUNCHER_EXIT } from '../../src/jobs/exit-codes.js';
import { EXIT_MAIN_UNRESPONSIVE, EXIT_TIMED_OUT } from '../../src/local/stop.js';

const documented = EXIT_CODE_TABLE.map((row) => row.code);

describe('exit codes', () => {
  it('gives every name of EXIT and AGENT_EXIT its own code', () => {
    for (const table of [EXIT, AGENT_EXIT]) {
      const codes = Object.values(table);
      expect(new Set(codes).size, JSON.stringify(table)).toBe(codes.length);
    }
    const cli = new Set<number>(Object.values(EXIT));
    expect(Object.values(AGENT_EXIT).filter((code) => cli.has(code))).toEqual([]);
  });

  it('documents every code once', () => {
    expect(new Set(documented).size).toBe(documented.length);
    for (const code of [...Object.values(EXIT), ...Object.values(AGENT_EXIT)]) {
      expect(documented, `exit code ${code} is not in EXIT_CODE_TABLE`).toContain(code);
    }
    // And nothing is documented that no table defines (besides the job's own codes).
    const defined = new Set<number | string>([...Object.values(EXIT), ...Object.values(AGENT_EXIT)]);
    expect(documented.filter((c) => typeof c === 'number' && !defined.has(c))).toEqual([]);
  });

  it('has the launcher, AWS and local runner names point into the one table', () => {
    const cli = new Set<number>(Object.values(EXIT));
    for (const code of [...Object.values(LAUNCHER_EXIT), ...Object.values(AWS_EXIT)]) {
      expect(cli.has(code), `${code}`).toBe(true);
    }
    expect([EXIT_TIMED_OUT, EXIT_MAIN_UNRESPONSIVE]).toEqual([EXIT.timedOut, EXIT.mainUnresponsive]);
    expect(EXIT.usage).toBe(2);
    expect(EXIT.interrupted).toBe(130);
  });

  it('is the table the README shows', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(exitCodeTableMarkdown());
    expect(exitCodeTableMarkdown().split('\n')).toHaveLength(EXIT_CODE_TABLE.length + 2);
  });
});
