/**
 * A child node: sshd plus registration with the main node, then serve until told to exit
 * (running the command itself with `launch: each`). Exits 205 when the main node goes away.
 */
import { AGENT_EXIT, signalExitCode } from '../contract/exit-codes.js';
import { type RunningCommand, STOP_GRACE_MS, startCommand } from './command.js';
import { errorMessage } from './errors.js';
import { launchSshd, type NodeContext, prepareSshd } from './node-setup.js';
import type { Bodies, Frame } from './protocol.js';
import { RendezvousClient } from './rendezvous-client.js';
import { renderAuthorizedKeys } from './ssh-config.js';
import type { Sshd } from './sshd.js';
import { writeFile } from './state-dir.js';

/** Runs a child node to the end; returns the agent's exit code. */
export async function runChild(ctx: NodeContext): Promise<number> {
  const { config, log } = ctx;
  const mainIp = config.mainIp ?? '';
  let signalled: NodeJS.Signals | undefined;
  let onSignal: ((s: NodeJS.Signals) => void) | undefined;
  ctx.onSignal((s) => {
    signalled ??= s;
    onSignal?.(s);
  });

  const hostKey = prepareSshd(ctx, undefined);
  const client = new RendezvousClient({
    token: config.token,
    job: config,
    nodeIndex: config.nodeIndex,
    mainIndex: config.mainNodeIndex,
    host: mainIp,
    port: config.rendezvousPort,
    localAddress: ctx.ip,
    deadline: ctx.startedAt + config.rendezvousTimeoutSeconds * 1000,
    log,
  });
  // The registration goes out first; sshd starts while the main node answers (neither needs the other).
  const welcoming = client.register({
    ip: ctx.ip,
    slots: ctx.slots,
    hostname: ctx.hostname,
    hostKey: hostKey.publicKey,
  });
  const sshdStarting = launchSshd(ctx);
  welcoming.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  let sshd: Sshd;
  try {
    sshd = await sshdStarting;
  } catch (e) {
    log.error(errorMessage(e));
    await reportFailure(welcoming, client, AGENT_EXIT.sshSetup);
    return AGENT_EXIT.sshSetup;
  }
  const stopAll = async (code: number) => {
    client.close();
    await sshd.stop();
    return code;
  };
  let welcome: Awaited<typeof welcoming>;
  try {
    welcome = await Promise.race([
      welcoming,
      new Promise<never>((_, reject) => {
        onSignal = (s) => reject(new Error(`got ${s}`));
        if (signalled !== undefined) onSignal(signalled);
      }),
    ]);
  } catch (e) {
    log.error(errorMessage(e));
    const code =
      signalled !== undefined
        ? signalExitCode(signalled)
        : ((e as { exitCode?: number }).exitCode ?? AGENT_EXIT.bringUp);
    return stopAll(code);
  }
  if ('exit' in welcome) {
    log.info(`main node said exit: ${welcome.exit}`);
    return stopAll(0);
  }
  writeFile(ctx.paths.authorizedKeys, renderAuthorizedKeys(welcome.userPublicKey));
  client.send('ready', {});
  log.debug(`registered with the main node ${mainIp}:${config.rendezvousPort}; serving sshd`);

  // Serve until the main node says exit or goes away, running the command when told to.
  let command: RunningCommand | undefined;
  let commandCode: number | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const outcome = await new Promise<{ code: number; why: string }>((resolve) => {
    onSignal = (s) => {
      stopSignal = s;
      resolve({ code: signalExitCode(s), why: `got ${s}` });
    };
    if (signalled !== undefined) onSignal(signalled);
    void sshd.exited.then((why) => resolve({ code: AGENT_EXIT.sshSetup, why }));
    void client.closed.then((why) =>
      resolve({ code: AGENT_EXIT.mainLost, why: `main node ${mainIp} went away (${why})` }),
    );
    client.onFrame((frame: Frame) => {
      if (frame.type === 'exit') {
        resolve({
          code: commandCode ?? 0,
          why: `main node said exit: ${(frame.body as Bodies['exit']).reason}`,
        });
      } else if (frame.type === 'run' && command === undefined) {
        void runCommand(ctx, frame.body as Bodies['run']).then(
          (c) => {
            command = c;
            void c.exited.then((code) => {
              commandCode = code;
              log.info(`command finished with code ${code}`);
              client.send('done', { exitCode: code });
            });
          },
          (e) => {
            log.error(errorMessage(e));
            commandCode = AGENT_EXIT.launchFailed;
            client.send('done', { exitCode: AGENT_EXIT.launchFailed });
          },
        );
      }
    });
  });
  if (outcome.code === 0) log.info(outcome.why);
  else if (outcome.code === AGENT_EXIT.mainLost) log.error(outcome.why);
  else log.warn(outcome.why);
  if (command !== undefined && commandCode === undefined) {
    if (stopSignal !== undefined) {
      // As on the main node: whoever sent the signal owns the grace period (ECS's stop timeout
      // on Batch, --grace locally) and kills the whole container when it ends.
      command.signal(stopSignal);
      await command.exited;
    } else await command.stop(STOP_GRACE_MS);
  }
  return stopAll(outcome.code);
}

/** How long a child whose setup failed waits for the welcome, to tell the main node before it goes. */
const REPORT_FAILURE_MS = 10_000;

/**
 * Tells the main node this child cannot take part (a `done` during bring-up), so that it fails
 * at once naming the node instead of waiting for it until the bring-up deadline.
 */
async function reportFailure(
  welcoming: Promise<unknown>,
  client: RendezvousClient,
  code: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const welcomed = await Promise.race([
    welcoming.then(
      (w) => !(typeof w === 'object' && w !== null && 'exit' in w),
      () => false,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), REPORT_FAILURE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (welcomed) client.send('done', { exitCode: code });
  client.close();
}

async function runCommand(ctx: NodeContext, run: Bodies['run']): Promise<RunningCommand> {
  // Only `launch: each` needs the job files on a child: keep them off every child's start-up path.
  const { commandEnv, writeJobFiles } = await import('./job-files.js');
  const h = run.hostfiles;
  writeJobFiles(
    ctx,
    {
      hostfiles: {
        hostfile: h.hostfile ?? '',
        'hostfile.mpich': h['hostfile.mpich'] ?? '',
        'hostfile.intelmpi': h['hostfile.intelmpi'] ?? '',
        hosts: h.hosts ?? '',
      },
      knownHosts: run.knownHosts,
      ips: (h.hosts ?? '').split('\n').filter((l) => l !== ''),
    },
    undefined,
  );
  ctx.log.debug(`running the command as rank ${run.rank} of ${run.numNodes}`);
  return startCommand(ctx.config.command, commandEnv(ctx.env, ctx.paths, run.rank, run.numNodes, run.mainIp));
}
