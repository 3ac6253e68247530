/** Removing a run's containers and network, and what a crashed earlier run left behind. */
import type { Docker } from './docker.js';
import { KEEP_LABEL, PID_LABEL, RUN_LABEL } from './node-plan.js';

/** Removes every container (first) and network (then) labelled with run `runId`. */
export async function removeRun(docker: Docker, runId: string): Promise<void> {
  const label = `${RUN_LABEL}=${runId}`;
  const containers = await docker.listContainers(label);
  await docker.removeContainers(containers.map((c) => c.id));
  const networks = await docker.listNetworks(label);
  await docker.removeNetworks(networks.map((n) => n.id));
}

/** Whether process `pid` is alive on this machine (EPERM: alive, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the containers and networks of earlier runs whose `mnbatch run` process is gone
 * (killed, crashed). Runs kept with --keep, and runs of live processes, are left alone.
 * Returns the ids of the runs removed.
 */
export async function removeLeftovers(docker: Docker, alive: (pid: number) => boolean): Promise<string[]> {
  const objects = [...(await docker.listContainers(RUN_LABEL)), ...(await docker.listNetworks(RUN_LABEL))];
  const runs = new Set<string>();
  const spared = new Set<string>();
  for (const o of objects) {
    const run = o.labels[RUN_LABEL];
    if (run === undefined) continue;
    runs.add(run);
    const pid = Number(o.labels[PID_LABEL]);
    // One kept or live sign on any of a run's objects spares the whole run.
    if (o.labels[KEEP_LABEL] === 'true' || (Number.isInteger(pid) && pid > 0 && alive(pid))) spared.add(run);
  }
  for (const run of spared) runs.delete(run);
  for (const run of runs) await removeRun(docker, run);
  return [...runs];
}
