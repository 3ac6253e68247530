import { describe, expect, it } from 'vitest';
import { removeLeftovers, removeRun } from '../../src/local/cleanup.js';
import { fakeDocker } from './fake-docker.js';

async function withRuns() {
  const fake = fakeDocker();
  const make = async (run: string, pid: number, extra: string[] = []) => {
    await fake.docker.createNetwork(`net-${run}`, { 'mnbatch.run': run, 'mnbatch.pid': String(pid) });
    await fake.docker.createContainer([
      '--name',
      `c-${run}`,
      '--label',
      `mnbatch.run=${run}`,
      '--label',
      `mnbatch.pid=${pid}`,
      ...extra,
      'image',
    ]);
  };
  await make('crashed', 100);
  await make('live', 200);
  await make('kept', 300, ['--label', 'mnbatch.keep=true']);
  return fake;
}

describe('removeLeftovers', () => {
  it('removes the runs of processes that are gone, but not live or kept runs', async () => {
    const fake = await withRuns();
    const removed = await removeLeftovers(fake.docker, (pid) => pid === 200);
    expect(removed).toEqual(['crashed']);
    expect([...fake.containers.keys()].sort()).toEqual(['c-kept', 'c-live']);
    expect([...fake.networks.keys()].sort()).toEqual(['net-kept', 'net-live']);
  });
});

describe('removeRun', () => {
  it('removes the containers before the network of one run only', async () => {
    const fake = await withRuns();
    await removeRun(fake.docker, 'live');
    expect(fake.calls.slice(-2)).toEqual(['rm c-live', 'network rm net-live']);
    expect(fake.containers.has('c-crashed')).toBe(true);
  });
});
