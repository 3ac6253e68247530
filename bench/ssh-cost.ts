/**
 * CPU one ssh connection costs, over the job's own ssh_config (per-job key, strict host keys):
 * the client's (what mpirun's flat launch pays on the main node per node) and the server's (the
 * target node's sshd: re-exec, privilege separation, key exchange). Two loopback agents; the main
 * node's command connects to the child `CONNECTIONS` times.
 */
import { readFileSync } from 'node:fs';
import { AGENT_ENV } from '../src/contract/agent-env.js';
import { childPids, commOf, startJob, stopJob, waitForLine } from './loopback.js';

const CONNECTIONS = 20;
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU per connection, ms. */
export interface SshCost {
  readonly client: number;
  readonly server: number;
}

/** Reaped children's CPU (cutime + cstime) of `pid`, ms. */
function reapedCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
}

/** Measures `CONNECTIONS` connections with `sshArgs` added to `ssh -F <job ssh_config>`. */
export async function sshCost(agent: string, root: string, sshArgs: readonly string[]): Promise<SshCost> {
  const script = [
    `ip=$(sed -n 2p "$MNBATCH_HOSTFILE" | cut -d' ' -f1)`,
    'TIMEFORMAT="client-cpu %U %S"',
    `time (for i in $(seq ${CONNECTIONS}); do ssh -F "$MNBATCH_SSH_CONFIG" ${sshArgs.join(' ')} "$ip" true </dev/null; done)`,
    'echo ssh-cost-done; sleep 2',
  ].join('; ');
  let lines: Promise<[string, string]> | undefined;
  const job = await startJob(
    {
      agent,
      nodes: 2,
      root,
      octet: 79,
      run: 0,
      command: ['bash', '-c', script],
      env: { [AGENT_ENV.launch]: 'main' },
    },
    (main) => {
      lines = Promise.all([
        waitForLine(main, 'stderr', (l) => l.startsWith('client-cpu '), 300_000),
        waitForLine(main, 'stdout', (l) => l === 'ssh-cost-done', 300_000),
      ]);
    },
  );
  try {
    const [line] = await lines!;
    const child = job.procs[1]?.pid;
    const sshd = child === undefined ? undefined : childPids(child).find((p) => commOf(p) === 'sshd');
    if (sshd === undefined) throw new Error('the child node has no sshd');
    const [user, sys] = line.split(' ').slice(1).map(Number);
    return {
      client: (((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000) / CONNECTIONS,
      server: reapedCpuMs(sshd) / CONNECTIONS,
    };
  } finally {
    stopJob(job);
  }
}
