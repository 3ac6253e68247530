/**
 * The built CLI (dist/cli/main.js) as a child process, for the integration tier and the AWS
 * acceptance runner (which runs outside vitest, so this file imports nothing of it).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');

/** What a CLI run printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The child's pid, for tests that kill it. */
  readonly pid: number;
}

/** Runs the built CLI (dist/) with `args` in `cwd`, with exactly the variables `env`. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; onSpawn?: (pid: number) => void },
): Promise<CliResult> {
  return new Promise<CliResult>((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd, env: options.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code =
          error && typeof (error as { code?: unknown }).code === 'number'
            ? (error as { code: number }).code
            : error
              ? ((child.signalCode ? 128 : 1) as number)
              : 0;
        resolve({ code, stdout, stderr, pid: child.pid ?? 0 });
      },
    );
    if (child.pid) options.onSpawn?.(child.pid);
  });
}
