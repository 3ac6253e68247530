/**
 * The agent as shipped: the single executable runs where there is no Node at all, the bundle
 * runs on Node, and the agent image carries no SSH host key and starts the agent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** `docker run` of a one-node job (no network: the node's address is loopback), `launch: main` unless dockerArgs say otherwise. */
function runOneNodeJob(image: string, dockerArgs: readonly string[], command: readonly string[]) {
  return run('docker', [
    ...['run', '--rm', '--init', '--network', 'none'],
    ...['-e', 'AWS_BATCH_JOB_ID=job-nonroot#0', '-e', 'AWS_BATCH_JOB_NODE_INDEX=0'],
    ...['-e', 'AWS_BATCH_JOB_NUM_NODES=1', '-e', 'AWS_BATCH_JOB_MAIN_NODE_INDEX=0'],
    ...['-e', 'MNBATCH_TOKEN=container-test-token-0123', '-e', 'MNBATCH_IP=127.0.0.1'],
    // Later options win: dockerArgs may set another launch mode.
    ...['-e', 'MNBATCH_LAUNCH=main', ...dockerArgs, image, ...command],
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

describe('Open MPI in the agent image, in a container without CAP_SYS_PTRACE (as on ECS)', () => {
  const BIG_MESSAGE_C = `#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, n = 1 << 20, bad = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char *b = calloc(n, 1);
  for (int i = 0; rank == 0 && i < n; i++) b[i] = (char)(i % 251 + 1);
  if (rank == 0) MPI_Send(b, n, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
  if (rank == 1) MPI_Recv(b, n, MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  for (int i = 0; rank == 1 && i < n; i++) bad += b[i] != (char)(i % 251 + 1);
  if (rank == 1) printf("1 MiB received, %d bad bytes\\n", bad);
  MPI_Finalize();
  return 0;
}
`;

  it('given two ranks on one node, when a 1 MiB message goes between them, then it arrives without CMA errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnbatch-cma-'));
    try {
      writeFileSync(join(dir, 'big.c'), BIG_MESSAGE_C);
      // The host's Open MPI is the image's (both Debian bookworm), so the program runs in it.
      execFileSync('mpicc', ['-o', join(dir, 'big'), join(dir, 'big.c')], { stdio: 'pipe' });
      const r = runOneNodeJob(
        AGENT_TAG,
        [
          '--mount',
          `type=bind,source=${dir},target=/job,readonly`,
          '-e',
          'MNBATCH_LAUNCH=mpirun',
          '-e',
          'MNBATCH_SLOTS=2',
        ],
        ['/job/big'],
      );
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('1 MiB received, 0 bad bytes');
      expect(r.out).not.toMatch(/Read -1, expected \d+, errno = 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
