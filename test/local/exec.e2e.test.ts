/**
 * `mnbatch exec --local` against real containers: two nodes of a run, labelled as `run --local`
 * labels them, found by job name and run id; the command's output and exit code come through,
 * without a terminal (no -t), and the default login shell starts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const IMAGE = 'mnbatch/debian:bookworm';
const runId = `e2e${randomBytes(3).toString('hex')}`;
const job = `exec-${runId}`;

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    input: '',
  });
}

describe('mnbatch exec --local', () => {
  beforeAll(() => {
    for (const index of [0, 1]) {
      execFileSync('docker', [
        'run',
        '-d',
        '--name',
        `mnbatch-${job}-node${index}`,
        '--label',
        `mnbatch.run=${runId}`,
        '--label',
        `mnbatch.job=${job}`,
        '--label',
        `mnbatch.node=${index}`,
        '--label',
        'mnbatch.main-node=1',
        '--env',
        `AWS_BATCH_JOB_NODE_INDEX=${index}`,
        IMAGE,
        'sleep',
        '300',
      ]);
    }
  }, 60_000);

  afterAll(() => {
    spawnSync('docker', ['rm', '-f', `mnbatch-${job}-node0`, `mnbatch-${job}-node1`]);
  });

  it('runs the command in the main node by default, found by job name, and passes its exit code', () => {
    const r = cli(['exec', '--local', job, '--', 'sh', '-c', 'echo node=$AWS_BATCH_JOB_NODE_INDEX; exit 7']);
    expect(r.stdout.trim()).toBe('node=1');
    expect(r.stderr).toContain(`node 1 of run ${runId}`);
    expect(r.status).toBe(7);
  });

  it('goes to the node asked for, found by run id', () => {
    const r = cli(['exec', '--local', runId, '--node', '0', '--', 'printenv', 'AWS_BATCH_JOB_NODE_INDEX']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('0');
  });

  it('starts a login shell that reads its commands from stdin when no command is given', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'exec', '--local', job], {
      cwd: root,
      encoding: 'utf8',
      input: 'echo from-shell $0\nexit 3\n',
    });
    expect(r.stdout).toMatch(/from-shell -?(ba)?sh/);
    expect(r.status).toBe(3);
  });

  it('says which nodes run when the node asked for does not', () => {
    const r = cli(['exec', '--local', runId, '--node', '4', '--', 'true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`node 4 of run ${runId} is not running`);
    expect(r.stderr).toContain('running nodes: 0, 1');
  });
});
