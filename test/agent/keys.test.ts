import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePublicKey, generateSshKeyPair, isEd25519PublicKey } from '../../src/agent/keys.js';

const dir = mkdtempSync(join(tmpdir(), 'mnbatch-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OpenSSH key encoding', () => {
  it('given a generated key pair, when ssh-keygen derives the public key from the private file, then it matches', () => {
    const pair = generateSshKeyPair('node-1');
    const file = join(dir, 'id_ed25519');
    writeFileSync(file, pair.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
    expect(derived.split(' ').slice(0, 2)).toEqual(pair.publicKey.split(' ').slice(0, 2));
    expect(pair.publicKey.endsWith(' node-1')).toBe(true);
  });

  it('given a public key line, when ssh-keygen reads it, then it is a 256-bit ED25519 key', () => {
    const pair = generateSshKeyPair();
    const file = join(dir, 'k.pub');
    writeFileSync(file, `${pair.publicKey}\n`);
    expect(execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' })).toMatch(
      /^256 SHA256:\S+ .*\(ED25519\)/,
    );
  });

  it('given a known 32-byte key, when encoded, then the wire blob has the OpenSSH layout', () => {
    const line = encodePublicKey(Buffer.alloc(32, 7));
    const blob = Buffer.from(line.split(' ')[1]!, 'base64');
    expect(blob.readUInt32BE(0)).toBe(11);
    expect(blob.subarray(4, 15).toString()).toBe('ssh-ed25519');
    expect(blob.readUInt32BE(15)).toBe(32);
    expect(blob.subarray(19)).toEqual(Buffer.alloc(32, 7));
  });

  it('given lines, when checked, then only ed25519 public keys pass', () => {
    expect(isEd25519PublicKey(generateSshKeyPair('c').publicKey)).toBe(true);
    expect(isEd25519PublicKey('ssh-ed25519 AAAA')).toBe(false);
    expect(isEd25519PublicKey('ssh-rsa AAAAB3NzaC1yc2E=')).toBe(false);
    expect(isEd25519PublicKey(`${generateSshKeyPair().publicKey}\nextra`)).toBe(false);
  });

  it('given a young generation of 1 MiB (GC pressure), when 1500 pairs are made in a row, then none hangs', async () => {
    // Node 20's generateKeyPairSync + JWK export deadlocked here within a few hundred pairs.
    const keys = resolve('src/agent/keys.ts');
    const script = `
      const { generateSshKeyPair } = await import(${JSON.stringify(keys)});
      const seen = new Set(); const junk = [];
      for (let i = 0; i < 1500; i++) {
        seen.add(generateSshKeyPair('n' + i).publicKey);
        junk.push({ i, s: String(i) }); if (junk.length > 500) junk.length = 0;
      }
      console.log('made ' + seen.size);`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--max-semi-space-size=1', '--import', 'tsx', '--input-type=module', '-e', script],
      { timeout: 90_000, killSignal: 'SIGKILL' },
    );
    expect(stdout.trim()).toBe('made 1500');
  }, 120_000);
});
