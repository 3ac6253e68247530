/**
 * A child's side of the rendezvous: connect to the main node (retrying with capped backoff while
 * it is not listening), register, wait for the welcome, then keep the connection for the whole run.
 */
import { connect, type Socket } from 'node:net';
import { RENDEZVOUS_TIMING } from '../contract/agent-env.js';
import { backoffDelay } from './backoff.js';
import { AgentError, errorMessage } from './errors.js';
import type { Logger } from './log.js';
import {
  type Bodies,
  decodeFrame,
  encodeFrame,
  type Frame,
  type FrameType,
  type JobIdentity,
  LineSplitter,
  MAX_MAIN_FRAME_BYTES,
} from './protocol.js';

export interface ClientOptions {
  readonly token: string;
  readonly job: JobIdentity;
  readonly nodeIndex: number;
  readonly mainIndex: number;
  readonly host: string;
  readonly port: number;
  /** This node's own address, bound as the connection's source: the main node checks it against the registration. */
  readonly localAddress?: string;
  /** Epoch ms after which the child gives up reaching the main node. */
  readonly deadline: number;
  readonly log: Logger;
  readonly heartbeatMs?: number;
  readonly lostAfterMs?: number;
}

/** The main node's answer to a registration: the welcome, or an order to exit. */
export type Welcome = Bodies['welcome'] | { readonly exit: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child's registered connection to the main node. */
export class RendezvousClient {
  private socket: Socket | undefined;
  private handler: (frame: Frame) => void = () => {};
  private closeReason: ((reason: string) => void) | undefined;
  /** Settles with a reason when the connection ends (after the welcome). */
  readonly closed: Promise<string>;

  constructor(private readonly options: ClientOptions) {
    this.closed = new Promise((resolve) => {
      this.closeReason = resolve;
    });
  }

  /** Registers with the main node; resolves with the welcome (or an exit order), or throws AgentError('bringUp') at the deadline. */
  async register(body: Bodies['register']): Promise<Welcome> {
    const { log, host, port, deadline } = this.options;
    let lastProblem = 'not tried';
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const outcome = await this.tryOnce(body, deadline);
      if (typeof outcome !== 'string') return outcome;
      lastProblem = outcome;
      if (attempt === 0) log.info(`main node ${host}:${port} not reachable yet (${outcome}); retrying`);
      else log.debug(`attempt ${attempt + 1} to reach ${host}:${port}: ${outcome}`);
      await sleep(Math.min(backoffDelay(attempt), Math.max(0, deadline - Date.now())));
    }
    throw new AgentError(
      'bringUp',
      `could not register with the main node ${host}:${port} before the deadline: ${lastProblem}`,
    );
  }

  /** Handles every frame after the welcome. */
  onFrame(handler: (frame: Frame) => void): void {
    this.handler = handler;
  }

  /** Sends a frame to the main node. */
  send<T extends FrameType>(type: T, body: Bodies[T]): void {
    const s = this.socket;
    if (s === undefined || s.destroyed) return;
    s.write(encodeFrame(this.options.token, this.options.job, this.options.nodeIndex, type, body));
  }

  /** Closes the connection (after flushing). */
  close(): void {
    this.socket?.end();
  }

  private tryOnce(body: Bodies['register'], deadline: number): Promise<Welcome | string> {
    const { token, job, nodeIndex, mainIndex, host, port, log } = this.options;
    return new Promise((resolve) => {
      const from = this.options.localAddress;
      const socket = connect({ host, port, noDelay: true, ...(from ? { localAddress: from } : {}) });
      const splitter = new LineSplitter(MAX_MAIN_FRAME_BYTES);
      let welcomed = false;
      let lastSeen = Date.now();
      let heartbeat: NodeJS.Timeout | undefined;
      const settle = (v: Welcome | string) => {
        if (!welcomed) resolve(v);
      };
      const giveUp = setTimeout(
        () => {
          settle('no welcome before the deadline');
          socket.destroy();
        },
        Math.max(0, deadline - Date.now()),
      );
      socket.on('connect', () => {
        socket.setKeepAlive(true, RENDEZVOUS_TIMING.keepAliveMs);
        socket.write(encodeFrame(token, job, nodeIndex, 'register', body));
      });
      socket.on('error', (e) => {
        if (welcomed) log.debug(`connection to main node: ${errorMessage(e)}`);
        else settle(errorMessage(e));
      });
      socket.on('close', () => {
        clearTimeout(giveUp);
        clearInterval(heartbeat);
        if (welcomed) this.closeReason?.('connection to the main node closed');
        else settle('connection closed before the welcome');
      });
      socket.on('data', (chunk: Buffer) => {
        const { lines, oversized } = splitter.push(chunk);
        for (const line of lines) {
          const result = decodeFrame(line, token, job, MAX_MAIN_FRAME_BYTES);
          if (!result.ok || result.frame.nodeIndex !== mainIndex) {
            log.warn(`ignored a frame from the main node: ${result.ok ? 'wrong sender' : result.reason}`);
            continue;
          }
          lastSeen = Date.now();
          const frame = result.frame;
          if (!welcomed) {
            if (frame.type === 'exit') {
              // Told to stop before the welcome (the main node gave up on bring-up).
              welcomed = true;
              clearTimeout(giveUp);
              resolve({ exit: (frame.body as Bodies['exit']).reason });
              socket.end();
              continue;
            }
            if (frame.type !== 'welcome') continue;
            welcomed = true;
            clearTimeout(giveUp);
            this.socket = socket;
            const every = this.options.heartbeatMs ?? RENDEZVOUS_TIMING.heartbeatMs;
            const lostAfter = this.options.lostAfterMs ?? RENDEZVOUS_TIMING.lostAfterMs;
            heartbeat = setInterval(() => {
              if (Date.now() - lastSeen > lostAfter) {
                log.warn(`no message from the main node for ${Math.round((Date.now() - lastSeen) / 1000)}s`);
                socket.destroy();
              } else {
                this.send('ping', {});
              }
            }, every);
            heartbeat.unref();
            resolve(frame.body as Bodies['welcome']);
            continue;
          }
          if (frame.type !== 'ping') this.handler(frame);
        }
        if (oversized) {
          log.warn('main node sent a frame larger than 16 MiB; closing');
          socket.destroy();
        }
      });
    });
  }
}
