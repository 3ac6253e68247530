import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/agent/config.js';
import { AgentError } from '../../src/agent/errors.js';
import { AGENT_EXIT } from '../../src/contract/exit-codes.js';

const base = {
  AWS_BATCH_JOB_ID: 'job-1',
  AWS_BATCH_JOB_ATTEMPT: '1',
  AWS_BATCH_JOB_NODE_INDEX: '0',
  AWS_BATCH_JOB_NUM_NODES: '4',
  AWS_BATCH_JOB_MAIN_NODE_INDEX: '0',
  MNBATCH_TOKEN: 'a-token-of-enough-length',
};
const child = {
  ...base,
  AWS_BATCH_JOB_NODE_INDEX: '2',
  AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS: '10.0.0.5',
};

function configError(env: Record<string, string | undefined>, argv: string[] = ['hostname']): AgentError {
  try {
    parseConfig(env, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(AgentError);
    return e as AgentError;
  }
  throw new Error('expected a configuration error');
}

describe('parseConfig', () => {
  it('given the main node variables, when parsed, then role is main with the documented defaults', () => {
    const c = parseConfig(base, ['./a.out', '-x']);
    expect(c).toMatchObject({
      role: 'main',
      nodeIndex: 0,
      numNodes: 4,
      launch: 'mpirun',
      mpi: 'openmpi',
      slots: 'auto',
      yieldWhenIdle: false,
      rendezvousPort: 7070,
      rendezvousTimeoutSeconds: 600,
      minNodes: 4,
      sshPort: 2222,
      interface: 'eth0',
      stateDir: '/run/mnbatch',
      installSsh: true,
      mainIp: undefined,
      command: ['./a.out', '-x'],
    });
  });

  it('given the node job ids Batch sets (<job id>#<node index>), when parsed, then every node has the same job id', () => {
    expect(parseConfig({ ...base, AWS_BATCH_JOB_ID: 'a1b2#0' }, ['x']).jobId).toBe('a1b2');
    expect(parseConfig({ ...child, AWS_BATCH_JOB_ID: 'a1b2#2' }, ['x']).jobId).toBe('a1b2');
  });

  it('given a child with the main address, when parsed, then role is child', () => {
    const c = parseConfig(child, ['hostname']);
    expect(c.role).toBe('child');
    expect(c.mainIp).toBe('10.0.0.5');
  });

  it('given MNBATCH_* settings, when parsed, then they are typed', () => {
    const c = parseConfig(
      {
        ...base,
        MNBATCH_LAUNCH: 'each',
        MNBATCH_MPI: 'intelmpi',
        MNBATCH_SLOTS: '8',
        MNBATCH_GPUS: '2',
        MNBATCH_YIELD_WHEN_IDLE: '1',
        MNBATCH_MPIRUN_ARGS: '["--bind-to","core"]',
        MNBATCH_MPI_ENV: '{"NCCL_DEBUG":"INFO"}',
        MNBATCH_MIN_NODES: '3',
        MNBATCH_STATE_DIR: '/tmp/x',
        MNBATCH_IP: '127.0.0.2',
      },
      ['x'],
    );
    expect(c).toMatchObject({
      launch: 'each',
      mpi: 'intelmpi',
      slots: 8,
      gpus: 2,
      yieldWhenIdle: true,
      mpirunArgs: ['--bind-to', 'core'],
      mpiEnv: { NCCL_DEBUG: 'INFO' },
      minNodes: 3,
      ip: '127.0.0.2',
      installSsh: false,
    });
  });

  it('given an image whose USER is not root, when no state dir is set, then the agent writes under the home directory (a non-root user cannot create /run/mnbatch) and installs ~/.ssh', () => {
    const c = parseConfig(base, ['x'], { uid: 1000, home: '/home/mpi' });
    expect(c.stateDir).toBe('/home/mpi/.mnbatch');
    expect(c.installSsh).toBe(true);
    expect(
      parseConfig({ ...base, MNBATCH_STATE_DIR: '/scratch/s' }, ['x'], { uid: 1000, home: '/home/mpi' }),
    ).toMatchObject({ stateDir: '/scratch/s', installSsh: false });
    expect(parseConfig(base, ['x'], { uid: 0, home: '/root' }).stateDir).toBe('/run/mnbatch');
  });

  it.each([
    [{ ...base, AWS_BATCH_JOB_ID: undefined }, 'AWS_BATCH_JOB_ID is not set'],
    [
      { ...base, AWS_BATCH_JOB_NUM_NODES: 'four' },
      'AWS_BATCH_JOB_NUM_NODES must be a whole number, got "four"',
    ],
    [{ ...base, AWS_BATCH_JOB_NODE_INDEX: '4' }, 'AWS_BATCH_JOB_NODE_INDEX must be between 0 and 3, got 4'],
    [
      { ...child, AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS: undefined },
      'AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS is not set',
    ],
    [{ ...child, AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS: 'main.local' }, 'must be an IPv4 address'],
    [{ ...base, MNBATCH_TOKEN: undefined }, 'MNBATCH_TOKEN is not set'],
    [{ ...base, MNBATCH_TOKEN: 'short' }, 'MNBATCH_TOKEN must be at least 16 characters'],
    [{ ...base, MNBATCH_PROTOCOL: '2' }, 'MNBATCH_PROTOCOL is "2"'],
    [{ ...base, MNBATCH_LAUNCH: 'srun' }, 'MNBATCH_LAUNCH must be one of mpirun, each, main, got "srun"'],
    [{ ...base, MNBATCH_SLOTS: '0' }, 'MNBATCH_SLOTS must be between 1'],
    [{ ...base, MNBATCH_YIELD_WHEN_IDLE: 'yes' }, 'MNBATCH_YIELD_WHEN_IDLE must be one of 0, 1, got "yes"'],
    [
      { ...base, MNBATCH_MPIRUN_ARGS: '--bind-to core' },
      'MNBATCH_MPIRUN_ARGS must be a JSON array of strings',
    ],
    [{ ...base, MNBATCH_MPI_ENV: '{"A":1}' }, 'MNBATCH_MPI_ENV value of A must be a string'],
    [{ ...base, MNBATCH_SSH_PORT: '70000' }, 'MNBATCH_SSH_PORT must be between 1 and 65535'],
    [{ ...base, MNBATCH_RENDEZVOUS_PORT: '2222' }, 'MNBATCH_RENDEZVOUS_PORT must differ'],
    [{ ...base, MNBATCH_MIN_NODES: '5' }, 'MNBATCH_MIN_NODES must be between 1 and 4'],
    [{ ...base, MNBATCH_IP: '10.0.0' }, 'MNBATCH_IP must be an IPv4 address'],
    [{ ...base, MNBATCH_STATE_DIR: 'relative' }, 'MNBATCH_STATE_DIR must be an absolute path'],
  ])('given a bad variable, when parsed, then one config error names it (%#)', (env, message) => {
    const e = configError(env);
    expect(e.exitCode).toBe(AGENT_EXIT.config);
    expect(e.message).toContain(message);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('given no command, when parsed, then it is a config error', () => {
    const e = configError(base, []);
    expect(e.exitCode).toBe(AGENT_EXIT.config);
    expect(e.message).toContain('no command given');
  });
});
