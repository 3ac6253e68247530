/**
 * Runs a planned local job like Batch runs an MNP job: network, then the main node, then (once
 * it runs) every child at once; the job ends with the main node's exit code. It stops like
 * Batch: on Ctrl-C, at the job's timeout or when the main node stops answering, every node
 * gets SIGTERM, a grace period, then SIGKILL. Containers and network are removed afterwards on
 * every path (success, failure, half-done startup, Ctrl-C), or kept on every path with --keep.
 */

import { describeExitCode, signalExitCode } from '../contract/exit-codes.js';
import { displayLine } from '../contract/output-tags.js';
import { MnbatchError } from '../errors.js';
import type { Output } from '../ui/output.js';
import { removeRun } from './cleanup.js';
import type { Docker } from './docker.js';
import { createArgv, type LocalRunPlan, type NodeContainer, secretEnvOf } from './node-plan.js';
import {
  aborted,
  DEFAULT_GRACE_MS,
  EXIT_MAIN_UNRESPONSIVE,
  EXIT_TIMED_OUT,
  stopGracefully,
  watchUnresponsive,
} from './stop.js';

/** What the hooks see of a run that has started. */
export interface StartedRun {
  readonly network: string;
  readonly mainIp: string;
  /** Container id by node index (started nodes only). */
  readonly containers: ReadonlyMap<number, string>;
}

/** Test seams: called at the two moments a run's shape is decided. */
export interface RunHooks {
  /** The main node runs; no child has been created yet. */
  readonly afterMainStarted?: (run: StartedRun) => Promise<void> | void;
  /** Every child has been started. */
  readonly afterChildrenStarted?: (run: StartedRun) => Promise<void> | void;
}

export interface RunContainersOptions {
  readonly docker: Docker;
  readonly output: Output;
  readonly signal: AbortSignal;
  /** Aborted on the second Ctrl-C: kill every node now instead of waiting out the grace period. */
  readonly force?: AbortSignal;
  /** Leave containers and network in place, on every path (--keep). */
  readonly keep?: boolean;
  /** Between SIGTERM and SIGKILL when the run is stopped (--grace; default 30 s, as ECS). */
  readonly graceMs?: number;
  /** The job's timeout (attemptDurationSeconds), counted from the main node's start. */
  readonly timeoutSeconds?: number;
  /** A main node paused or unreadable this long is declared unresponsive. */
  readonly unresponsiveAfterMs?: number;
  /** How often the main node's state is checked. */
  readonly watchEveryMs?: number;
  /** Node indices not to start, as if Batch never placed them (fault tests). */
  readonly skipNodes?: readonly number[];
  readonly hooks?: RunHooks;
  /** How long children may take to exit by themselves after the main node ended. */
  readonly childGraceMs?: number;
  /** How long to wait for the main node's address after it started. */
  readonly mainStartTimeoutMs?: number;
  /** --raw: every line as the container printed it, without `[node i]`. */
  readonly raw?: boolean;
}

/** Thrown inside the run when the signal aborts, to unwind to the cleanup. */
class Interrupted extends Error {}

/** Why the run stopped before the main node exited by itself. */
type StopReason =
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'timeout'; readonly seconds: number }
  | { readonly kind: 'unresponsive'; readonly seconds: number };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

/** Runs `run` and returns the job's exit code (the main node's). */
export async function runContainers(run: LocalRunPlan, options: RunContainersOptions): Promise<number> {
  const { docker, output, signal } = options;
  const say = (line: string) => output.err(`[mnbatch] ${line}`);
  const ids = new Map<number, string>();
  const logs: Promise<void>[] = [];
  let mainEnded = false;

  const interrupted = new Promise<'interrupted'>((resolve) => {
    if (signal.aborted) resolve('interrupted');
    else signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
  const check = () => {
    if (signal.aborted) throw new Interrupted();
  };
  const logsEnded = new Map<number, Promise<void>>();
  const follow = (node: NodeContainer, id: string) => {
    const raw = options.raw === true;
    const done = docker
      .followLogs(id, (line, stream) =>
        (stream === 'stdout' ? output.out : output.err)(displayLine(line, node.index, raw)),
      )
      .catch(() => undefined);
    logs.push(done);
    logsEnded.set(node.index, done);
  };
  const startNode = async (node: NodeContainer, mainIp?: string) => {
    check();
    const id = await docker.createContainer(createArgv(run, node, mainIp), secretEnvOf(node));
    ids.set(node.index, id);
    check();
    await docker.start(id);
    follow(node, id);
    return id;
  };

  const keep = options.keep === true;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  /** Aborted when the run is over: stops the watchers. */
  const over = new AbortController();
  /** Stops every node like Batch does; with --keep they stay (stopped) for docker logs. */
  const stopAll = async (why: string) => {
    const all = [...ids.values()];
    if (all.length === 0) return say(`${why}: no node had started`);
    say(
      `${why}: SIGTERM to every node, SIGKILL in ${graceMs / 1000}s` +
        (options.force ? ' (Ctrl-C again to kill them now)' : ''),
    );
    if ((await stopGracefully(docker, all, graceMs, options.force)) === 'killed') say('killed every node');
  };
  try {
    for (const w of run.warnings) say(`warning: ${w}`);
    check();
    await docker.createNetwork(run.network, run.labels);
    const main = run.nodes.find((n) => n.index === run.mainIndex)!;
    const mainId = await startNode(main);
    const mainIp = await addressOf(docker, mainId, run.network, options.mainStartTimeoutMs ?? 10_000, check);
    const started = () => ({ network: run.network, mainIp: mainIp ?? '', containers: new Map(ids) });

    const childWaits: Promise<unknown>[] = [];
    const runningChildren = new Set<number>();
    if (mainIp === undefined) {
      say(`main node ${run.mainIndex} stopped before the children could start`);
    } else {
      await options.hooks?.afterMainStarted?.(started());
      const skip = new Set(options.skipNodes ?? []);
      const children = run.nodes.filter((n) => n.index !== run.mainIndex);
      for (const n of children.filter((c) => skip.has(c.index))) say(`node ${n.index} not started (skipped)`);
      // All at once, as Batch may: a child may start at any moment after the main node runs.
      // Settle every start before going on, so that a failed one leaves no create in flight
      // that the cleanup would miss.
      const starts = await Promise.allSettled(
        children.filter((c) => !skip.has(c.index)).map(async (n) => [n, await startNode(n, mainIp)] as const),
      );
      const failed = starts.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      const childIds = starts.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      for (const [node, id] of childIds) {
        runningChildren.add(node.index);
        // The log stream ends when the container stops: one docker process per child, not two.
        childWaits.push(
          logsEnded
            .get(node.index)!
            .then(() => docker.inspect(id, run.network))
            .then(
              (state) => {
                runningChildren.delete(node.index);
                if (state.exitCode !== 0 && !mainEnded) {
                  say(
                    `node ${node.index} exited with ${state.exitCode}: ${describeExitCode(state.exitCode)}`,
                  );
                }
              },
              () => runningChildren.delete(node.index),
            ),
        );
      }
      await options.hooks?.afterChildrenStarted?.(started());
    }

    const timeoutMs = (options.timeoutSeconds ?? 0) * 1000;
    const stopReason: Promise<StopReason> = Promise.race([
      interrupted.then(() => ({ kind: 'interrupted' }) as const),
      ...(timeoutMs > 0
        ? [
            new Promise<StopReason>((resolve) => {
              const t = setTimeout(() => resolve({ kind: 'timeout', seconds: timeoutMs / 1000 }), timeoutMs);
              over.signal.addEventListener('abort', () => clearTimeout(t), { once: true });
            }),
          ]
        : []),
      watchUnresponsive(docker, mainId, run.network, {
        afterMs: options.unresponsiveAfterMs ?? 30_000,
        everyMs: options.watchEveryMs ?? 2_000,
        done: over.signal,
      }).then((seconds) => ({ kind: 'unresponsive', seconds }) as const),
    ]);
    const ended = await Promise.race([docker.wait(mainId), stopReason]);
    // From here on children end because the job does: no news in that.
    mainEnded = true;
    over.abort();
    if (typeof ended !== 'number') {
      if (ended.kind === 'interrupted') throw new Interrupted();
      if (ended.kind === 'timeout') {
        await stopAll(`the job ran into its timeout of ${ended.seconds}s (timeout in the job file)`);
        say(`stopped at the job's timeout, as Batch does: exit ${EXIT_TIMED_OUT}`);
        return EXIT_TIMED_OUT;
      }
      await stopAll(`main node ${run.mainIndex} has not answered for ${ended.seconds}s (paused or hung)`);
      say(`the main node stopped answering: exit ${EXIT_MAIN_UNRESPONSIVE}`);
      return EXIT_MAIN_UNRESPONSIVE;
    }
    // Let the main node's last lines arrive before the verdict.
    await Promise.race([logs[0], sleep(2_000)]);
    say(`main node ${run.mainIndex} exited with ${ended}: ${describeExitCode(ended)}`);
    // The agent tells children to exit; Batch stops whatever is left when the job ends.
    const childGraceMs = options.childGraceMs ?? 10_000;
    await Promise.race([Promise.all(childWaits), sleep(childGraceMs), interrupted]);
    if (runningChildren.size > 0) {
      const left = [...runningChildren].sort((a, b) => a - b).join(', ');
      const fate = keep ? 'left running (--keep)' : 'stopping them, as Batch does';
      say(`node(s) ${left} still running ${childGraceMs / 1000}s after the main node ended: ${fate}`);
    }
    return ended;
  } catch (e) {
    mainEnded = true;
    over.abort();
    if (e instanceof Interrupted) {
      await stopAll('interrupted');
      return signalExitCode(typeof signal.reason === 'string' ? (signal.reason as NodeJS.Signals) : 'SIGINT');
    }
    throw e;
  } finally {
    over.abort();
    if (keep) {
      say(`kept containers and network ${run.network}; remove them with:`);
      say(
        `  docker rm -f $(docker ps -aq --filter label=mnbatch.run=${run.runId}); docker network rm ${run.network}`,
      );
    } else {
      await removeRun(docker, run.runId);
    }
    await Promise.race([Promise.all(logs), sleep(5_000), aborted(options.force)]);
  }
}

/** The main node's address once it runs; undefined when it already stopped. */
async function addressOf(
  docker: Docker,
  id: string,
  network: string,
  timeoutMs: number,
  check: () => void,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    const state = await docker.inspect(id, network);
    if (!state.running) return undefined;
    if (state.ip) return state.ip;
    if (Date.now() > deadline) {
      throw new MnbatchError(
        'LOCAL_NO_ADDRESS',
        `the main node has no address on ${network} after ${timeoutMs} ms`,
        {
          origin: 'docker',
        },
      );
    }
    await sleep(100);
  }
}
