/**
 * `validate` and `plan` never reach AWS code: the real CLI runs in a child process whose
 * module loader throws on any `@aws-sdk/*` import (test/_fixtures/spec/block-imports.mjs).
 * A positive control shows the blocker does fire when something imports the SDK.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const blocker = join(root, 'test/_fixtures/spec/block-imports.mjs');
const broken = readdirSync(join(root, 'test/_fixtures/spec/broken'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `test/_fixtures/spec/broken/${f}`);

/** Runs a TypeScript entry point with @aws-sdk (and `block`) imports forbidden. */
function run(script: string, args: readonly string[], block: readonly string[] = []) {
  const r = spawnSync(process.execPath, ['--import', blocker, '--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, MNBATCH_TEST_BLOCK: block.join(',') },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('no AWS code in validate and plan', () => {
  it('the blocker fires when a module imports the AWS SDK (positive control)', () => {
    const r = run('test/_fixtures/spec/imports-sdk.ts', []);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('BLOCKED_IMPORT @aws-sdk/client-batch');
  });

  it('validate of every broken file reports problems without loading the SDK', () => {
    const r = run('src/cli/main.ts', ['validate', ...broken]);
    expect(r.stderr).not.toContain('BLOCKED_IMPORT');
    expect(r.status).toBe(65);
    const problemLines = r.stdout
      .split('\n')
      .filter((l) => /^test\/_fixtures\/spec\/broken\/[\w-]+\.yaml:\d+:\d+: /.test(l));
    expect(problemLines.length).toBeGreaterThanOrEqual(broken.length);
  });

  it('validate and plan of the examples succeed without loading the SDK', () => {
    const v = run('src/cli/main.ts', ['validate', 'examples/efs-efa.yaml', 'examples/hello-mpi/job.yaml']);
    expect(v.stderr).not.toContain('BLOCKED_IMPORT');
    expect(v.status).toBe(0);
    const p = run('src/cli/main.ts', ['plan', 'examples/gpu.yaml', '--json', '--nodes', '4']);
    expect(p.stderr).not.toContain('BLOCKED_IMPORT');
    expect(p.status).toBe(0);
    expect(JSON.parse(p.stdout).submitJob.nodeOverrides.numNodes).toBe(4);
  });

  it('--help loads neither zod, yaml nor the SDK', () => {
    const r = run('src/cli/main.ts', ['--help'], ['zod', 'yaml']);
    expect(r.stderr).not.toContain('BLOCKED_IMPORT');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('validate');
  });
});
