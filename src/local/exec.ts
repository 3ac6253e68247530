/**
 * `mnbatch exec --local RUN [--node N] [-- cmd]`: a shell (or a command) in a node's container of
 * a running local run, through `docker exec`. The run is found by the labels `run --local` puts
 * on its containers: its run id or its job name.
 */
import { execa } from 'execa';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { listRunningContainers } from './docker.js';
import { JOB_LABEL, MAIN_NODE_LABEL, NODE_LABEL, RUN_LABEL } from './node-plan.js';

/** A running container of a local run, as `docker ps` lists it. */
export interface RunningContainer {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The container `exec` goes into. */
export interface ExecTarget {
  readonly id: string;
  readonly runId: string;
  readonly node: number;
}

/** The default command: a login shell, bash where the image has it. */
export const LOGIN_SHELL: readonly string[] = [
  '/bin/sh',
  '-c',
  'if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi',
];

/** Picks the node's container of the one running run that `ref` (run id or job name) names. Pure. */
export function pickContainer(
  containers: readonly RunningContainer[],
  ref: string,
  node: number | undefined,
): ExecTarget {
  const mine = containers.filter((c) => c.labels[RUN_LABEL] === ref || c.labels[JOB_LABEL] === ref);
  const runs = [...new Set(mine.map((c) => c.labels[RUN_LABEL] ?? ''))].sort();
  if (runs.length === 0) {
    throw new MnbatchError('EXEC_NO_RUN', `no running local run ${ref} (give its run id or job name)`, {
      details: ['`mnbatch run --local` prints both when it starts: running NAME (run ID) on N local nodes'],
    });
  }
  const runId = runs[0] ?? '';
  if (runs.length > 1) {
    throw new MnbatchError('EXEC_AMBIGUOUS', `${ref} names ${runs.length} running local runs`, {
      exitCode: EXIT.usage,
      details: [`give one of their run ids: ${runs.join(', ')}`],
    });
  }
  const inRun = mine.filter((c) => c.labels[RUN_LABEL] === runId);
  const index = node ?? Number(inRun[0]?.labels[MAIN_NODE_LABEL] ?? 0);
  const container = inRun.find((c) => c.labels[NODE_LABEL] === String(index));
  if (!container) {
    const running = inRun
      .map((c) => Number(c.labels[NODE_LABEL]))
      .sort((a, b) => a - b)
      .join(', ');
    throw new MnbatchError('EXEC_NO_NODE', `node ${index} of run ${runId} is not running`, {
      details: [`running nodes: ${running || 'none'}`],
    });
  }
  return { id: container.id, runId, node: index };
}

/** `docker exec` arguments: `-i` always, `-t` only on a terminal (so pipes and scripts work). */
export function dockerExecArgs(target: ExecTarget, command: readonly string[], tty: boolean): string[] {
  return ['exec', '-i', ...(tty ? ['-t'] : []), target.id, ...(command.length > 0 ? command : LOGIN_SHELL)];
}

export interface LocalExecOptions {
  readonly ref: string;
  readonly node?: number | undefined;
  readonly command: readonly string[];
  /** stdin and stdout are a terminal. */
  readonly tty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly say: (line: string) => void;
}

/** Runs `docker exec` into the node with the user's terminal; returns the command's exit code. */
export async function execLocal(options: LocalExecOptions): Promise<number> {
  const target = pickContainer(
    await listRunningContainers(options.env, RUN_LABEL),
    options.ref,
    options.node,
  );
  options.say(`[mnbatch] node ${target.node} of run ${target.runId}`);
  const r = await execa('docker', dockerExecArgs(target, options.command, options.tty), {
    env: options.env,
    reject: false,
    stdio: 'inherit',
  });
  return r.exitCode ?? EXIT.error;
}
