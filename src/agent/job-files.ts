/** The files that describe the whole job (hostfiles, known_hosts, SSH client config), written once bring-up is done. */
import { execFileSync } from 'node:child_process';
import { COMMAND_ENV, SECRET_AGENT_ENV } from '../contract/agent-env.js';
import { type Hostfiles, type NodeInfo, renderHostfiles } from './cluster.js';
import { renderSshWrapper } from './launch-argv.js';
import type { NodeContext } from './node-setup.js';
import { jobKexAlgorithms, renderKnownHosts, renderSshConfig } from './ssh-config.js';
import { installUserSsh, type StatePaths, writeFile } from './state-dir.js';

/** What a node needs to write the job files; the main node has it all, children get it in `run`. */
export interface JobView {
  readonly hostfiles: Hostfiles;
  readonly knownHosts: string;
  readonly ips: readonly string[];
}

/** The job view from the ordered nodes (main first). */
export function jobView(ordered: readonly NodeInfo[], sshPort: number): JobView {
  return {
    hostfiles: renderHostfiles(ordered),
    knownHosts: renderKnownHosts(ordered, sshPort),
    ips: ordered.map((n) => n.ip),
  };
}

/** Writes hostfiles, known_hosts, ssh_config and the ssh wrapper (and ~/.ssh when configured). */
export function writeJobFiles(ctx: NodeContext, view: JobView, privateKey: string | undefined): void {
  const { paths, config, log } = ctx;
  writeFile(paths.hostfile, view.hostfiles.hostfile, 0o644);
  writeFile(paths.hostfileMpich, view.hostfiles['hostfile.mpich'], 0o644);
  writeFile(paths.hostfileIntelMpi, view.hostfiles['hostfile.intelmpi'], 0o644);
  writeFile(paths.hosts, view.hostfiles.hosts, 0o644);
  writeFile(paths.knownHosts, view.knownHosts, 0o644);
  const kexAlgorithms = jobKexAlgorithms(supportedKex());
  const clientConfig = (identityFile: string, knownHostsFile: string) =>
    renderSshConfig({
      hosts: view.ips,
      port: config.sshPort,
      user: ctx.user,
      identityFile,
      knownHostsFile,
      ...(kexAlgorithms === undefined ? {} : { kexAlgorithms }),
    });
  writeFile(paths.sshConfig, clientConfig(paths.userKey, paths.knownHosts), 0o644);
  writeFile(paths.sshWrapper, renderSshWrapper(paths.sshConfig), 0o755);
  if (config.installSsh && config.home !== undefined) {
    const dir = `${config.home}/.ssh`;
    const skipped = installUserSsh(config.home, {
      config: clientConfig(`${dir}/id_ed25519`, `${dir}/known_hosts`),
      ...(privateKey === undefined ? {} : { privateKey }),
      knownHosts: view.knownHosts,
    });
    for (const path of skipped)
      log.warn(`left ${path} alone (not written by mnbatch-agent); use ${paths.sshConfig}`);
  }
}

/** The key exchange algorithms this image's ssh supports (`ssh -Q kex`); none when ssh cannot say. */
function supportedKex(): string[] {
  try {
    return execFileSync('ssh', ['-Q', 'kex'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    })
      .split('\n')
      .filter((k) => k !== '');
  } catch {
    return [];
  }
}

/** The variables the command gets on a node of rank `rank`. */
export function commandEnv(
  env: Readonly<Record<string, string | undefined>>,
  paths: StatePaths,
  rank: number,
  numNodes: number,
  mainIp: string,
): NodeJS.ProcessEnv {
  // The command has no use for the rendezvous secrets.
  const rest = Object.fromEntries(Object.entries(env).filter(([k]) => !SECRET_AGENT_ENV.includes(k)));
  return {
    ...rest,
    [COMMAND_ENV.mainIp]: mainIp,
    [COMMAND_ENV.nodeRank]: String(rank),
    [COMMAND_ENV.numNodes]: String(numNodes),
    [COMMAND_ENV.hostfile]: paths.hostfile,
    [COMMAND_ENV.sshConfig]: paths.sshConfig,
  };
}
