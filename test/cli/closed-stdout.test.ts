/**
 * `mnbatch … | head -1`: when the reader closes stdout early, the CLI ends quietly with its status
 * (no EPIPE stack trace). The real CLI entry point runs in a child process whose stdout is a pipe
 * closed before anything is read.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function runWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader goes away at once, as `head -1` does after its line.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('stdout closed by its reader', () => {
  it('ends quietly with the status so far, writing no EPIPE trace', async () => {
    // schema prints a long document in many writes
    const r = await runWithClosedStdout(['schema']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event|at /);
    expect(r.code).toBe(0);
  });

  it('keeps the exit code of a command that failed', async () => {
    const r = await runWithClosedStdout(['validate', 'no-such-job.yaml']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(r.code).toBe(65);
  });
});
