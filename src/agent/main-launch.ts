/** The main node's launch: the command (mpirun, alone, or on every node) until it ends, a node is lost or a signal. */
import { AGENT_EXIT, signalExitCode } from '../contract/exit-codes.js';
import { type NodeInfo, totalSlots } from './cluster.js';
import { type LineSink, type RunningCommand, STOP_GRACE_MS, startCommand } from './command.js';
import { AgentError, errorMessage } from './errors.js';
import { commandEnv, type JobView } from './job-files.js';
import { launcherEnv, mpirunArgv } from './launch-argv.js';
import { formatLaunchLine } from './log.js';
import type { Events } from './main-events.js';
import type { MpiChoice } from './mpi-detect.js';
import type { NodeContext } from './node-setup.js';
import { normalizeLine, rankNodes, rankTagArgs } from './rank-output.js';
import type { RendezvousServer } from './rendezvous-server.js';

/** Writes mpirun's output as `[node i rank r] text` lines (see output-tags.ts). */
function rankLineSink(
  ctx: NodeContext,
  choice: MpiChoice,
  participants: readonly NodeInfo[],
  env: Readonly<Record<string, string | undefined>>,
): LineSink {
  const nodes = rankNodes(participants, ctx.config.mpirunArgs, env);
  const major = Number(/^\d+/.exec(choice.detected?.version ?? '')?.[0] ?? 4);
  return (line, stream) => {
    const text = `${normalizeLine(line, choice.mpi, nodes, major)}\n`;
    (stream === 'stdout' ? process.stdout : process.stderr).write(text);
  };
}

/**
 * Runs the job's command; resolves with the exit code and why. `choice` is the MPI to launch
 * with (launch: mpirun only), as the image's mpirun and job.yaml agreed.
 */
export async function launch(
  ctx: NodeContext,
  server: RendezvousServer,
  events: Events,
  participants: readonly NodeInfo[],
  view: JobView,
  choice: MpiChoice | undefined,
): Promise<[number, string]> {
  const { config, log, paths } = ctx;
  const nodes = participants.length;
  const slots = totalSlots(participants);
  const jobEnv = commandEnv(ctx.env, paths, 0, nodes, ctx.ip);
  const mpi = config.launch === 'mpirun' ? choice : undefined;
  const tagged = mpi !== undefined && config.output === 'tagged';
  const added =
    mpi !== undefined
      ? launcherEnv(mpi.mpi, paths.sshConfig, { ...jobEnv, ...config.mpiEnv }, config.yieldWhenIdle)
      : {};
  const env = { ...added, ...jobEnv };
  const argv =
    mpi !== undefined
      ? mpirunArgv({
          mpi: mpi.mpi,
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
          extraArgs: [...(tagged ? rankTagArgs(mpi.mpi) : []), ...config.mpirunArgs],
          command: config.command,
          launcherEnv: jobEnv,
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
    const sink = tagged ? rankLineSink(ctx, mpi, participants, { ...env, ...config.mpiEnv }) : undefined;
    command = await startCommand(argv, env, sink);
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
        // No SIGKILL of our own: whoever sent the signal owns the grace period (ECS's stop
        // timeout on Batch, --grace locally) and kills the whole container when it ends.
        await command.exited;
        return [signalExitCode(e.signal), `main node got ${e.signal}`];
      }
      default:
        break;
    }
  }
}
