/**
 * The main node: rendezvous server, job user key, bring-up with a deadline, then the launch
 * (mpirun, the command alone, or the command on every node) and the end of the job.
 */
import { AGENT_ENV } from '../contract/agent-env.js';
import { AGENT_EXIT, describeExitCode, signalExitCode } from '../contract/exit-codes.js';
import { plural } from '../contract/words.js';
import { type NodeInfo, orderNodes } from './cluster.js';
import { AgentError, errorMessage } from './errors.js';
import { jobView, writeJobFiles } from './job-files.js';
import { generateSshKeyPair } from './keys.js';
import { Events } from './main-events.js';
import { launch } from './main-launch.js';
import { chooseMpi, type MpiChoice, probeMpirun } from './mpi-detect.js';
import { launchSshd, type NodeContext, prepareSshd } from './node-setup.js';
import type { Bodies } from './protocol.js';
import { RendezvousServer } from './rendezvous-server.js';
import type { Sshd } from './sshd.js';
import { writeFile } from './state-dir.js';

/** How long the main node waits for children to close after telling them to exit. */
const EXIT_DRAIN_MS = 5_000;
/** Runs the main node to the end; returns the agent's exit code. */
export async function runMain(ctx: NodeContext): Promise<number> {
  const { config, log } = ctx;
  const numChildren = config.numNodes - 1;
  const deadline = ctx.startedAt + config.rendezvousTimeoutSeconds * 1000;
  const events = new Events();
  const registered = new Map<number, Bodies['register']>();
  const ready = new Map<number, NodeInfo>();
  /** Children that reported a failed setup: they will not come, so nobody waits for them. */
  const failed = new Map<number, string>();
  const allReady = () => ready.size === numChildren - failed.size;
  let phase: 'bring-up' | 'running' | 'ending' = 'bring-up';
  let participants: NodeInfo[] = [];
  let userPublicKey: string | undefined;
  const waitingForKey: number[] = [];
  ctx.onSignal((signal) => events.push({ kind: 'signal', signal }));

  const server = new RendezvousServer(
    { token: config.token, job: config, mainIndex: config.nodeIndex, numNodes: config.numNodes, log },
    {
      onRegister(index, body) {
        if (phase !== 'bring-up') {
          log.warn(`node ${index} (${body.ip}) registered after the launch; telling it to exit`);
          server.send(index, 'exit', { reason: 'the job started without this node' });
          server.end(index);
          return;
        }
        log.debug(
          `node ${index} registered from ${body.ip} (${plural(body.slots, 'slot')}, host ${body.hostname})`,
        );
        registered.set(index, body);
        if (userPublicKey === undefined) waitingForKey.push(index);
        else server.send(index, 'welcome', { userPublicKey });
      },
      onFrame(index, frame) {
        if (frame.type === 'ready' && phase === 'bring-up') {
          const r = registered.get(index);
          if (r === undefined) return;
          ready.set(index, { index, ip: r.ip, slots: r.slots, hostname: r.hostname, hostKey: r.hostKey });
          if (allReady()) events.push({ kind: 'complete' });
        } else if (frame.type === 'done' && phase === 'bring-up') {
          // A child whose setup failed says so before it goes: the main node need not wait for it.
          failed.set(index, registered.get(index)?.ip ?? 'unknown address');
          ready.delete(index);
          events.push({ kind: 'failed', index, code: (frame.body as Bodies['done']).exitCode });
        } else if (frame.type === 'done') {
          events.push({ kind: 'done', index, code: (frame.body as Bodies['done']).exitCode });
        }
      },
      onDisconnect(index, reason) {
        const ip = registered.get(index)?.ip ?? 'unknown address';
        if (phase === 'bring-up') {
          log.warn(`node ${index} (${ip}) disconnected during bring-up: ${reason}`);
          registered.delete(index);
          ready.delete(index);
        } else if (phase === 'running' && participants.some((n) => n.index === index)) {
          events.push({ kind: 'lost', index, reason });
        }
      },
    },
  );

  try {
    await server.listen(ctx.ip, config.rendezvousPort);
  } catch (e) {
    throw new AgentError(
      'bringUp',
      `cannot listen for children on ${ctx.ip}:${config.rendezvousPort}: ${errorMessage(e)}`,
    );
  }
  log.info(
    `waiting for ${plural(numChildren, 'child', 'children')} on ${ctx.ip}:${config.rendezvousPort} (deadline ${config.rendezvousTimeoutSeconds}s)`,
  );

  let sshd: Sshd | undefined;
  const tellChildren = async (reason: string) => {
    phase = 'ending';
    for (const i of server.connected()) server.send(i, 'exit', { reason });
    await server.drained(EXIT_DRAIN_MS);
  };
  const finish = async (code: number, reason: string) => {
    log.info(`exiting with ${code} (${describeExitCode(code)}): ${reason}`);
    await tellChildren(reason);
    await server.close();
    await sshd?.stop();
    return code;
  };

  // The image's MPI against job.yaml's, before anyone waits for bring-up.
  let mpi: MpiChoice | undefined;
  if (config.launch === 'mpirun') {
    try {
      mpi = chooseMpi(config.mpi, await probeMpirun({ ...ctx.env }));
    } catch (e) {
      log.error(errorMessage(e));
      return finish(
        e instanceof AgentError ? e.exitCode : AGENT_EXIT.mpiMismatch,
        "the image's MPI does not fit the job",
      );
    }
    if (mpi.warning !== undefined) log.warn(mpi.warning);
    else log.info(`MPI: ${mpi.detected?.label ?? mpi.mpi}${config.mpi === 'auto' ? ' (auto)' : ''}`);
  }

  // SSH setup for the whole job: the user key, this node's host key and sshd.
  let userKey: ReturnType<typeof generateSshKeyPair>;
  let hostKey: ReturnType<typeof generateSshKeyPair>;
  try {
    userKey = generateSshKeyPair(`mnbatch-job-${config.jobId}`);
    hostKey = prepareSshd(ctx, userKey.publicKey);
    writeFile(ctx.paths.userKey, userKey.privateKey);
    writeFile(ctx.paths.userPublicKey, `${userKey.publicKey}\n`, 0o644);
    sshd = await launchSshd(ctx);
  } catch (e) {
    log.error(errorMessage(e));
    return finish(
      e instanceof AgentError ? e.exitCode : AGENT_EXIT.sshSetup,
      'SSH setup failed on the main node',
    );
  }
  userPublicKey = userKey.publicKey;
  for (const i of waitingForKey.splice(0)) server.send(i, 'welcome', { userPublicKey });
  void sshd.exited.then((why) => {
    if (phase !== 'ending') log.error(`${why} on the main node`);
  });

  // Bring-up: until every child is ready, or the deadline.
  const self: NodeInfo = {
    index: config.nodeIndex,
    ip: ctx.ip,
    slots: ctx.slots,
    hostname: ctx.hostname,
    hostKey: hostKey.publicKey,
  };
  const timer = setTimeout(() => events.push({ kind: 'deadline' }), Math.max(0, deadline - Date.now()));
  if (allReady()) events.push({ kind: 'complete' });
  for (;;) {
    const e = await events.next();
    if (e.kind === 'complete') break;
    if (e.kind === 'failed') {
      log.error(
        `node ${e.index} (${failed.get(e.index)}) failed its setup with ${e.code} (${describeExitCode(e.code)})`,
      );
      if (config.numNodes - failed.size < config.minNodes) {
        clearTimeout(timer);
        const code = e.code === AGENT_EXIT.sshSetup ? AGENT_EXIT.sshSetup : AGENT_EXIT.bringUp;
        return finish(code, `node ${e.index} cannot take part`);
      }
      if (allReady()) break;
      continue;
    }
    if (e.kind === 'signal') {
      clearTimeout(timer);
      log.warn(`${e.signal} during bring-up; stopping`);
      return finish(signalExitCode(e.signal), `main node got ${e.signal}`);
    }
    if (e.kind === 'deadline') {
      const k = ready.size + 1;
      const missing = Array.from({ length: config.numNodes }, (_, i) => i).filter(
        (i) => i !== config.nodeIndex && !ready.has(i),
      );
      const summary = `${k}/${config.numNodes} nodes registered; missing node indices ${missing.join(', ')}`;
      if (k < config.minNodes) {
        log.error(`bring-up timed out after ${config.rendezvousTimeoutSeconds}s: ${summary}`);
        return finish(AGENT_EXIT.bringUp, 'bring-up timed out');
      }
      log.warn(`bring-up deadline passed: ${summary}; going on (${AGENT_ENV.minNodes}=${config.minNodes})`);
      break;
    }
  }
  clearTimeout(timer);
  phase = 'running';
  participants = orderNodes([self, ...ready.values()], config.nodeIndex);
  // Children that registered but were not ready in time are not part of the job.
  for (const i of server.connected()) {
    if (!ready.has(i)) {
      server.send(i, 'exit', { reason: 'the job started without this node' });
      server.end(i);
    }
  }
  const view = jobView(participants, config.sshPort);
  writeJobFiles(ctx, view, userKey.privateKey);
  return finish(...(await launch(ctx, server, events, participants, view, mpi)));
}
