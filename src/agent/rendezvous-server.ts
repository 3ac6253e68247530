/**
 * The main node's side of the rendezvous: a TCP server that authenticates children's frames,
 * binds each connection to one node index, and reports registrations, frames and losses.
 * Bad input is rejected and logged, never thrown: a stray or hostile peer cannot stop the job.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { RENDEZVOUS_TIMING } from '../contract/agent-env.js';
import { errorMessage } from './errors.js';
import type { Logger } from './log.js';
import {
  type Bodies,
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameType,
  type JobIdentity,
  LineSplitter,
} from './protocol.js';

/** What the main node learns from the server. */
export interface ServerEvents {
  /** A child registered (its connection is now bound to `index`). */
  onRegister(index: number, body: Bodies['register'], remote: string): void;
  /** A frame other than register/ping from a registered child. */
  onFrame(index: number, frame: Frame): void;
  /** A registered child's connection ended. */
  onDisconnect(index: number, reason: string): void;
}

export interface ServerOptions {
  readonly token: string;
  readonly job: JobIdentity;
  readonly mainIndex: number;
  readonly numNodes: number;
  readonly log: Logger;
  /**
   * A connection must have registered this long after it was accepted, however slowly it
   * trickles bytes in; otherwise it is dropped.
   */
  readonly idleMs?: number;
  /** Connections that have not registered yet, at most; more are refused at once. */
  readonly maxPending?: number;
  /** How often the main node pings each child. */
  readonly heartbeatMs?: number;
  /** A child silent for this long is considered lost (covers hosts that vanish without a FIN). */
  readonly lostAfterMs?: number;
}

interface Peer {
  readonly socket: Socket;
  lastSeen: number;
}

/** The main node's rendezvous server. */
export class RendezvousServer {
  private readonly server: Server;
  private readonly peers = new Map<number, Peer>();
  private readonly sockets = new Set<Socket>();
  private readonly seenNonces = new Set<string>();
  /** Connections not yet bound to a node. */
  private pending = 0;
  /** Addresses already logged as refused for the pending cap (a connect loop logs once). */
  private readonly refusedForCap = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: ServerOptions,
    private readonly events: ServerEvents,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Starts listening; a large backlog lets a busy main node queue children instead of refusing them. */
  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: 4096 }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    // Only now: a failed listen is the caller's error to report, once.
    this.server.on('error', (e) => this.options.log.error(`rendezvous server: ${errorMessage(e)}`));
    const every = this.options.heartbeatMs ?? RENDEZVOUS_TIMING.heartbeatMs;
    const lostAfter = this.options.lostAfterMs ?? RENDEZVOUS_TIMING.lostAfterMs;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const [index, peer] of this.peers) {
        if (now - peer.lastSeen > lostAfter) {
          this.drop(index, `no message for ${Math.round((now - peer.lastSeen) / 1000)}s`);
        } else {
          this.send(index, 'ping', {});
        }
      }
    }, every);
    this.heartbeat.unref();
  }

  /** The port listened on (useful when listening on port 0). */
  port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  /** Indices of children connected now. */
  connected(): number[] {
    return [...this.peers.keys()];
  }

  /** Sends one frame to a registered child; false when it is not connected. */
  send<T extends FrameType>(index: number, type: T, body: Bodies[T]): boolean {
    const peer = this.peers.get(index);
    if (peer === undefined || peer.socket.destroyed) return false;
    peer.socket.write(encodeFrame(this.options.token, this.options.job, this.options.mainIndex, type, body));
    return true;
  }

  /** Closes a child's connection after flushing what was sent (without reporting it as lost). */
  end(index: number): void {
    const peer = this.peers.get(index);
    if (peer === undefined) return;
    this.peers.delete(index);
    peer.socket.end();
  }

  /** Resolves when every registered child has closed its connection, or after `ms`. */
  async drained(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.peers.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private drop(index: number, reason: string): void {
    const peer = this.peers.get(index);
    if (peer === undefined) return;
    this.peers.delete(index);
    peer.socket.destroy();
    this.events.onDisconnect(index, reason);
  }

  private accept(socket: Socket): void {
    const { log, token, job, mainIndex, numNodes } = this.options;
    const peerIp = plainIpv4(socket.remoteAddress ?? '');
    const remote = `${peerIp}:${socket.remotePort}`;
    const maxPending = this.options.maxPending ?? 128;
    if (this.pending >= maxPending) {
      // A flood of idle connections must not keep the real children out for long: they retry.
      if (!this.refusedForCap.has(peerIp)) {
        this.refusedForCap.add(peerIp);
        log.warn(
          `refused connection from ${remote}: ${maxPending} connections are waiting to register already`,
        );
      }
      socket.destroy();
      return;
    }
    this.pending++;
    this.sockets.add(socket);
    socket.setKeepAlive(true, RENDEZVOUS_TIMING.keepAliveMs);
    const splitter = new LineSplitter();
    let bound: number | undefined;
    let refused = false;
    const registerMs = this.options.idleMs ?? 10_000;
    // An absolute deadline, not an idle timer: a byte a second would reset an idle timer forever.
    const registerDeadline = setTimeout(
      () => reject(`sent no registration within ${registerMs / 1000}s`),
      registerMs,
    );
    registerDeadline.unref();
    const reject = (reason: string) => {
      // Once per connection: whatever else it sent after the first refusal is not news.
      if (!refused) {
        refused = true;
        log.warn(
          `rejected connection from ${remote}${bound === undefined ? '' : ` (node ${bound})`}: ${reason}`,
        );
      }
      clearTimeout(registerDeadline);
      if (bound !== undefined && this.peers.get(bound)?.socket === socket)
        this.drop(bound, `rejected: ${reason}`);
      socket.destroy();
    };
    socket.on('error', (e) => log.debug(`connection from ${remote}: ${errorMessage(e)}`));
    socket.on('close', () => {
      clearTimeout(registerDeadline);
      if (bound === undefined) this.pending--;
      this.sockets.delete(socket);
      if (bound !== undefined && this.peers.get(bound)?.socket === socket)
        this.drop(bound, 'connection closed');
    });
    socket.on('data', (chunk: Buffer) => {
      if (refused) return;
      try {
        const { lines, oversized } = splitter.push(chunk);
        for (const line of lines) {
          if (socket.destroyed) return;
          const result = decodeFrame(line, token, job);
          if (!result.ok) return reject(result.reason);
          const frame = result.frame;
          if (bound === undefined) {
            if (frame.type !== 'register') return reject(`first frame is ${frame.type}, expected register`);
            const i = frame.nodeIndex;
            if (i < 0 || i >= numNodes) return reject(`node index ${i} out of range 0..${numNodes - 1}`);
            if (i === mainIndex) return reject(`node index ${i} is the main node's`);
            if (this.seenNonces.has(frame.nonce)) return reject(`replayed registration of node ${i}`);
            this.seenNonces.add(frame.nonce);
            if (this.peers.has(i))
              return reject(`duplicate registration of node ${i} (already connected; keeping the first)`);
            const claimed = (frame.body as Bodies['register']).ip;
            // Whoever holds the token still cannot pose as another address: mpirun and ssh
            // would go to the address claimed, so it must be the one the connection comes from.
            if (claimed !== peerIp)
              return reject(`node ${i} claims address ${claimed} but connects from ${peerIp}`);
            bound = i;
            this.pending--;
            clearTimeout(registerDeadline);
            this.peers.set(i, { socket, lastSeen: Date.now() });
            this.events.onRegister(i, frame.body as Bodies['register'], remote);
            continue;
          }
          if (frame.nodeIndex !== bound)
            return reject(`frame claims node ${frame.nodeIndex} on node ${bound}'s connection`);
          const peer = this.peers.get(bound);
          if (peer !== undefined) peer.lastSeen = Date.now();
          if (frame.type === 'ping') continue;
          if (frame.type === 'register') return reject(`node ${bound} registered twice on one connection`);
          this.events.onFrame(bound, frame);
        }
        if (oversized) reject('frame larger than 64 KiB');
      } catch (e) {
        reject(`internal error: ${errorMessage(e)}`);
      }
    });
  }
}

/** `1.2.3.4` for an IPv4 peer, also when the socket reports it as `::ffff:1.2.3.4`. */
export function plainIpv4(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
