/**
 * `--output json|text`, `--json` and MNBATCH_OUTPUT on every command: flag beats environment beats
 * text; a command without a JSON form refuses the flag (usage, exit 2) but ignores the variable.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';

const root = join(import.meta.dirname, '../..');
const JOB = 'examples/hello-mpi/job.yaml';

async function run(argv: readonly string[], env: Record<string, string> = {}) {
  const output = memoryOutput();
  const code = await exec(argv, { output, cwd: root, env });
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('--output', () => {
  it('prints JSON with --output json, --json (anywhere on the line) or MNBATCH_OUTPUT=json', async () => {
    for (const [argv, env] of [
      [['plan', JOB, '--output', 'json'], {}],
      [['--output', 'json', 'plan', JOB], {}],
      [['plan', JOB, '--json'], {}],
      [['plan', JOB], { MNBATCH_OUTPUT: 'json' }],
      [['plan', JOB], { MNBATCH_OUTPUT: ' JSON ' }],
    ] as const) {
      const r = await run(argv, env);
      expect(r.code, `${argv.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`).toBe(0);
      expect(isJson(r.stdout), argv.join(' ')).toBe(true);
      expect(JSON.parse(r.stdout)).toHaveProperty('registerJobDefinition');
    }
  });

  it('prints text by default, and the flag beats MNBATCH_OUTPUT', async () => {
    for (const [argv, env] of [
      [['plan', JOB], {}],
      [['plan', JOB, '--output', 'text'], { MNBATCH_OUTPUT: 'json' }],
      [['plan', JOB], { MNBATCH_OUTPUT: 'text' }],
    ] as const) {
      const r = await run(argv, env);
      expect(r.code).toBe(0);
      expect(isJson(r.stdout), `${argv.join(' ')} ${JSON.stringify(env)}`).toBe(false);
      expect(r.stdout).toContain('Images');
    }
  });

  it('reaches nested commands (iam-policy has a JSON form)', async () => {
    const text = await run(['iam-policy']);
    const json = await run(['iam-policy'], { MNBATCH_OUTPUT: 'json' });
    expect(json.code).toBe(0);
    expect(isJson(json.stdout)).toBe(true);
    expect(json.stdout).not.toBe(text.stdout);
  });

  it.each([
    [['logs', 'job-1', '--json'], 'mnbatch logs has no JSON output'],
    [['validate', JOB, '--output', 'json'], 'mnbatch validate has no JSON output'],
    [['--json', 'infra', 'status', '--stack', 'x'], 'mnbatch infra status has no JSON output'],
    [['cancel', 'job-1', '--output=json'], 'mnbatch cancel has no JSON output'],
  ])('refuses JSON for a command without a JSON form: %j', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${message}: leave out --output json / --json`);
    expect(r.stdout).toBe('');
  });

  it('leaves a command without a JSON form printing text when only MNBATCH_OUTPUT asks for JSON', async () => {
    const r = await run(['validate', JOB], { MNBATCH_OUTPUT: 'json' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^examples\/hello-mpi\/job\.yaml: ok/);
  });

  it.each([
    [['plan', JOB, '--output', 'yaml'], {}, "argument 'yaml' is invalid. Allowed choices are json, text"],
    [['plan', JOB, '--json', '--output', 'text'], {}, '--json and --output text disagree'],
    [['plan', JOB], { MNBATCH_OUTPUT: 'yaml' }, 'MNBATCH_OUTPUT=yaml: must be json or text'],
  ])('rejects a bad format as a usage error: %j %j', async (argv, env, message) => {
    const r = await run(argv, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('works the same through the CLI entry point', () => {
    const cli = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, MNBATCH_OUTPUT: '', ...env },
      });
    const json = cli(['plan', JOB], { MNBATCH_OUTPUT: 'json' });
    expect(json.status, json.stderr).toBe(0);
    expect(isJson(json.stdout)).toBe(true);
    const refused = cli(['logs', 'job-1', '--output', 'json']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('mnbatch logs has no JSON output');
  });
});
