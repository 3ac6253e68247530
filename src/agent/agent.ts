/** The agent from start to exit code, with its I/O passed in (main.ts wires the real process). */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, networkInterfaces, userInfo } from 'node:os';
import { plural } from '../contract/words.js';
import { type AgentConfig, parseConfig } from './config.js';
import { AgentError, errorMessage } from './errors.js';
import { resolveSlots, selectIp } from './host.js';
import { createLogger, type Logger, logPrefix } from './log.js';
import { statePaths } from './state-dir.js';

/** What the agent needs from its process. */
export interface AgentIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
  /** Writes one or more complete lines to the log (stderr). */
  readonly write: (text: string) => void;
  readonly onSignal: (handler: (signal: NodeJS.Signals) => void) => void;
  /** Epoch ms of the process start. */
  readonly startedAt: number;
}

function readCpuinfo(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
}

function logicalCpus(): number {
  // availableParallelism arrived in Node 18.14; older 18.x only has cpus().
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

/** The user the agent runs as; sshd logs the job in as this user, so it must be in the user database. */
function currentUser(): { name: string; uid: number; home: string } {
  try {
    const u = userInfo();
    return { name: u.username, uid: u.uid, home: u.homedir };
  } catch (e) {
    // Batch's `user` (docker --user) may name a uid the image does not know.
    throw new AgentError(
      'config',
      `the container runs as a user id with no entry in /etc/passwd (${errorMessage(e)}): sshd cannot log the job in as it; add the user to the image (useradd) or run as a user the image knows`,
    );
  }
}

/** Runs the agent; resolves with its exit code. Never throws. */
export async function runAgent(io: AgentIo): Promise<number> {
  let log: Logger = createLogger('[mnbatch-agent]', 'info', io.write);
  let config: AgentConfig;
  let user: ReturnType<typeof currentUser>;
  try {
    user = currentUser();
    config = parseConfig(io.env, io.argv, user);
  } catch (e) {
    log.error(errorMessage(e));
    return e instanceof AgentError ? e.exitCode : 1;
  }
  log = createLogger(logPrefix(config.nodeIndex, config.numNodes, config.role), config.logLevel, io.write);
  try {
    const ip = selectIp(config.ip, config.interface, networkInterfaces());
    const slots = resolveSlots(
      config.slots,
      config.gpus,
      config.slots === 'auto' ? readCpuinfo() : undefined,
      logicalCpus(),
    );
    const ctx = {
      config,
      log,
      ip,
      slots,
      hostname: hostname(),
      paths: statePaths(config.stateDir),
      env: io.env,
      startedAt: io.startedAt,
      user: user.name,
      isRoot: user.uid === 0,
      onSignal: io.onSignal,
    };
    log.info(
      `${config.jobName} attempt ${config.attempt}: ${ip}, ${plural(slots, 'slot')}, launch ${config.launch}${config.role === 'child' ? `, main node ${config.mainIp}` : ''}`,
    );
    // Each role loads only its own code: children are many, and their start-up time is bring-up time.
    if (config.role === 'main') return await (await import('./main-node.js')).runMain(ctx);
    return await (await import('./child-node.js')).runChild(ctx);
  } catch (e) {
    log.error(errorMessage(e));
    if (e instanceof AgentError) return e.exitCode;
    if (e instanceof Error && e.stack !== undefined) log.debug(e.stack);
    return 1;
  }
}
