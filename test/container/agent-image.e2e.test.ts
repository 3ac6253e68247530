/**
 * The agent as shipped: the single executable runs where there is no Node at all, the bundle
 * runs on Node, and the agent image carries no SSH host key and starts the agent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT } from '../../src/contract/exit-codes.js';
import { LOCAL_BASE_IMAGE } from '../../src/local/images.js';
import { AGENT_EXECUTABLE, AGENT_TAG, ensureTestImages, REPO } from './images.js';

function run(command: string, args: readonly string[], input?: string) {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    ...(input === undefined ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input }),
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `docker run` of a one-node job (no network: the node's address is loopback) with `launch: main`. */
function runOneNodeJob(image: string, dockerArgs: readonly string[], command: readonly string[]) {
  return run('docker', [
    ...['run', '--rm', '--init', '--network', 'none', ...dockerArgs],
    ...['-e', 'AWS_BATCH_JOB_ID=job-nonroot#0', '-e', 'AWS_BATCH_JOB_NODE_INDEX=0'],
    ...['-e', 'AWS_BATCH_JOB_NUM_NODES=1', '-e', 'AWS_BATCH_JOB_MAIN_NODE_INDEX=0'],
    ...['-e', 'MNBATCH_TOKEN=container-test-token-0123', '-e', 'MNBATCH_IP=127.0.0.1'],
    ...['-e', 'MNBATCH_LAUNCH=main', image, ...command],
  ]);
}

beforeAll(async () => {
  await ensureTestImages();
}, 1_200_000);

describe('the agent single executable', () => {
  it('runs in a bare Debian container with no Node: it reads its configuration and names what is missing', () => {
    const noNode = run('docker', [
      'run',
      '--rm',
      LOCAL_BASE_IMAGE,
      'sh',
      '-c',
      'command -v node || echo no-node',
    ]);
    expect(noNode.out.trim()).toBe('no-node');
    const agent = run('docker', [
      ...['run', '--rm', '--mount', `type=bind,source=${AGENT_EXECUTABLE},target=/mnbatch-agent,readonly`],
      ...[LOCAL_BASE_IMAGE, '/mnbatch-agent', 'true'],
    ]);
    expect(agent.code, agent.out).toBe(AGENT_EXIT.config);
    expect(agent.out).toMatch(/AWS_BATCH_JOB_ID is not set/);
  });
});

describe('the agent bundle', () => {
  it('runs on Node as one file', () => {
    const bundle = join(REPO, 'dist', 'agent-bundle', 'mnbatch-agent.cjs');
    const r = spawnSync(process.execPath, [bundle, 'true'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(r.status, r.stderr).toBe(AGENT_EXIT.config);
    expect(r.stderr).toMatch(/AWS_BATCH_JOB_ID is not set/);
  });
});

describe('the agent image', () => {
  it('has the agent as its entry point and no Node', () => {
    const entrypoint = execFileSync(
      'docker',
      ['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', AGENT_TAG],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(entrypoint)).toEqual(['/usr/local/bin/mnbatch-agent']);
    const node = run('docker', [
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      AGENT_TAG,
      '-c',
      'command -v node || echo no-node',
    ]);
    expect(node.out.trim()).toBe('no-node');
  });

  it('carries no SSH host key, so no two containers can share one', () => {
    const keys = run('docker', ['run', '--rm', '--entrypoint', 'sh', AGENT_TAG, '-c', 'ls /etc/ssh']);
    expect(keys.code).toBe(0);
    expect(keys.out).toMatch(/sshd_config/);
    expect(keys.out).not.toMatch(/ssh_host_/);
  });

  it('has Open MPI and OpenSSH for the agent', () => {
    const tools = run('docker', [
      ...['run', '--rm', '--entrypoint', 'sh', AGENT_TAG, '-c'],
      'command -v mpirun && command -v sshd && command -v ssh-keygen && command -v ssh',
    ]);
    expect(tools.code, tools.out).toBe(0);
  });
});

describe('the agent in an image whose USER is not root', () => {
  const NON_ROOT_IMAGE = 'mnbatch-test/agent-nonroot:latest';
  beforeAll(() => {
    const built = run(
      'docker',
      ['build', '-q', '-t', NON_ROOT_IMAGE, '-'],
      `FROM ${AGENT_TAG}\nRUN useradd --create-home --uid 1000 mpi\nUSER mpi\n`,
    );
    expect(built.code, built.out).toBe(0);
  }, 300_000);

  it('keeps its files under the home directory, runs sshd as that user and logs the job in with its key', () => {
    const r = runOneNodeJob(
      NON_ROOT_IMAGE,
      [],
      ['sh', '-c', 'ssh -F "$MNBATCH_SSH_CONFIG" 127.0.0.1 id -un && echo "$MNBATCH_HOSTFILE"'],
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('mpi\n/home/mpi/.mnbatch/hostfile\n');
  });

  it('given a user id the image does not know, when the agent starts, then it exits 201 saying so', () => {
    const r = runOneNodeJob(NON_ROOT_IMAGE, ['--user', '4242'], ['true']);
    expect(r.code, r.out).toBe(AGENT_EXIT.config);
    expect(r.out).toMatch(/runs as a user id with no entry in \/etc\/passwd/);
  });
});
