import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/agent/backoff.js';
import { launcherEnv, mpirunArgv, renderSshWrapper } from '../../src/agent/launch-argv.js';
import { formatLaunchLine, parseLaunchLine } from '../../src/agent/log.js';
import { plural } from '../../src/contract/words.js';

const settings = {
  np: 12,
  hostfiles: { openmpi: '/s/hostfile', mpich: '/s/hostfile.mpich', intelmpi: '/s/hostfile.intelmpi' },
  sshConfig: '/s/ssh_config',
  sshWrapper: '/s/ssh',
  env: { NCCL_DEBUG: 'INFO', OMP_NUM_THREADS: '1' },
  runAsRoot: true,
  extraArgs: ['--bind-to', 'core'],
  command: ['./hello', '--n', '3'],
};

describe('mpirun argv', () => {
  it('given Open MPI as root, when built, then hostfile, -np, ssh config, -x, --allow-run-as-root, extra args, command', () => {
    expect(mpirunArgv({ ...settings, mpi: 'openmpi' })).toEqual([
      'mpirun',
      '--hostfile',
      '/s/hostfile',
      '-np',
      '12',
      '--mca',
      'plm_rsh_agent',
      'ssh',
      '--mca',
      'plm_rsh_args',
      '-F /s/ssh_config',
      '--mca',
      'plm_rsh_no_tree_spawn',
      '1',
      '--mca',
      'btl_tcp_if_exclude',
      'lo,ecs-eth0',
      '--mca',
      'oob_tcp_if_exclude',
      'ecs-eth0',
      '-x',
      'NCCL_DEBUG=INFO',
      '-x',
      'OMP_NUM_THREADS=1',
      '--allow-run-as-root',
      '--bind-to',
      'core',
      './hello',
      '--n',
      '3',
    ]);
  });

  it('given Open MPI as a normal user, when built, then there is no --allow-run-as-root', () => {
    expect(mpirunArgv({ ...settings, mpi: 'openmpi', runAsRoot: false })).not.toContain(
      '--allow-run-as-root',
    );
  });

  it('given MPICH, when built, then Hydra gets the hostfile, the ssh wrapper and -genv', () => {
    expect(mpirunArgv({ ...settings, mpi: 'mpich' })).toEqual([
      'mpiexec',
      '-f',
      '/s/hostfile.mpich',
      '-n',
      '12',
      '-launcher',
      'ssh',
      '-launcher-exec',
      '/s/ssh',
      '-genv',
      'NCCL_DEBUG',
      'INFO',
      '-genv',
      'OMP_NUM_THREADS',
      '1',
      '--bind-to',
      'core',
      './hello',
      '--n',
      '3',
    ]);
  });

  it('given Intel MPI, when built, then -bootstrap ssh with -F in the bootstrap args', () => {
    expect(mpirunArgv({ ...settings, mpi: 'intelmpi' })).toEqual([
      'mpirun',
      '-f',
      '/s/hostfile.intelmpi',
      '-n',
      '12',
      '-bootstrap',
      'ssh',
      '-bootstrap-exec-args',
      '-F /s/ssh_config',
      '-genv',
      'NCCL_DEBUG',
      'INFO',
      '-genv',
      'OMP_NUM_THREADS',
      '1',
      '--bind-to',
      'core',
      './hello',
      '--n',
      '3',
    ]);
  });

  it('given Open MPI and a job that picks its own TCP interfaces, when built, then the agent adds no exclusion of that kind', () => {
    const mca = (args: string[]) => args.filter((a, i) => args[i - 1] === '--mca' && /_tcp_if_/.test(a));
    const viaArgs = mpirunArgv({
      ...settings,
      mpi: 'openmpi',
      extraArgs: ['--mca', 'btl_tcp_if_include', 'eth1'],
    });
    expect(mca(viaArgs)).toEqual(['oob_tcp_if_exclude', 'btl_tcp_if_include']);
    const viaMpiEnv = mpirunArgv({
      ...settings,
      mpi: 'openmpi',
      env: { OMPI_MCA_oob_tcp_if_include: 'eth1' },
    });
    expect(mca(viaMpiEnv)).toEqual(['btl_tcp_if_exclude']);
    const viaJobEnv = mpirunArgv({
      ...settings,
      mpi: 'openmpi',
      launcherEnv: { OMPI_MCA_btl_tcp_if_include: '10.0.0.0/16', PRTE_MCA_oob_tcp_if_include: 'eth0' },
    });
    expect(mca(viaJobEnv)).toEqual([]);
  });

  it('given Open MPI, when the launcher environment is made, then Open MPI 5 (PRRTE, plm_ssh_*) gets the ssh launch the --mca flags give Open MPI 4, and CMA single copy is off, unless the job set them', () => {
    expect(launcherEnv('openmpi', '/s/ssh_config', {})).toEqual({
      PRTE_MCA_plm_ssh_agent: 'ssh',
      PRTE_MCA_plm_ssh_args: '-F /s/ssh_config',
      PRTE_MCA_plm_ssh_no_tree_spawn: '1',
      OMPI_MCA_btl_vader_single_copy_mechanism: 'none',
    });
    expect(launcherEnv('openmpi', '/s/ssh_config', { PRTE_MCA_plm_ssh_args: '-q' })).not.toHaveProperty(
      'PRTE_MCA_plm_ssh_args',
    );
  });

  it('given ranks that outnumber the CPUs, when the launcher environment is made, then Open MPI ranks yield when idle unless the job chose otherwise', () => {
    expect(launcherEnv('openmpi', '/s/ssh_config', {}, true)).toMatchObject({
      OMPI_MCA_mpi_yield_when_idle: '1',
    });
    expect(launcherEnv('openmpi', '/s/ssh_config', {})).not.toHaveProperty('OMPI_MCA_mpi_yield_when_idle');
    expect(
      launcherEnv('openmpi', '/s/ssh_config', { OMPI_MCA_mpi_yield_when_idle: '0' }, true),
    ).not.toHaveProperty('OMPI_MCA_mpi_yield_when_idle');
    expect(launcherEnv('mpich', '/s/ssh_config', {}, true)).toEqual({});
  });

  it('given Intel MPI, when the launcher environment is made, then hierarchical launch is off unless the job set it', () => {
    expect(launcherEnv('intelmpi', '/s/ssh_config', {})).toEqual({ I_MPI_HYDRA_BRANCH_COUNT: '-1' });
    expect(launcherEnv('intelmpi', '/s/ssh_config', { I_MPI_HYDRA_BRANCH_COUNT: '8' })).toEqual({});
    expect(launcherEnv('mpich', '/s/ssh_config', {})).toEqual({});
  });

  it('given a config path with a quote, when the wrapper is rendered, then it is shell-quoted', () => {
    expect(renderSshWrapper("/a'b/ssh_config")).toBe(`#!/bin/sh\nexec ssh -F '/a'\\''b/ssh_config' "$@"\n`);
  });
});

describe('backoff', () => {
  it('given successive attempts, when delays are computed, then they double from ~50 ms and cap at 1 s', () => {
    const low = [0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, undefined, 0));
    const high = [0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, undefined, 1));
    expect(low).toEqual([25, 50, 100, 200, 400, 500, 500, 500]);
    expect(high).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
  });
});

describe('launch line', () => {
  it('given the launch facts, when formatted and parsed back, then they round-trip', () => {
    const line = formatLaunchLine({
      mode: 'mpirun',
      nodes: 4,
      slots: 16,
      bringUpSeconds: 1.23456,
      t: 1_763_700_000_123,
    });
    expect(line).toBe('launching mpirun: 4 nodes, 16 slots, bring-up 1.235s, t=1763700000123');
    expect(parseLaunchLine(`[mnbatch-agent node 0/4 main] ${line}`)).toEqual({
      mode: 'mpirun',
      nodes: 4,
      slots: 16,
      bringUpSeconds: 1.235,
      t: 1_763_700_000_123,
    });
    expect(parseLaunchLine('[mnbatch-agent node 0/4 main] waiting for 3 children')).toBeUndefined();
  });

  it('given one node with one slot, when formatted, then the nouns are singular and the line still parses', () => {
    const line = formatLaunchLine({ mode: 'main', nodes: 1, slots: 1, bringUpSeconds: 0.5, t: 1 });
    expect(line).toBe('launching main: 1 node, 1 slot, bring-up 0.500s, t=1');
    expect(parseLaunchLine(line)).toMatchObject({ mode: 'main', nodes: 1, slots: 1 });
  });
});

describe('plural', () => {
  it('given counts of 0, 1 and 2, when worded, then only 1 takes the singular (irregular plurals too)', () => {
    expect([0, 1, 2].map((n) => plural(n, 'slot'))).toEqual(['0 slots', '1 slot', '2 slots']);
    expect([1, 3].map((n) => plural(n, 'child', 'children'))).toEqual(['1 child', '3 children']);
  });
});
