import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
