/**
 * The rendezvous protocol between children and the main node: newline-delimited JSON frames,
 * each authenticated with HMAC-SHA256 over its canonical form using the per-submission token.
 * Pure encode/decode; the sockets live in rendezvous-server.ts and rendezvous-client.ts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIpv4 } from './config.js';
import { isEd25519PublicKey } from './keys.js';

/** Protocol version carried in every frame. */
export const PROTOCOL_VERSION = 1;
/** Longest frame the main node accepts from a child, newline excluded; a longer one drops the connection. */
export const MAX_FRAME_BYTES = 64 * 1024;
/**
 * Longest frame a child accepts from the main node: `run` carries the hostfiles and known_hosts
 * of the whole job (about 200 bytes per node), so 1,000 nodes need more than 64 KiB.
 */
export const MAX_MAIN_FRAME_BYTES = 16 * 1024 * 1024;

/** Message bodies by type. */
export interface Bodies {
  /** child → main: who I am. */
  register: { ip: string; slots: number; hostname: string; hostKey: string };
  /** main → child: authorize this user key. */
  welcome: { userPublicKey: string };
  /** child → main: sshd is up and the user key is authorized. */
  ready: Record<string, never>;
  /** main → child (`launch: each`): run the command now, with this view of the job. */
  run: {
    rank: number;
    numNodes: number;
    mainIp: string;
    hostfiles: Record<string, string>;
    knownHosts: string;
  };
  /** child → main (`launch: each`): the command ended. */
  done: { exitCode: number };
  /** main → child: the job is over (or failed); stop and exit. */
  exit: { reason: string };
  /** either way: still alive. */
  ping: Record<string, never>;
}

export type FrameType = keyof Bodies;

/** One authenticated message. */
export interface Frame<T extends FrameType = FrameType> {
  readonly v: number;
  readonly type: T;
  readonly jobId: string;
  readonly attempt: number;
  readonly nodeIndex: number;
  readonly nonce: string;
  readonly ts: number;
  readonly body: Bodies[T];
}

/** The job a connection belongs to; frames of any other job are rejected. */
export interface JobIdentity {
  readonly jobId: string;
  readonly attempt: number;
}

/** JSON with object keys sorted at every level, so both sides MAC the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function mac(token: string, frame: Frame): string {
  return createHmac('sha256', token).update(canonicalJson(frame)).digest('hex');
}

/** A frame as one line (with the trailing newline), MAC included. */
export function encodeFrame<T extends FrameType>(
  token: string,
  job: JobIdentity,
  nodeIndex: number,
  type: T,
  body: Bodies[T],
  now = Date.now(),
  nonce = randomBytes(12).toString('hex'),
): string {
  const frame: Frame<T> = {
    v: PROTOCOL_VERSION,
    type,
    jobId: job.jobId,
    attempt: job.attempt,
    nodeIndex,
    nonce,
    ts: now,
    body,
  };
  return `${JSON.stringify({ ...frame, mac: mac(token, frame) })}\n`;
}

export type DecodeResult =
  | { readonly ok: true; readonly frame: Frame }
  | { readonly ok: false; readonly reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;

function bodyProblem(type: FrameType, b: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'register':
      if (!isStr(b.ip) || !isIpv4(b.ip)) return 'register.ip is not an IPv4 address';
      if (!isInt(b.slots) || b.slots < 1) return 'register.slots is not a positive integer';
      if (!isStr(b.hostname, 255)) return 'register.hostname is not a string';
      if (!isStr(b.hostKey) || !isEd25519PublicKey(b.hostKey))
        return 'register.hostKey is not an ssh-ed25519 key';
      return undefined;
    case 'welcome':
      return isStr(b.userPublicKey) && isEd25519PublicKey(b.userPublicKey)
        ? undefined
        : 'welcome.userPublicKey is not an ssh-ed25519 key';
    case 'run':
      if (
        !isInt(b.rank) ||
        !isInt(b.numNodes) ||
        !isStr(b.mainIp) ||
        !isStr(b.knownHosts, MAX_MAIN_FRAME_BYTES)
      ) {
        return 'run body is malformed';
      }
      return isObject(b.hostfiles) && Object.values(b.hostfiles).every((v) => isStr(v, MAX_MAIN_FRAME_BYTES))
        ? undefined
        : 'run.hostfiles is malformed';
    case 'done':
      return isInt(b.exitCode) ? undefined : 'done.exitCode is not an integer';
    case 'exit':
      return isStr(b.reason) ? undefined : 'exit.reason is not a string';
    case 'ready':
    case 'ping':
      return undefined;
  }
}

const TYPES: readonly FrameType[] = ['register', 'welcome', 'ready', 'run', 'done', 'exit', 'ping'];

/** Parses, authenticates and checks one line; never throws. */
export function decodeFrame(
  line: string,
  token: string,
  job: JobIdentity,
  maxBytes = MAX_FRAME_BYTES,
): DecodeResult {
  if (Buffer.byteLength(line) > maxBytes) return { ok: false, reason: 'frame too large' };
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
  if (!isObject(raw)) return { ok: false, reason: 'frame is not a JSON object' };
  const { mac: given, ...rest } = raw;
  const { v, type, jobId, attempt, nodeIndex, nonce, ts, body } = rest;
  if (
    !isInt(v) ||
    !isStr(type) ||
    !isStr(jobId) ||
    !isInt(attempt) ||
    !isInt(nodeIndex) ||
    !isStr(nonce, 128) ||
    !isInt(ts) ||
    !isObject(body) ||
    !isStr(given, 128)
  ) {
    return { ok: false, reason: 'frame is missing fields' };
  }
  if (Object.keys(rest).length !== 8) return { ok: false, reason: 'frame has unknown fields' };
  const frame = rest as unknown as Frame;
  const expected = Buffer.from(mac(token, frame), 'hex');
  const actual = Buffer.from(given, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: 'bad MAC (wrong token or forged frame)' };
  }
  if (v !== PROTOCOL_VERSION)
    return { ok: false, reason: `protocol version ${v}, expected ${PROTOCOL_VERSION}` };
  if (!(TYPES as readonly string[]).includes(type))
    return { ok: false, reason: `unknown frame type "${type}"` };
  if (jobId !== job.jobId) return { ok: false, reason: `frame for job ${jobId}, this is ${job.jobId}` };
  if (attempt !== job.attempt)
    return { ok: false, reason: `frame for attempt ${attempt}, this is attempt ${job.attempt}` };
  const problem = bodyProblem(type as FrameType, body);
  if (problem !== undefined) return { ok: false, reason: problem };
  return { ok: true, frame };
}

/**
 * Splits a byte stream into lines, refusing any line longer than the limit
 * (so a peer cannot make the main node buffer without bound).
 */
export class LineSplitter {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Lines completed by `chunk`; `oversized` when the current line exceeds the limit. */
  push(chunk: Buffer): { lines: string[]; oversized: boolean } {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      if (this.size + part.length > this.maxBytes) return { lines, oversized: true };
      this.buffered.push(part);
      lines.push(Buffer.concat(this.buffered).toString('utf8'));
      this.buffered = [];
      this.size = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (this.size + rest.length > this.maxBytes) return { lines, oversized: true };
    if (rest.length > 0) {
      this.buffered.push(rest);
      this.size += rest.length;
    }
    return { lines, oversized: false };
  }
}
