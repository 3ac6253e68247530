import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/agent/config.js';
import { AgentError } from '../../src/agent/errors.js';
import { AGENT_DEFAULTS } from '../../src/contract/agent-env.js';
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
      mpi: 'auto',
      output: 'tagged',
      slots: 'auto',
      yieldWhenIdle: false,
      rendezvousPort: AGENT_DEFAULTS.rendezvousPort,
      rendezvousTimeoutSeconds: AGENT_DEFAULTS.rendezvousTimeoutSeconds,
      minNodes: 4,
      sshPort: AGENT_DEFAULTS.sshPort,
      interface: AGENT_DEFAULTS.interface,
      stateDir: AGENT_DEFAULTS.stateDir,
      installSsh: true,
      mainIp: undefined,
      command: ['./a.out', '-x'],
    });
  });

  it('given MNBATCH_MPI and MNBATCH_OUTPUT, when parsed, then every documented value is taken and anything else is named', () => {
    for (const mpi of ['auto', 'openmpi', 'mpich', 'intelmpi']) {
      expect(parseConfig({ ...base, MNBATCH_MPI: mpi }, ['x']).mpi).toBe(mpi);
    }
    expect(parseConfig({ ...base, MNBATCH_OUTPUT: 'raw' }, ['x']).output).toBe('raw');
    expect(configError({ ...base, MNBATCH_MPI: 'lam' }).message).toContain('MNBATCH_MPI must be one of auto');
    expect(configError({ ...base, MNBATCH_OUTPUT: 'pretty' }).message).toContain(
      'MNBATCH_OUTPUT must be one of tagged, raw',
    );
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
    [{ ...base, MNBATCH_TOKEN: undefined }, 'MNBATCH_RENDEZVOUS_KEY is not set (nor MNBATCH_TOKEN'],
    [{ ...base, MNBATCH_TOKEN: 'short' }, 'MNBATCH_TOKEN must be at least 16 characters'],
    [
      { ...base, MNBATCH_TOKEN: undefined, MNBATCH_RENDEZVOUS_KEY: 'short' },
      'MNBATCH_RENDEZVOUS_KEY must be at least 16 characters',
    ],
    [
      { ...base, MNBATCH_RENDEZVOUS_KEY: 'a-stack-key-of-enough-length' },
      'MNBATCH_TOKEN and MNBATCH_RENDEZVOUS_KEY are both set',
    ],
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
    [
      { ...base, MNBATCH_RENDEZVOUS_PORT: String(AGENT_DEFAULTS.sshPort) },
      'MNBATCH_RENDEZVOUS_PORT must differ',
    ],
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

describe('the token of a Batch job (derived from the stack key)', () => {
  const KEY = 'k'.repeat(43);
  const batchNode = (jobId: string, attempt: string, index: number) => ({
    ...(index === 0 ? base : { ...child, AWS_BATCH_JOB_NODE_INDEX: String(index) }),
    MNBATCH_TOKEN: undefined,
    MNBATCH_RENDEZVOUS_KEY: KEY,
    AWS_BATCH_JOB_ID: `${jobId}#${index}`,
    AWS_BATCH_JOB_ATTEMPT: attempt,
  });
  const tokenOf = (env: Record<string, string | undefined>) => parseConfig(env, ['hostname']).token;

  it('given every node of one attempt, when each derives its token, then all hold the same one, which is not the key', () => {
    const tokens = [0, 1, 2, 3].map((i) => tokenOf(batchNode('a1b2c3', '1', i)));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[0]).not.toContain(KEY);
  });

  it('given another job id, another attempt or another key, when derived, then the token differs', () => {
    const one = tokenOf(batchNode('a1b2c3', '1', 1));
    expect(tokenOf(batchNode('a1b2c4', '1', 1))).not.toBe(one);
    expect(tokenOf(batchNode('a1b2c3', '2', 1))).not.toBe(one);
    expect(tokenOf({ ...batchNode('a1b2c3', '1', 1), MNBATCH_RENDEZVOUS_KEY: 'j'.repeat(43) })).not.toBe(one);
  });

  it('given the key and job, when derived, then it is HMAC-SHA256(key, "<job id>\\n<attempt>")', () => {
    const expected = createHmac('sha256', KEY).update('a1b2c3\n2').digest('hex');
    expect(tokenOf(batchNode('a1b2c3', '2', 0))).toBe(expected);
  });
});
