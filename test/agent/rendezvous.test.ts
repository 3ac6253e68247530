/** The rendezvous server and client over real loopback sockets, with short timeouts. */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSshKeyPair } from '../../src/agent/keys.js';
import { createLogger } from '../../src/agent/log.js';
import { type Bodies, encodeFrame, type Frame } from '../../src/agent/protocol.js';
import { RendezvousClient } from '../../src/agent/rendezvous-client.js';
import { RendezvousServer } from '../../src/agent/rendezvous-server.js';

const token = 'rendezvous-test-token-0123';
const job = { jobId: 'job-r', attempt: 1 };
const body = { ip: '127.0.0.1', slots: 1, hostname: 'h', hostKey: generateSshKeyPair().publicKey };

let lines: string[] = [];
let server: RendezvousServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.length = 0;
  await server?.close();
  server = undefined;
  lines = [];
});

interface Seen {
  registered: number[];
  frames: [number, Frame['type']][];
  lost: [number, string][];
}

async function startServer(options: { idleMs?: number; heartbeatMs?: number; lostAfterMs?: number } = {}) {
  const seen: Seen = { registered: [], frames: [], lost: [] };
  const log = createLogger('[t]', 'debug', (l) => lines.push(l));
  const s = new RendezvousServer(
    { token, job, mainIndex: 0, numNodes: 4, log, ...options },
    {
      onRegister: (i) => seen.registered.push(i),
      onFrame: (i, f) => seen.frames.push([i, f.type]),
      onDisconnect: (i, reason) => seen.lost.push([i, reason]),
    },
  );
  await s.listen('127.0.0.1', 0);
  server = s;
  return { s, seen, port: s.port() };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port }, () => resolve(sock));
    sockets.push(sock);
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.on('close', () => r())));

describe('RendezvousServer', () => {
  it('given a connection that sends nothing, when the idle timeout passes, then it is dropped and logged', async () => {
    const { port } = await startServer({ idleMs: 150 });
    const sock = await open(port);
    await closed(sock);
    expect(lines.join('')).toMatch(
      /rejected connection from 127\.0\.0\.1:\d+: sent no registration within 0\.15s/,
    );
  });

  it('given a second registration of a connected index, when it arrives, then the first connection is kept', async () => {
    const { seen, port } = await startServer();
    const first = await open(port);
    first.write(encodeFrame(token, job, 2, 'register', body));
    await expect.poll(() => seen.registered).toEqual([2]);
    const second = await open(port);
    second.write(encodeFrame(token, job, 2, 'register', body));
    await closed(second);
    expect(lines.join('')).toContain(
      'duplicate registration of node 2 (already connected; keeping the first)',
    );
    expect(first.destroyed).toBe(false);
    expect(seen.lost).toEqual([]);
    first.write(encodeFrame(token, job, 2, 'ready', {}));
    await expect.poll(() => seen.frames).toEqual([[2, 'ready']]);
  });

  it('given a replayed registration, when the original has left, then the replay is refused', async () => {
    const { seen, port } = await startServer();
    const frame = encodeFrame(token, job, 3, 'register', body);
    const first = await open(port);
    first.write(frame);
    await expect.poll(() => seen.registered).toEqual([3]);
    first.destroy();
    await expect.poll(() => seen.lost).toEqual([[3, 'connection closed']]);
    const replay = await open(port);
    replay.write(frame);
    await closed(replay);
    expect(lines.join('')).toContain('replayed registration of node 3');
  });

  it('given a registered child that claims another index, when it sends a frame, then it is dropped as lost', async () => {
    const { seen, port } = await startServer();
    const sock = await open(port);
    sock.write(encodeFrame(token, job, 1, 'register', body));
    await expect.poll(() => seen.registered).toEqual([1]);
    sock.write(encodeFrame(token, job, 2, 'done', { exitCode: 0 }));
    await closed(sock);
    expect(seen.lost[0]?.[1]).toContain("frame claims node 2 on node 1's connection");
  });

  it('given a child that goes silent without closing, when no message comes for the loss window, then it is reported lost', async () => {
    const { seen, port } = await startServer({ heartbeatMs: 50, lostAfterMs: 200 });
    const sock = await open(port);
    sock.write(encodeFrame(token, job, 1, 'register', body));
    await expect
      .poll(() => seen.lost, { timeout: 3_000 })
      .toEqual([[1, expect.stringMatching(/^no message for \ds$/)]]);
  });
});

describe('RendezvousClient', () => {
  it('given a main node that starts listening late, when a child registers, then it retries until it is welcomed', async () => {
    const log = createLogger('[c]', 'debug', (l) => lines.push(l));
    // Find a free port, then leave it closed for a while.
    const probe = await startServer();
    const port = probe.port;
    await probe.s.close();
    server = undefined;
    const client = new RendezvousClient({
      token,
      job,
      nodeIndex: 1,
      mainIndex: 0,
      host: '127.0.0.1',
      port,
      deadline: Date.now() + 10_000,
      log,
    });
    const welcome = client.register(body);
    await new Promise((r) => setTimeout(r, 300));
    const userPublicKey = generateSshKeyPair().publicKey;
    const main = new RendezvousServer(
      { token, job, mainIndex: 0, numNodes: 2, log },
      {
        onRegister: (i) => main.send(i, 'welcome', { userPublicKey }),
        onFrame: () => {},
        onDisconnect: () => {},
      },
    );
    await main.listen('127.0.0.1', port);
    server = main;
    expect(await welcome).toEqual({ userPublicKey } satisfies Bodies['welcome']);
    expect(lines.join('')).toMatch(/main node 127\.0\.0\.1:\d+ not reachable yet \(connect ECONNREFUSED/);
    client.close();
  });

  it('given no main node at all, when the deadline passes, then registration fails with a bring-up error', async () => {
    const probe = await startServer();
    const port = probe.port;
    await probe.s.close();
    server = undefined;
    const client = new RendezvousClient({
      token,
      job,
      nodeIndex: 1,
      mainIndex: 0,
      host: '127.0.0.1',
      port,
      deadline: Date.now() + 400,
      log: createLogger('[c]', 'info', (l) => lines.push(l)),
    });
    await expect(client.register(body)).rejects.toMatchObject({
      exitCode: 202,
      message: expect.stringContaining('could not register with the main node'),
    });
  });
});
