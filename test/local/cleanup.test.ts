import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENV_DIR_MAX_AGE_MS,
  OWNER_FILE,
  removeLeftoverDirs,
  removeLeftovers,
  removeRun,
  removeStaleEnvDirs,
} from '../../src/local/cleanup.js';
import { ownerState, type ProcReader, selfOwner } from '../../src/local/owner.js';
import { cleanupLocal } from '../../src/local/run-local.js';
import { memoryOutput } from '../../src/ui/output.js';
import { fakeDocker } from './fake-docker.js';

const uid = process.getuid?.() ?? 0;
/** Owners named "dead-…" are gone, "live-…" run; anything else cannot be told. */
const state = (owner: string | undefined) =>
  owner?.startsWith('dead') ? 'dead' : owner?.startsWith('live') ? 'alive' : 'unknown';

async function withRuns() {
  const fake = fakeDocker();
  const make = async (run: string, owner: string | undefined, extra: string[] = []) => {
    const labels = {
      'mnbatch.run': run,
      ...(owner ? { 'mnbatch.owner': owner } : {}),
      'mnbatch.uid': String(uid),
    };
    await fake.docker.createNetwork(`net-${run}`, labels);
    await fake.docker.createContainer([
      '--name',
      `c-${run}`,
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      ...extra,
      'image',
    ]);
  };
  await make('crashed', 'dead-1');
  await make('live', 'live-2');
  await make('kept', 'dead-3', ['--label', 'mnbatch.keep=true']);
  await make('old', undefined);
  await make('other-ns', 'elsewhere-4');
  return fake;
}

describe('removeLeftovers', () => {
  it('removes runs whose owner is certainly gone; live, unknown-owner and kept runs stay', async () => {
    const fake = await withRuns();
    const removed = await removeLeftovers(fake.docker, { state, includeKept: false, uid });
    expect(removed).toEqual(['crashed']);
    expect([...fake.containers.keys()].sort()).toEqual(['c-kept', 'c-live', 'c-old', 'c-other-ns']);
    expect([...fake.networks.keys()].sort()).toEqual(['net-kept', 'net-live', 'net-old', 'net-other-ns']);
  });

  it('with run --cleanup also removes the kept runs of this user, and only theirs', async () => {
    const fake = await withRuns();
    expect(await removeLeftovers(fake.docker, { state, includeKept: true, uid })).toEqual([
      'crashed',
      'kept',
    ]);
    const other = await withRuns();
    expect(await removeLeftovers(other.docker, { state, includeKept: true, uid: uid + 1 })).toEqual([
      'crashed',
    ]);
  });
});

describe('removeLeftoverDirs', () => {
  it('removes this user’s run directories of dead owners, never those of live ones', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mnbatch-cleanup-'));
    const dir = (name: string, owner: object | undefined) => {
      mkdirSync(join(tmp, name));
      mkdirSync(join(tmp, name, 'efs'));
      if (owner) writeFileSync(join(tmp, name, OWNER_FILE), JSON.stringify(owner));
      return join(tmp, name);
    };
    const dead = dir('mnbatch-0000000a', { owner: 'dead-1' });
    const live = dir('mnbatch-0000000b', { owner: 'live-2' });
    const unmarked = dir('mnbatch-0000000c', undefined);
    const notOurs = dir('something-else', { owner: 'dead-1' });
    expect(removeLeftoverDirs(tmp, { state, includeKept: true, uid })).toEqual({
      removed: [dead],
      failed: [],
    });
    expect([live, unmarked, notOurs].every((d) => existsSync(d))).toBe(true);
  });
});

describe('removeStaleEnvDirs', () => {
  it('removes the env file directories a runner killed during docker create left, not one in use', () => {
    // Given a directory left an hour ago (it holds a dead run's token) and one being used now
    const tmp = mkdtempSync(join(tmpdir(), 'mnbatch-envdirs-'));
    const now = Date.now();
    const stale = join(tmp, 'mnbatch-env-Ab12Cd');
    const fresh = join(tmp, 'mnbatch-env-Zz99Yy');
    const other = join(tmp, 'unrelated-dir');
    for (const d of [stale, fresh, other]) mkdirSync(d);
    writeFileSync(join(stale, 'env'), 'MNBATCH_TOKEN=old\n', { mode: 0o600 });
    const old = (now - ENV_DIR_MAX_AGE_MS - 60_000) / 1000;
    utimesSync(stale, old, old);
    utimesSync(other, old, old);
    // When --cleanup sweeps / Then only the stale one is gone
    expect(removeStaleEnvDirs(tmp, uid, now)).toEqual([stale]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(other)).toBe(true);
    // And another user's directories are never touched
    utimesSync(fresh, old, old);
    expect(removeStaleEnvDirs(tmp, uid + 1, now)).toEqual([]);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('ownerState', () => {
  it('tells a live process from one that ended, by pid and start time', async () => {
    // Given a real process and the owner name it would label its run with
    const child = spawn('sleep', ['30']);
    await new Promise((r) => child.once('spawn', r));
    const me = selfOwner();
    const ns = me.slice(0, me.indexOf('/'));
    const stat = (await import('node:fs')).readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const owner = `${ns}/${child.pid}/${start}`;
    // Then it is alive while it runs, and so is this process
    expect(ownerState(owner)).toBe('alive');
    expect(ownerState(me)).toBe('alive');
    // And a different start time under the same pid is a reused pid: its run is dead
    expect(ownerState(`${ns}/${child.pid}/1`)).toBe('dead');
    // When it ends, it is dead
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await expect.poll(() => ownerState(owner)).toBe('dead');
  });

  it('cannot tell the owner of another pid namespace, nor an old label, and says so', () => {
    const proc: ProcReader = { readFile: () => '', readLink: () => 'pid:[4026531836]' };
    expect(ownerState('pid:[999]/12/34', proc)).toBe('unknown');
    expect(ownerState(undefined, proc)).toBe('unknown');
    expect(ownerState('1234', proc)).toBe('unknown');
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

describe('mnbatch run --local --cleanup', () => {
  it('removes a dead run’s containers, network and directory, names each, and leaves this live process’s run', async () => {
    // Given a run of a runner that is gone (pid of a finished process) and one of this process
    const fake = fakeDocker();
    const me = selfOwner();
    const gone = spawnSync('true').pid;
    const deadOwner = me.replace(/\/\d+\/\d+$/, `/${gone}/1`);
    for (const [run, owner] of [
      ['deadrun', deadOwner],
      ['liverun', me],
    ] as const) {
      await fake.docker.createNetwork(`net-${run}`, { 'mnbatch.run': run, 'mnbatch.owner': owner });
      await fake.docker.createContainer([
        '--name',
        `c-${run}`,
        '--label',
        `mnbatch.run=${run}`,
        '--label',
        `mnbatch.owner=${owner}`,
        'img',
      ]);
    }
    const tmp = mkdtempSync(join(tmpdir(), 'mnbatch-cleanup-cli-'));
    mkdirSync(join(tmp, 'mnbatch-0000dead'));
    writeFileSync(join(tmp, 'mnbatch-0000dead', OWNER_FILE), JSON.stringify({ owner: deadOwner }));
    // When run --cleanup runs
    const output = memoryOutput();
    const code = await cleanupLocal({ output, docker: fake.docker, tmp });
    // Then only the dead run is gone, and each removal is said
    expect(code).toBe(0);
    expect([...fake.containers.keys()]).toEqual(['c-liverun']);
    expect([...fake.networks.keys()]).toEqual(['net-liverun']);
    expect(existsSync(join(tmp, 'mnbatch-0000dead'))).toBe(false);
    expect(output.stderr).toEqual([
      '[mnbatch] removed the containers and network of run deadrun',
      `[mnbatch] removed ${join(tmp, 'mnbatch-0000dead')}`,
    ]);
  });
});
