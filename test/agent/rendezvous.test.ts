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

async function startServer(
  options: { idleMs?: number; heartbeatMs?: number; lostAfterMs?: number; maxPending?: number } = {},
) {
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

  it('given a registration claiming another address, when it arrives, then it is refused and logged once with the real address', async () => {
    // Given a peer that holds the token (worst case) but connects from 127.0.0.1
    const { seen, port } = await startServer();
    const sock = await open(port);
    // When it registers as node 1 at the address of some other machine, twice on one connection
    sock.write(encodeFrame(token, job, 1, 'register', { ...body, ip: '10.0.0.7' }));
    sock.write(encodeFrame(token, job, 1, 'register', { ...body, ip: '10.0.0.7' }));
    await closed(sock);
    // Then it never counts as registered, and one line names what it claimed and where it is
    expect(seen.registered).toEqual([]);
    const refusals = lines.filter((l) => l.includes('rejected connection'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(
      /rejected connection from 127\.0\.0\.1:\d+: node 1 claims address 10\.0\.0\.7 but connects from 127\.0\.0\.1/,
    );
  });

  it('given a client that trickles a byte at a time, when the registration deadline passes, then it is dropped', async () => {
    // Given a server that wants a registration within 300 ms
    const { seen, port } = await startServer({ idleMs: 300 });
    const sock = await open(port);
    // When a client sends one byte every 50 ms (never idle, never done)
    const frame = encodeFrame(token, job, 1, 'register', body);
    let i = 0;
    const drip = setInterval(() => {
      if (!sock.destroyed) sock.write(frame[i++ % frame.length] ?? ' ');
    }, 50);
    const t = Date.now();
    await closed(sock);
    clearInterval(drip);
    // Then it is dropped at the deadline, not kept alive by its trickle
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(seen.registered).toEqual([]);
    expect(lines.join('\n')).toMatch(
      /rejected connection from 127\.0\.0\.1:\d+: sent no registration within 0\.3s/,
    );
  });

  it('given the cap of waiting connections is reached, when another connects, then it is refused at once and logged once', async () => {
    // Given two connections that have not registered, with a cap of two
    const { seen, port } = await startServer({ maxPending: 2 });
    await open(port);
    await open(port);
    // When a third and a fourth connect from the same address
    const third = await open(port);
    const fourth = await open(port);
    await closed(third);
    await closed(fourth);
    // Then both are refused, one line for that address; a registered child still gets in once one leaves
    expect(lines.filter((l) => l.includes('refused connection from 127.0.0.1'))).toHaveLength(1);
    sockets[0]?.destroy();
    await expect
      .poll(async () => {
        const sock = await open(port);
        sock.write(encodeFrame(token, job, 2, 'register', body));
        await new Promise((r) => setTimeout(r, 50));
        return seen.registered;
      })
      .toEqual([2]);
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
