/**
 * Removing a run's containers and network, and what dead runs left behind (containers,
 * networks, the per-run directory). A run is a leftover only when its owner — the `mnbatch run`
 * process named by pid namespace, pid and start time — is certainly gone: runs of live
 * processes, of any user, and runs whose owner cannot be told are never touched.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Docker } from './docker.js';
import { ENV_DIR_PREFIX } from './env-file.js';
import { KEEP_LABEL, OWNER_LABEL, RUN_LABEL, UID_LABEL } from './node-plan.js';
import type { ownerState } from './owner.js';

/** Name of the file in a run's directory that says which process owns it. */
export const OWNER_FILE = '.mnbatch-owner';
/** Run directories under the temporary directory: `mnbatch-<run id>`. */
const RUN_DIR = /^mnbatch-[0-9a-f]{8}$/;

export type OwnerState = typeof ownerState;

/** Removes every container (first) and network (then) labelled with run `runId`. */
export async function removeRun(docker: Docker, runId: string): Promise<void> {
  const label = `${RUN_LABEL}=${runId}`;
  const containers = await docker.listContainers(label);
  await docker.removeContainers(containers.map((c) => c.id));
  const networks = await docker.listNetworks(label);
  await docker.removeNetworks(networks.map((n) => n.id));
}

export interface LeftoverOptions {
  readonly state: OwnerState;
  /** Also runs kept with --keep, when this user started them (`run --cleanup`). */
  readonly includeKept: boolean;
  /** This user's uid: kept runs of other users stay. */
  readonly uid: number;
}

/** Whether a run with these labels / this owner is a leftover to remove. */
function isLeftover(owner: string | undefined, kept: boolean, uid: string | undefined, o: LeftoverOptions) {
  if (o.state(owner) !== 'dead') return false;
  return !kept || (o.includeKept && uid === String(o.uid));
}

/** Removes the containers and networks of dead runs; returns the ids of the runs removed. */
export async function removeLeftovers(docker: Docker, options: LeftoverOptions): Promise<string[]> {
  const objects = [...(await docker.listContainers(RUN_LABEL)), ...(await docker.listNetworks(RUN_LABEL))];
  const runs = new Set<string>();
  const spared = new Set<string>();
  for (const o of objects) {
    const run = o.labels[RUN_LABEL];
    if (run === undefined) continue;
    runs.add(run);
    // One sign of life (or of doubt) on any of a run's objects spares the whole run.
    const kept = o.labels[KEEP_LABEL] === 'true';
    if (!isLeftover(o.labels[OWNER_LABEL], kept, o.labels[UID_LABEL], options)) spared.add(run);
  }
  for (const run of spared) runs.delete(run);
  for (const run of runs) await removeRun(docker, run);
  return [...runs].sort();
}

/** What a run directory's owner file says. */
interface DirOwner {
  readonly owner?: string;
  readonly keep?: boolean;
}

/**
 * An env file lives only while `docker create` runs (a second); its directory outlives it only when
 * the runner was killed right then. One older than this is certainly a leftover (it holds a dead
 * run's token).
 */
export const ENV_DIR_MAX_AGE_MS = 60 * 60_000;

/** Removes this user's env file directories under `tmp` older than ENV_DIR_MAX_AGE_MS; returns them. */
export function removeStaleEnvDirs(tmp: string, uid: number, now: number): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmp).filter((n) => n.startsWith(ENV_DIR_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(tmp, name);
    try {
      const st = statSync(dir);
      if (!st.isDirectory() || st.uid !== uid || now - st.mtimeMs < ENV_DIR_MAX_AGE_MS) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}

/**
 * Removes this user's run directories under `tmp` whose owner is dead; returns those removed
 * and those that could not be (files written by the containers' root).
 */
export function removeLeftoverDirs(
  tmp: string,
  options: LeftoverOptions,
): { removed: string[]; failed: string[] } {
  const removed: string[] = [];
  const failed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmp).filter((n) => RUN_DIR.test(n));
  } catch {
    return { removed, failed };
  }
  for (const name of names) {
    const dir = join(tmp, name);
    let owner: DirOwner;
    try {
      if (statSync(dir).uid !== options.uid) continue;
      owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as DirOwner;
    } catch {
      continue;
    }
    if (!isLeftover(owner.owner, owner.keep === true, String(options.uid), options)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      failed.push(dir);
    }
  }
  return { removed, failed };
}
