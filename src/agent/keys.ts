/**
 * Ed25519 key pairs in OpenSSH formats, made with node:crypto: a public key line
 * (`ssh-ed25519 AAAA… comment`) and an unencrypted `openssh-key-v1` private key file.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

/** One key pair, ready to write to disk. */
export interface SshKeyPair {
  /** `ssh-ed25519 <base64> <comment>` */
  readonly publicKey: string;
  /** PEM-armoured OpenSSH private key. */
  readonly privateKey: string;
}

const KEY_TYPE = 'ssh-ed25519';

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The SSH wire encoding of an Ed25519 public key. */
export function publicKeyBlob(publicKey: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

/** `ssh-ed25519 <base64 blob>[ comment]` for a 32-byte public key. */
export function encodePublicKey(publicKey: Buffer, comment = ''): string {
  const line = `${KEY_TYPE} ${publicKeyBlob(publicKey).toString('base64')}`;
  return comment === '' ? line : `${line} ${comment}`;
}

/** An unencrypted OpenSSH private key file for a 32-byte seed and its 32-byte public key. */
export function encodePrivateKey(
  seed: Buffer,
  publicKey: Buffer,
  comment = '',
  checkInt = randomBytes(4).readUInt32BE(),
): string {
  const parts = [
    uint32(checkInt),
    uint32(checkInt),
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ];
  let section = Buffer.concat(parts);
  // The private section is padded with 1, 2, 3, … to the cipher block size (8 for "none").
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicKeyBlob(publicKey)),
    sshString(section),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`;
}

/** PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A fresh Ed25519 key pair in OpenSSH formats: a random seed, its public key from OpenSSL.
 *
 * Not `generateKeyPairSync` + JWK export: on Node 20 that deadlocks when a garbage collection
 * during the export finalizes the key generation job, which takes the lock the export holds
 * (the agent hung at start, its main thread in futex_wait; Node 22 and 24 are fixed, the agent
 * executable is built on Node 20). Test: keys.test.ts "under GC pressure".
 */
export function generateSshKeyPair(comment = ''): SshKeyPair {
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  // SPKI DER of an Ed25519 key ends with the 32-byte public key.
  const pub = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).subarray(-32);
  return { publicKey: encodePublicKey(pub, comment), privateKey: encodePrivateKey(seed, pub, comment) };
}

/** True when `line` looks like an OpenSSH ed25519 public key (`ssh-ed25519 <base64>`), as a child sends it. */
export function isEd25519PublicKey(line: string): boolean {
  const m = /^ssh-ed25519 ([A-Za-z0-9+/]+={0,2})( [^\n]*)?$/.exec(line);
  if (m === null) return false;
  const blob = Buffer.from(m[1] ?? '', 'base64');
  return blob.length === 51 && blob.subarray(0, 15).equals(sshString(KEY_TYPE));
}
