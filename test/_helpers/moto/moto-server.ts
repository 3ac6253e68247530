/**
 * moto (an independent implementation of the AWS APIs, https://github.com/getmoto/moto) as a
 * server on loopback, for the integration tier. Each test file starts its own server on a free
 * port, so files never share state. moto is a test tool only: nothing in src/ knows it exists.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Forgets every resource of every service (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Python that has moto: MNBATCH_PYTHON, else the one scripts/setup.sh found
 * (.moto-venv/python), else python3.11 (the project's machines) or python3.
 */
export function motoPython(): string {
  const recorded = fileURLToPath(new URL('../../../.moto-venv/python', import.meta.url));
  const found = existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : undefined;
  const candidates = [process.env.MNBATCH_PYTHON, found, 'python3.11', 'python3'].filter((p): p is string =>
    Boolean(p),
  );
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' });
      return python;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `moto with its server extras is not installed for ${candidates.join(', ')}: pip install 'moto[server]' (scripts/setup.sh does this)`,
  );
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/moto-api/config`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`moto did not answer on ${url} within 60 s:\n${log()}`);
}

/** Starts moto on a free loopback port, with Batch jobs simulated in-process (no Docker). */
export async function startMoto(): Promise<MotoServer> {
  const python = motoPython();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // AWS-managed policies (AmazonEC2ContainerServiceforEC2Role, ...) exist in every account;
    // moto loads them only when asked.
    env: { ...process.env, PYTHONUNBUFFERED: '1', MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  await waitUntilUp(url, child, () => stderr);
  const config = await fetch(`${url}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ batch: { use_docker: false } }),
  });
  if (!config.ok) throw new Error(`moto config failed: ${config.status}`);
  return {
    url,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
