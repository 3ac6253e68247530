import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EFA_INSTALLER, type EfaInstallerPin, efaInstallerTarball } from '../../src/infra/efa-installer.js';
import { efaDriverScript } from '../../src/infra/user-data.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-efa-'));
  made.push(dir);
  return dir;
}

/**
 * Runs the boot script as an instance would, with curl and modprobe replaced: curl "downloads"
 * from a local folder and logs the URL, the tarball's efa_installer.sh logs that it ran.
 */
function bootWith(pin: EfaInstallerPin, tarballBytes: (dir: string) => Buffer) {
  const root = tempDir();
  const bin = join(root, 'bin');
  const served = join(root, 'served');
  const log = join(root, 'log');
  mkdirSync(bin);
  mkdirSync(served);
  writeFileSync(log, '');
  const fake = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  fake('modprobe', 'exit 1');
  fake('curl', `url="\${!#}"; echo "curl $*" >> "${log}"; cp "${served}/\${url##*/}" .`);
  writeFileSync(join(served, efaInstallerTarball(pin)), tarballBytes(root));
  const run = spawnSync('bash', ['-s'], {
    input: efaDriverScript(pin),
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, TMPDIR: root, LOG: log },
  });
  return { ...run, log: readFileSync(log, 'utf8') };
}

/** A tarball laid out like AWS's: aws-efa-installer/efa_installer.sh (which here only logs). */
function fakeInstaller(root: string): Buffer {
  const src = join(root, 'src', 'aws-efa-installer');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'efa_installer.sh'), '#!/bin/bash\necho "installer $*" >> "$LOG"\n');
  chmodSync(join(src, 'efa_installer.sh'), 0o755);
  return execFileSync('tar', ['-czf', '-', '-C', join(root, 'src'), 'aws-efa-installer']);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('EFA installer at boot: a pinned version, checked before it runs', () => {
  it.skipIf(existsSync('/dev/infiniband/uverbs0'))(
    'given the tarball with the pinned SHA-256, then it downloads that version and runs its installer',
    () => {
      const bytes = fakeInstaller(tempDir());
      const pin = { version: '9.8.7', sha256: sha256(bytes) };
      const r = bootWith(pin, () => bytes);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.log).toBe(
        'curl -sfO https://efa-installer.amazonaws.com/aws-efa-installer-9.8.7.tar.gz\ninstaller -y --minimal\n',
      );
    },
  );

  it.skipIf(existsSync('/dev/infiniband/uverbs0'))(
    'given a tarball whose SHA-256 differs, then the boot script fails saying so and runs nothing of it',
    () => {
      const pin = { version: '9.8.7', sha256: 'a'.repeat(64) };
      const r = bootWith(pin, fakeInstaller);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `mnbatch: aws-efa-installer-9.8.7.tar.gz does not have the pinned SHA-256 ${'a'.repeat(64)}: not installing EFA\n`,
      );
      expect(r.log).not.toMatch(/^installer /m);
    },
  );

  it('pins a named version with a SHA-256, never "latest"', () => {
    expect(EFA_INSTALLER.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(EFA_INSTALLER.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(efaDriverScript()).not.toContain('latest');
    expect(efaDriverScript()).toContain(`aws-efa-installer-${EFA_INSTALLER.version}.tar.gz`);
  });

  it('refuses a pin that is not a version and a SHA-256 (nothing to splice into a shell script)', () => {
    expect(() => efaDriverScript({ version: '1.0.0; rm -rf /', sha256: 'a'.repeat(64) })).toThrow(/X\.Y\.Z/);
    expect(() => efaDriverScript({ version: '1.0.0', sha256: 'not-hex' })).toThrow(/64 hex digits/);
  });
});
