/**
 * Runs an example of examples/ as a user would: the built CLI, `run --local <example>/job.yaml`,
 * building the agent and example images (Docker's cache makes repeats quick), under the lock
 * every Docker test of this machine takes. Resolves with the exit code and all output once the
 * run ended; kills it and rejects when it has not ended by the deadline.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../container/images.js';

/** The lock the Docker tests of every worktree on this machine take turns through. */
export const DOCKER_LOCK = '/tmp/mnbatch-docker-e2e.lock';

export interface ExampleRun {
  readonly code: number | null;
  readonly text: string;
  readonly seconds: number;
}

export function runExample(
  example: string,
  deadlineMs: number,
  extraArgs: readonly string[] = [],
): Promise<ExampleRun> {
  const started = Date.now();
  const args = [DOCKER_LOCK, process.execPath, join(REPO, 'dist', 'cli', 'main.js'), 'run', '--local'];
  const child = spawn('flock', [...args, `examples/${example}/job.yaml`, ...extraArgs], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // SIGINT to the whole group: the CLI stops and removes the run as on Ctrl-C.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
      reject(new Error(`${example} did not end within ${deadlineMs / 1000}s:\n${text}`));
    }, deadlineMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, text, seconds: (Date.now() - started) / 1000 });
    });
  });
}
