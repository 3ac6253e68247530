import { describe, expect, it } from 'vitest';
import { generateSshKeyPair } from '../../src/agent/keys.js';
import {
  canonicalJson,
  decodeFrame,
  encodeFrame,
  LineSplitter,
  MAX_FRAME_BYTES,
  MAX_MAIN_FRAME_BYTES,
} from '../../src/agent/protocol.js';

const token = 'the-per-submission-token';
const job = { jobId: 'job-1', attempt: 1 };
const hostKey = generateSshKeyPair().publicKey;
const register = { ip: '10.0.0.7', slots: 4, hostname: 'ip-10-0-0-7', hostKey };

describe('frames', () => {
  it('given a register frame, when encoded then decoded with the same token, then it round-trips', () => {
    const line = encodeFrame(token, job, 3, 'register', register, 1_700_000_000_000, 'n1');
    expect(line.endsWith('\n')).toBe(true);
    const result = decodeFrame(line.trimEnd(), token, job);
    expect(result).toEqual({
      ok: true,
      frame: {
        v: 1,
        type: 'register',
        jobId: 'job-1',
        attempt: 1,
        nodeIndex: 3,
        nonce: 'n1',
        ts: 1_700_000_000_000,
        body: register,
      },
    });
  });

  it('given keys in any order, when made canonical, then the text is the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(
      canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  const reject = (line: string, reason: RegExp) => {
    const r = decodeFrame(line, token, job);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  };

  it('given a frame signed with another token, when decoded, then it is rejected as forged', () => {
    reject(encodeFrame('not-the-token-at-all', job, 3, 'register', register).trimEnd(), /bad MAC/);
  });

  it('given a tampered body, when decoded, then the MAC no longer matches', () => {
    const frame = JSON.parse(encodeFrame(token, job, 3, 'register', register));
    frame.body.slots = 64;
    reject(JSON.stringify(frame), /bad MAC/);
    frame.body.slots = 4;
    frame.nodeIndex = 2;
    reject(JSON.stringify(frame), /bad MAC/);
  });

  it('given frames of another job or attempt, when decoded, then they are rejected', () => {
    reject(
      encodeFrame(token, { jobId: 'job-2', attempt: 1 }, 3, 'register', register).trimEnd(),
      /job job-2/,
    );
    reject(
      encodeFrame(token, { jobId: 'job-1', attempt: 2 }, 3, 'register', register).trimEnd(),
      /attempt 2/,
    );
  });

  it('given malformed input, when decoded, then each is rejected without throwing', () => {
    reject('{"v":1,', /malformed JSON/);
    reject('[1,2,3]', /not a JSON object/);
    reject('{"v":1,"type":"register"}', /missing fields/);
    const extra = JSON.parse(encodeFrame(token, job, 3, 'register', register));
    extra.more = 1;
    reject(JSON.stringify(extra), /unknown fields/);
  });

  it('given a well-signed frame with a bad body, when decoded, then the body is rejected', () => {
    reject(encodeFrame(token, job, 3, 'register', { ...register, ip: 'not-an-ip' }).trimEnd(), /register.ip/);
    reject(encodeFrame(token, job, 3, 'register', { ...register, slots: 0 }).trimEnd(), /register.slots/);
    reject(
      encodeFrame(token, job, 3, 'register', { ...register, hostKey: 'ssh-rsa AAAA' }).trimEnd(),
      /hostKey/,
    );
    reject(encodeFrame(token, job, 3, 'done', { exitCode: 1.5 }).trimEnd(), /exitCode/);
    reject(encodeFrame(token, job, 3, 'unknown' as 'ping', {}).trimEnd(), /unknown frame type/);
  });

  it('given a run frame for 1,000 nodes, when a child decodes it, then the main-node limit (not 64 KiB) applies', () => {
    const knownHosts = Array.from(
      { length: 1000 },
      (_, i) => `[10.0.${i >> 8}.${i & 255}]:2222 ${hostKey}\n`,
    ).join('');
    const hosts = Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}\n`).join('');
    const run = { rank: 3, numNodes: 1000, mainIp: '10.0.0.0', hostfiles: { hosts }, knownHosts };
    const line = encodeFrame(token, job, 0, 'run', run).trimEnd();
    expect(line.length).toBeGreaterThan(MAX_FRAME_BYTES);
    expect(decodeFrame(line, token, job, MAX_MAIN_FRAME_BYTES)).toMatchObject({
      ok: true,
      frame: { body: run },
    });
    expect(decodeFrame(line, token, job)).toEqual({ ok: false, reason: 'frame too large' });
  });

  it('given a frame over the size limit, when decoded, then it is rejected before parsing', () => {
    reject(`{"x":"${'a'.repeat(MAX_FRAME_BYTES)}"}`, /too large/);
  });
});

describe('LineSplitter', () => {
  it('given lines split across chunks, when pushed, then whole lines come out', () => {
    const s = new LineSplitter(100);
    expect(s.push(Buffer.from('ab'))).toEqual({ lines: [], oversized: false });
    expect(s.push(Buffer.from('c\nde\nf'))).toEqual({ lines: ['abc', 'de'], oversized: false });
    expect(s.push(Buffer.from('g\n'))).toEqual({ lines: ['fg'], oversized: false });
  });

  it('given a line longer than the limit without a newline, when pushed, then it is flagged oversized', () => {
    const s = new LineSplitter(10);
    expect(s.push(Buffer.from('12345')).oversized).toBe(false);
    expect(s.push(Buffer.from('678901')).oversized).toBe(true);
  });
});
