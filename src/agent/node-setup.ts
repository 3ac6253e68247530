/** What every node does before the rendezvous: its host key, sshd config and sshd. */
import { AGENT_ENV } from '../contract/agent-env.js';
import type { AgentConfig } from './config.js';
import { AgentError, errorMessage } from './errors.js';
import { generateSshKeyPair, type SshKeyPair } from './keys.js';
import type { Logger } from './log.js';
import { renderSshdConfig, sessionEnv, unforwardable } from './ssh-config.js';
import { findSshd, type Sshd, startSshd } from './sshd.js';
import { ensureDir, type StatePaths, writeFile } from './state-dir.js';

/** The node as it runs: facts found at start, shared by the main and child code. */
export interface NodeContext {
  readonly config: AgentConfig;
  readonly log: Logger;
  readonly ip: string;
  readonly slots: number;
  readonly hostname: string;
  readonly paths: StatePaths;
  /** The agent's environment (passed to sshd sessions and the command). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Epoch ms of the agent's start (the bring-up clock). */
  readonly startedAt: number;
  /** The user SSH logs in as (the agent's own user). */
  readonly user: string;
  readonly isRoot: boolean;
  /** Registers a handler for SIGTERM/SIGINT. */
  readonly onSignal: (handler: (signal: NodeJS.Signals) => void) => void;
}

/** Writes the state dir's sshd files with a fresh host key; returns the key (sshd not started yet). */
export function prepareSshd(ctx: NodeContext, authorizedKey: string | undefined): SshKeyPair {
  const { config, paths } = ctx;
  try {
    ensureDir(paths.dir);
  } catch (e) {
    const hint = ctx.isRoot
      ? ''
      : ` (the agent runs as ${ctx.user}, not root: set ${AGENT_ENV.stateDir} to a directory this user may create, not under a world-writable one such as /tmp)`;
    throw new AgentError(
      'sshSetup',
      `cannot create ${AGENT_ENV.stateDir} ${paths.dir}: ${errorMessage(e)}${hint}`,
    );
  }
  const lost = unforwardable(ctx.env);
  if (lost.length > 0) {
    ctx.log.warn(
      `not passed to SSH sessions (ranks started over ssh will not have them): ${lost.join(', ')}; sshd_config cannot quote '"', '\\', line breaks or values over 4000 characters`,
    );
  }
  const hostKey = generateSshKeyPair(`mnbatch-host-node-${config.nodeIndex}`);
  writeFile(paths.hostKey, hostKey.privateKey);
  writeFile(`${paths.hostKey}.pub`, `${hostKey.publicKey}\n`, 0o644);
  writeFile(paths.authorizedKeys, authorizedKey === undefined ? '' : `${authorizedKey}\n`);
  writeFile(
    paths.sshdConfig,
    renderSshdConfig({
      port: config.sshPort,
      listenAddress: ctx.ip,
      hostKeyFile: paths.hostKey,
      authorizedKeysFile: paths.authorizedKeys,
      pidFile: paths.sshdPid,
      setEnv: sessionEnv(ctx.env),
    }),
  );
  return hostKey;
}

/** Starts sshd with the prepared config. */
export async function launchSshd(ctx: NodeContext): Promise<Sshd> {
  const sshd = await startSshd(findSshd(ctx.env.PATH), ctx.paths.sshdConfig, ctx.log);
  ctx.log.debug(`sshd listening on ${ctx.ip}:${ctx.config.sshPort} (pid ${sshd.pid})`);
  return sshd;
}
