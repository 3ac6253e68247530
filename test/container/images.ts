/**
 * Builds what the Docker end-to-end tests need, once per machine and state: the registry-free
 * base image (container/make-base-image.sh), the agent executable (when src/agent changed),
 * the agent image and the hello-mpi image (Docker's cache makes repeats quick). Test files
 * running in parallel take turns through a lock directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocker } from '../../src/local/docker.js';
import { ensureAgentImage, ensureJobImage } from '../../src/local/images.js';
import { mnbatchVersion } from '../../src/version.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const HELLO_IMAGE = 'mnbatch-examples/hello-mpi:latest';
export const AGENT_TAG = `mnbatch/agent:${mnbatchVersion()}`;
export const AGENT_EXECUTABLE = join(REPO, 'dist', 'agent-bundle', 'mnbatch-agent');

const LOCK = join(tmpdir(), 'mnbatch-test-images.lock');
const STALE_LOCK_MS = 20 * 60_000;

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

function mtimeOrZero(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

async function withLock<T>(body: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() - mtimeOrZero(LOCK) > STALE_LOCK_MS) rmdirSync(LOCK);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await body();
  } finally {
    rmdirSync(LOCK);
  }
}

/** Makes every image the end-to-end tests use; returns when they exist. */
export async function ensureTestImages(): Promise<void> {
  await withLock(async () => {
    const docker = createDocker();
    await docker.check();
    execFileSync('bash', [join(REPO, 'container', 'make-base-image.sh')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const sources = ['src/agent', 'src/contract', 'scripts/build-agent.ts'].map((p) =>
      newestMtime(join(REPO, p)),
    );
    if (mtimeOrZero(AGENT_EXECUTABLE) < Math.max(...sources)) {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts'], {
        cwd: REPO,
        stdio: 'pipe',
      });
    }
    const say = () => {};
    await ensureAgentImage(docker, { packageRoot: REPO, version: mnbatchVersion(), say });
    await ensureJobImage(docker, {
      image: HELLO_IMAGE,
      build: { context: '.', args: {} },
      dir: join(REPO, 'examples', 'hello-mpi'),
      allowBuild: true,
      say,
    });
  });
}
