/**
 * A bad command line exits 2 on every command, whether commander finds it (unknown option,
 * missing argument, bad value) or the command does (flags that disagree), and nothing runs.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';

const root = join(import.meta.dirname, '../..');

describe('usage errors exit 2', () => {
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['submit'], "missing required argument 'file'"],
    [['status'], "missing required argument 'job'"],
    [['logs', 'j', '--node', 'x'], "option '--node <index>' argument 'x' is invalid"],
    [['logs', 'j', '--tail', '0'], 'must be a number of lines from 1 to 10000'],
    [['cancel', 'j', '--bogus'], "unknown option '--bogus'"],
    [['list', '--queue'], "option '--queue <queue>' argument missing"],
    [['plan', 'job.yaml', '--nodes', '1'], 'must be a whole number from 2 to 1000'],
    [['run'], 'run needs --local'],
    [['run', '--local'], 'run --local needs a job file'],
    [['run', '--local', '--cleanup', 'job.yaml'], 'run --cleanup takes no job file'],
    [['infra', 'up', '--bogus'], "unknown option '--bogus'"],
    [['infra', 'nope'], "unknown command 'nope'"],
    [['ami', 'bake', '--efs', 'vol-1'], "--efs 'vol-1' is not valid"],
    [['ami', 'bake', '--timeout', 'soon', '--efs', 'fs-0123456789abcdef0'], "--timeout 'soon'"],
    [['completion', 'tcsh'], 'completion tcsh: must be one of'],
    [['iam-policy', '--role', 'wizard'], 'wizard'],
    [['validate'], "missing required argument 'file'"],
  ])('%j', async (argv, message) => {
    const output = memoryOutput();
    const code = await exec(argv, { output, cwd: root, env: {} });
    expect(code, output.text()).toBe(2);
    expect(output.stderr.join('\n')).toContain(message);
    expect(output.stdout).toEqual([]);
  });

  it('is the process exit status too', () => {
    for (const args of [['submit'], ['logs', 'j', '--bogus']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
    }
  });
});
