/**
 * `mnbatch completion bash`: the script, loaded into a real bash, completes commands, subcommands,
 * each command's own options, the global ones, and file names where a command takes a file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completionOf as script } from './_completion.js';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'mnbatch-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash offers for the command line `line` (completing its last word). */
function bashComplete(file: string, line: string): string[] {
  const words = line.split(' ');
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    [
      '-c',
      `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _mnbatch; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('mnbatch completion bash', () => {
  it('completes commands, subcommands, their options, global options and files', async () => {
    const { code, text } = await script('bash');
    expect(code).toBe(0);
    const file = join(dir, 'mnbatch.bash');
    writeFileSync(file, text);
    expect(bashComplete(file, 'mnbatch i')).toEqual(['image', 'infra', 'iam-policy']);
    expect(bashComplete(file, 'mnbatch infra u')).toEqual(['up']);
    expect(bashComplete(file, 'mnbatch infra up --ye')).toEqual(['--yes']);
    expect(bashComplete(file, 'mnbatch submit job.yaml --wa')).toEqual(['--wait']);
    expect(bashComplete(file, 'mnbatch status --reg')).toEqual(['--region']);
    expect(bashComplete(file, 'mnbatch submit examples/hello-mpi/jo')).toEqual([
      'examples/hello-mpi/job.yaml',
    ]);
    // an option of another command is not offered
    expect(bashComplete(file, 'mnbatch status --ye')).toEqual([]);
  });

  it('refuses a shell it has no script for, with the usage exit code', async () => {
    const { code, stderr } = await script('powershell');
    expect(code).toBe(2);
    expect(stderr).toContain('completion powershell: must be one of bash, zsh, fish');
  });
});
