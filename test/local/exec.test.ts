/** `mnbatch exec --local`: which container of which run, and the docker exec arguments. */
import { describe, expect, it } from 'vitest';
import { isMnbatchError } from '../../src/errors.js';
import { dockerExecArgs, LOGIN_SHELL, pickContainer, type RunningContainer } from '../../src/local/exec.js';

const node = (run: string, job: string, index: number, main = 0): RunningContainer => ({
  id: `${run}-c${index}`,
  labels: {
    'mnbatch.run': run,
    'mnbatch.job': job,
    'mnbatch.node': String(index),
    'mnbatch.main-node': String(main),
  },
});

const running = [
  node('r1', 'hello', 0, 1),
  node('r1', 'hello', 1, 1),
  node('r1', 'hello', 2, 1),
  node('r2', 'cfd', 0),
];

function errorOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (isMnbatchError(e)) return e;
  }
  throw new Error('no MnbatchError');
}

describe('pickContainer', () => {
  it('finds a run by its id or its job name, and goes to its main node by default', () => {
    expect(pickContainer(running, 'hello', undefined)).toEqual({ id: 'r1-c1', runId: 'r1', node: 1 });
    expect(pickContainer(running, 'r1', 2)).toEqual({ id: 'r1-c2', runId: 'r1', node: 2 });
    expect(pickContainer(running, 'cfd', undefined)).toEqual({ id: 'r2-c0', runId: 'r2', node: 0 });
  });

  it('says when no run, or not that node, is running', () => {
    expect(errorOf(() => pickContainer(running, 'nope', undefined)).message).toBe(
      'no running local run nope (give its run id or job name)',
    );
    const e = errorOf(() => pickContainer(running, 'r1', 5));
    expect(e.message).toBe('node 5 of run r1 is not running');
    expect(e.details).toEqual(['running nodes: 0, 1, 2']);
  });

  it('refuses a job name two runs share, naming their run ids (usage)', () => {
    const e = errorOf(() => pickContainer([...running, node('r3', 'hello', 0)], 'hello', undefined));
    expect(e.exitCode).toBe(2);
    expect(e.details).toEqual(['give one of their run ids: r1, r3']);
  });
});

describe('dockerExecArgs', () => {
  const target = { id: 'c1', runId: 'r1', node: 1 };
  it('asks for a terminal only on a terminal, and runs a login shell by default', () => {
    expect(dockerExecArgs(target, [], true)).toEqual(['exec', '-i', '-t', 'c1', ...LOGIN_SHELL]);
    expect(dockerExecArgs(target, ['hostname'], false)).toEqual(['exec', '-i', 'c1', 'hostname']);
  });
});
