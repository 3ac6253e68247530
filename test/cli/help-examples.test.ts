/** Every command's `--help` ends with examples, and every example names a command that exists. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { commands } from '../../src/cli/commands/index.js';
import { EXAMPLES } from '../../src/cli/examples.js';
import type { CliContext } from '../../src/ui/context.js';
import { memoryOutput } from '../../src/ui/output.js';

/** Every command path of the CLI (`infra up`, …). */
function paths(): string[] {
  const program = new Command('mnbatch');
  const ctx = {
    output: memoryOutput(),
    env: {},
    cwd: '.',
    signal: new AbortController().signal,
    exitCode: 0,
  };
  for (const register of commands) register(program, ctx as CliContext);
  const walk = (c: Command, prefix: string[]): string[] =>
    c.commands.flatMap((s) => [[...prefix, s.name()].join(' '), ...walk(s, [...prefix, s.name()])]);
  return walk(program, []);
}

describe('--help examples', () => {
  it('every command has some, and only commands that exist have any', () => {
    const all = paths();
    expect(all.filter((p) => !EXAMPLES[p])).toEqual([]);
    expect(Object.keys(EXAMPLES).filter((p) => !all.includes(p))).toEqual([]);
  });

  it.each(['submit', 'infra up', 'doctor'])('mnbatch %s --help ends with its examples', async (path) => {
    const output = memoryOutput();
    expect(await exec([...path.split(' '), '--help'], { output })).toBe(0);
    const text = output.stdout.join('\n').trimEnd();
    expect(text).toMatch(/\nExamples:\n( {2}mnbatch .*\n?)+$/);
    expect(text.endsWith(EXAMPLES[path]?.at(-1) ?? '?')).toBe(true);
  });
});
