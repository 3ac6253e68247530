/**
 * The main node: rendezvous server, job user key, bring-up with a deadline, then the launch
 * (mpirun, the command alone, or the command on every node) and the end of the job.
 */
import { AGENT_ENV } from '../contract/agent-env.js';
import { AGENT_EXIT, describeExitCode, signalExitCode } from '../contract/exit-codes.js';
import { type NodeInfo, orderNodes, totalSlots } from './cluster.js';
import { type RunningCommand, STOP_GRACE_MS, startCommand } from './command.js';
import { AgentError, errorMessage } from './errors.js';
import { commandEnv, jobView, writeJobFiles } from './job-files.js';
import { generateSshKeyPair } from './keys.js';
import { mpirunArgv } from './launch-argv.js';
import { formatLaunchLine } from './log.js';
import { launchSshd, type NodeContext, prepareSshd } from './node-setup.js';
import type { Bodies } from './protocol.js';
import { RendezvousServer } from './rendezvous-server.js';
import type { Sshd } from './sshd.js';
import { writeFile } from './state-dir.js';

/** How long the main node waits for children to close after telling them to exit. */
const EXIT_DRAIN_MS = 5_000;

type Outcome =
  | { readonly kind: 'complete' }
  | { readonly kind: 'deadline' }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'lost'; readonly index: number; readonly reason: string }
  | { readonly kind: 'done'; readonly index: number; readonly code: number };

/** A queue of things that happened, awaited one at a time by the main flow. */
class Events {
  private readonly queue: Outcome[] = [];
  private wake: (() => void) | undefined;
  push(o: Outcome): void {
    this.queue.push(o);
    this.wake?.();
  }
  async next(): Promise<Outcome> {
    while (this.queue.length === 0) await new Promise<void>((r) => (this.wake = r));
    return this.queue.shift()!;
  }
}

/** Runs the main node to the end; returns the agent's exit code. */
export async function runMain(ctx: NodeContext): Promise<number> {
  const { config, log } = ctx;
  const numChildren = config.numNodes - 1;
  const deadline = ctx.startedAt + config.rendezvousTimeoutSeconds * 1000;
  const events = new Events();
  const registered = new Map<number, Bodies['register']>();
  const ready = new Map<number, NodeInfo>();
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
        log.debug(`node ${index} registered from ${body.ip} (${body.slots} slots, host ${body.hostname})`);
        registered.set(index, body);
        if (userPublicKey === undefined) waitingForKey.push(index);
        else server.send(index, 'welcome', { userPublicKey });
      },
      onFrame(index, frame) {
        if (frame.type === 'ready' && phase === 'bring-up') {
          const r = registered.get(index);
          if (r === undefined) return;
          ready.set(index, { index, ip: r.ip, slots: r.slots, hostname: r.hostname, hostKey: r.hostKey });
          if (ready.size === numChildren) events.push({ kind: 'complete' });
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
    `waiting for ${numChildren} children on ${ctx.ip}:${config.rendezvousPort} (deadline ${config.rendezvousTimeoutSeconds}s)`,
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
  if (ready.size === numChildren) events.push({ kind: 'complete' });
  for (;;) {
    const e = await events.next();
    if (e.kind === 'complete') break;
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
  return finish(...(await launch(ctx, server, events, participants, view)));
}

async function launch(
  ctx: NodeContext,
  server: RendezvousServer,
  events: Events,
  participants: readonly NodeInfo[],
  view: ReturnType<typeof jobView>,
): Promise<[number, string]> {
  const { config, log, paths } = ctx;
  const nodes = participants.length;
  const slots = totalSlots(participants);
  const env = commandEnv(ctx.env, paths, 0, nodes, ctx.ip);
  const argv =
    config.launch === 'mpirun'
      ? mpirunArgv({
          mpi: config.mpi,
          np: slots,
          hostfiles: {
            openmpi: paths.hostfile,
            mpich: paths.hostfileMpich,
            intelmpi: paths.hostfileIntelMpi,
          },
          sshConfig: paths.sshConfig,
          sshWrapper: paths.sshWrapper,
          env: config.mpiEnv,
          runAsRoot: ctx.isRoot,
          extraArgs: config.mpirunArgs,
          command: config.command,
        })
      : config.command;
  if (config.launch === 'each') {
    participants.forEach((n, rank) => {
      if (n.index === config.nodeIndex) return;
      server.send(n.index, 'run', {
        rank,
        numNodes: nodes,
        mainIp: ctx.ip,
        hostfiles: { ...view.hostfiles },
        knownHosts: view.knownHosts,
      });
    });
  }
  const t = Date.now();
  let command: RunningCommand;
  try {
    command = await startCommand(argv, env);
  } catch (e) {
    log.error(errorMessage(e));
    return [
      e instanceof AgentError ? e.exitCode : AGENT_EXIT.launchFailed,
      'the command could not be started',
    ];
  }
  log.always(
    formatLaunchLine({ mode: config.launch, nodes, slots, bringUpSeconds: (t - ctx.startedAt) / 1000, t }),
  );
  log.debug(`command: ${argv.join(' ')}`);
  void command.exited.then((code) => events.push({ kind: 'exited', code }));

  const ipOf = (index: number) => participants.find((n) => n.index === index)?.ip ?? 'unknown address';
  const pendingChildren = new Set(
    config.launch === 'each' ? participants.map((n) => n.index).filter((i) => i !== config.nodeIndex) : [],
  );
  let ownCode: number | undefined;
  for (;;) {
    const e = await events.next();
    switch (e.kind) {
      case 'exited':
        ownCode = e.code;
        if (e.code !== 0 && config.launch === 'each') {
          log.error(`the command failed on node ${config.nodeIndex} (${ctx.ip}, main) with code ${e.code}`);
          return [e.code, 'the command failed on the main node'];
        }
        if (pendingChildren.size === 0) return [e.code, 'the job finished'];
        log.info(`command finished on the main node; waiting for nodes ${[...pendingChildren].join(', ')}`);
        break;
      case 'done':
        pendingChildren.delete(e.index);
        if (e.code !== 0) {
          log.error(`the command failed on node ${e.index} (${ipOf(e.index)}) with code ${e.code}`);
          await command.stop(STOP_GRACE_MS);
          return [e.code, `the command failed on node ${e.index}`];
        }
        if (pendingChildren.size === 0 && ownCode !== undefined) return [ownCode, 'the job finished'];
        break;
      case 'lost': {
        if (config.launch === 'each' && !pendingChildren.has(e.index)) {
          log.warn(`node ${e.index} (${ipOf(e.index)}) disconnected after its command finished: ${e.reason}`);
          break;
        }
        log.error(`node ${e.index} (${ipOf(e.index)}) lost mid-run: ${e.reason}; stopping the command`);
        await command.stop(STOP_GRACE_MS);
        return [AGENT_EXIT.nodeLost, `node ${e.index} was lost`];
      }
      case 'signal': {
        log.warn(`${e.signal}: forwarding to the command`);
        command.signal(e.signal);
        const killer = setTimeout(() => command.signal('SIGKILL'), STOP_GRACE_MS);
        await command.exited;
        clearTimeout(killer);
        return [signalExitCode(e.signal), `main node got ${e.signal}`];
      }
      default:
        break;
    }
  }
}
