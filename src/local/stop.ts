/**
 * Ending a local run the way Batch ends a job: SIGTERM to every node's main process, a grace
 * period, then SIGKILL (what TerminateJob and a job timeout do through ECS); a second Ctrl-C
 * skips the rest of the grace period. Also what the runner watches while the job runs: the
 * job's timeout and a main node that stopped answering.
 */
import { EXIT } from '../contract/exit-codes.js';
import type { Docker } from './docker.js';

/** Exit code of a local run stopped by the job's `timeout` (as timeout(1) exits). */
export const EXIT_TIMED_OUT = EXIT.timedOut;
/** Exit code of a local run whose main node stopped answering (frozen, paused, daemon hung). */
export const EXIT_MAIN_UNRESPONSIVE = EXIT.mainUnresponsive;

/** Default grace period between SIGTERM and SIGKILL: ECS's default stop timeout, which Batch uses. */
export const DEFAULT_GRACE_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** Resolves when `signal` aborts (never when it is undefined). */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * `docker stop` with `graceMs` on every container, all at once; when `force` aborts first,
 * `docker kill` instead. Resolves with how the stop ended.
 */
export async function stopGracefully(
  docker: Docker,
  ids: readonly string[],
  graceMs: number,
  force: AbortSignal | undefined,
): Promise<'stopped' | 'killed'> {
  if (force?.aborted) {
    await docker.kill(ids);
    return 'killed';
  }
  const stopping = docker.stop(ids, graceMs / 1000).then(() => 'stopped' as const);
  const how = await Promise.race([stopping, aborted(force).then(() => 'killed' as const)]);
  if (how === 'killed') await docker.kill(ids);
  return how;
}

/**
 * Resolves with the seconds the main node has been unresponsive once that reaches `afterMs`:
 * paused, or its state not readable at all. Never resolves while it answers or once `done` aborts.
 */
export async function watchUnresponsive(
  docker: Docker,
  id: string,
  network: string,
  options: { readonly afterMs: number; readonly everyMs: number; readonly done: AbortSignal },
): Promise<number> {
  let since: number | undefined;
  const ended = aborted(options.done).then(() => 'done' as const);
  for (;;) {
    const probe = docker.inspect(id, network).then(
      (s) => (s.paused ? 'frozen' : 'fine'),
      () => 'frozen' as const,
    );
    // An inspect that does not return within the interval is no answer either.
    const state = await Promise.race([probe, sleep(options.everyMs).then(() => 'frozen' as const), ended]);
    if (state === 'done') return new Promise<number>(() => {});
    const now = Date.now();
    if (state === 'fine') since = undefined;
    else since ??= now;
    if (since !== undefined && now - since >= options.afterMs) return Math.round((now - since) / 1000);
    if ((await Promise.race([sleep(options.everyMs), ended])) === 'done')
      return new Promise<number>(() => {});
  }
}
