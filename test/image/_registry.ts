/**
 * A real Distribution registry (Debian's docker-registry) on 127.0.0.1 for the push tests: a free
 * port, a config, htpasswd and storage in a temp dir, basic auth with user AWS (as ECR's logins),
 * the access log kept so tests can see every request the registry received.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoopbackRegistry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly username: string;
  readonly password: string;
  /** Everything the registry logged so far (its access log is on stderr). */
  log(): string;
  /** The registry's digest of the manifest `repository:reference`, or undefined when it has none. */
  manifestDigest(repository: string, reference: string): Promise<string | undefined>;
  /** The tags of `repository` (empty when it does not exist). */
  tags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A bcrypt hash for htpasswd (the registry accepts only bcrypt), made by the system's crypt(3). */
function bcrypt(password: string): string {
  return execFileSync(
    'python3',
    [
      '-W',
      'ignore',
      '-c',
      'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))',
      password,
    ],
    { encoding: 'utf8' },
  ).trim();
}

/** Starts the registry; resolves once it answers on /v2/. */
export async function startRegistry(): Promise<LoopbackRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const username = 'AWS';
  const password = `pw-${process.pid}-${port}`;
  writeFileSync(join(dir, 'htpasswd'), `${username}:${bcrypt(password)}\n`);
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: info}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "${host}"}`,
      `auth: {htpasswd: {realm: mnbatch-test, path: ${join(dir, 'htpasswd')}}}`,
      '',
    ].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (log += String(d)));
  child.stderr?.on('data', (d) => (log += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const get = (path: string, method = 'GET') =>
    fetch(`http://${host}${path}`, { method, headers: { Authorization: auth, Accept: MANIFEST_TYPES } });

  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await fetch(`http://${host}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`docker-registry did not start on ${host}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    username,
    password,
    log: () => log,
    async manifestDigest(repository, reference) {
      const r = await get(`/v2/${repository}/manifests/${reference}`, 'HEAD');
      return r.ok ? (r.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    async tags(repository) {
      const r = await get(`/v2/${repository}/tags/list`);
      if (!r.ok) return [];
      return ((await r.json()) as { tags?: string[] | null }).tags ?? [];
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
