import { describe, expect, it } from 'vitest';
import { AGENT_DEFAULTS, AGENT_ENV } from '../../src/contract/agent-env.js';
import { INFRASTRUCTURE_EXIT_CODES } from '../../src/contract/exit-codes.js';
import { stackQueueName } from '../../src/contract/stack.js';
import { type JobPlan, type PlanOptions, PlanRuleError, planJob } from '../../src/plan/index.js';
import { MAX_EVALUATE_ON_EXIT, retryStrategy } from '../../src/plan/retry.js';
import { parseJobSpec } from '../../src/spec/index.js';
import { assertValidRequest } from '../_helpers/aws-model.js';
import { fixtureInstances } from '../_helpers/instance-types.js';

const BASE = `
name: demo
image: demo:1
nodes: 4
queue: q
resources: { vcpus: 2, memory: 2GiB }
`;
const STACK_KEY = {
  kind: 'stack-key',
  parameterArn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/mnbatch/dev/rendezvous-key',
  executionRoleArn: 'arn:aws:iam::123456789012:role/mnbatch-dev-execution',
} as const;
const OPTIONS: PlanOptions = { rendezvous: STACK_KEY, version: '1.2.3' };

function plan(extra = '', options: Partial<PlanOptions> = {}, base = BASE): JobPlan {
  const p = planJob(parseJobSpec(`${base}${extra}`, 'job.yaml'), { ...OPTIONS, ...options });
  assertValidRequest('batch', 'RegisterJobDefinition', p.registerJobDefinition);
  assertValidRequest('batch', 'SubmitJob', p.submitJob);
  return p;
}

function container(p: JobPlan, range = 0) {
  return p.registerJobDefinition.nodeProperties!.nodeRangeProperties![range]!.container!;
}

function env(p: JobPlan, range = 0): Record<string, string> {
  return Object.fromEntries(container(p, range).environment!.map((e) => [e.name!, e.value!]));
}

describe('planJob', () => {
  it('plans a multinode job definition with one open range and the agent variables', () => {
    // Given a minimal job / When it is planned
    const p = plan('environment: { B: 2, A: x }\nmpi: { args: ["-x", "A"], env: { Z: 1 } }\n');

    // Then the definition is multinode, EC2, with an open range so --nodes works
    const def = p.registerJobDefinition;
    expect(def).toMatchObject({ type: 'multinode', platformCapabilities: ['EC2'], propagateTags: false });
    expect(def.nodeProperties).toMatchObject({ numNodes: 4, mainNode: 0 });
    expect(def.nodeProperties!.nodeRangeProperties!.map((r) => r.targetNodes)).toEqual(['0:']);
    expect(container(p).resourceRequirements).toEqual([
      { type: 'VCPU', value: '2' },
      { type: 'MEMORY', value: '2048' },
    ]);
    // And the environment is the job's plus MNBATCH_* (without the token), sorted by name
    const names = container(p).environment!.map((e) => e.name!);
    expect(names).toEqual([...names].sort());
    expect(env(p)).toMatchObject({
      A: 'x',
      B: '2',
      [AGENT_ENV.protocol]: '1',
      [AGENT_ENV.jobName]: 'demo',
      [AGENT_ENV.launch]: 'mpirun',
      [AGENT_ENV.mpi]: 'auto',
      [AGENT_ENV.slots]: 'auto',
      [AGENT_ENV.gpus]: '0',
      [AGENT_ENV.mpirunArgs]: '["-x","A"]',
      [AGENT_ENV.mpiEnv]: '{"Z":"1"}',
      [AGENT_ENV.rendezvousPort]: String(AGENT_DEFAULTS.rendezvousPort),
      [AGENT_ENV.rendezvousTimeout]: String(AGENT_DEFAULTS.rendezvousTimeoutSeconds),
      [AGENT_ENV.sshPort]: String(AGENT_DEFAULTS.sshPort),
    });
    expect(env(p)).not.toHaveProperty(AGENT_ENV.minNodes);
    expect(env(p)).not.toHaveProperty(AGENT_ENV.token);
    expect(container(p)).not.toHaveProperty('entrypoint');
  });

  it("on Batch, names the stack key in every range's secrets with the execution role, and sends no token", () => {
    const p = plan('nodeGroups:\n  - range: "0:0"\n  - range: "1:"\n');
    for (const range of p.registerJobDefinition.nodeProperties!.nodeRangeProperties!) {
      expect(range.container).toMatchObject({
        executionRoleArn: STACK_KEY.executionRoleArn,
        secrets: [{ name: AGENT_ENV.rendezvousKey, valueFrom: STACK_KEY.parameterArn }],
      });
    }
    expect(p.submitJob.nodeOverrides).toBeUndefined();
    expect(JSON.stringify(p.submitJob)).not.toContain(AGENT_ENV.token);
  });

  it('names the definition as `plan` does: the account and region of the key and role are not in the name', () => {
    const submitted = plan();
    const planned = plan('', { rendezvous: { kind: 'placeholder' } });
    const otherAccount = plan('', {
      rendezvous: {
        kind: 'stack-key',
        parameterArn: STACK_KEY.parameterArn.replace('123456789012', '210987654321'),
        executionRoleArn: STACK_KEY.executionRoleArn.replace('123456789012', '210987654321'),
      },
    });
    expect(planned.jobDefinitionName).toBe(submitted.jobDefinitionName);
    expect(otherAccount.jobDefinitionName).toBe(submitted.jobDefinitionName);
    expect(JSON.stringify(planned.registerJobDefinition)).toContain('<account>');
    expect(JSON.stringify(submitted.registerJobDefinition)).not.toContain('<account>');
  });

  it("keeps job.yaml's executionRoleArn when it gives one", () => {
    const p = plan('executionRoleArn: arn:aws:iam::123456789012:role/mine\n');
    expect(container(p)).toMatchObject({ executionRoleArn: 'arn:aws:iam::123456789012:role/mine' });
  });

  it('for a local run, puts the per-run token only in the SubmitJob request, for every range', () => {
    const p = plan('nodeGroups:\n  - range: "0:0"\n  - range: "1:"\n', {
      rendezvous: { kind: 'token', token: 'secret-token' },
    });
    expect(JSON.stringify(p.registerJobDefinition)).not.toContain('secret-token');
    expect(JSON.stringify(p.registerJobDefinition)).not.toContain('secrets');
    expect(p.submitJob.nodeOverrides!.nodePropertyOverrides).toEqual(
      ['0:0', '1:'].map((targetNodes) => ({
        targetNodes,
        containerOverrides: { environment: [{ name: AGENT_ENV.token, value: 'secret-token' }] },
      })),
    );
  });

  it('tags the definition and the job; the user only on the job', () => {
    const p = plan('tags: { team: hpc }\npropagateTags: true\n', { user: 'alice' });
    expect(p.registerJobDefinition.tags).toEqual({
      team: 'hpc',
      'mnbatch:job': 'demo',
      'mnbatch:version': '1.2.3',
    });
    expect(p.submitJob).toMatchObject({
      jobName: 'demo',
      jobQueue: 'q',
      jobDefinition: p.jobDefinitionName,
      propagateTags: true,
      tags: { team: 'hpc', 'mnbatch:job': 'demo', 'mnbatch:version': '1.2.3', 'mnbatch:user': 'alice' },
    });
  });

  describe('queue', () => {
    it('prefers --queue, then queue, then the stack queue', () => {
      expect(plan('', { queue: 'cli' }).submitJob.jobQueue).toBe('cli');
      const spec = parseJobSpec(BASE.replace('queue: q', 'stack: hpc'), 'job.yaml');
      expect(planJob(spec, OPTIONS).submitJob.jobQueue).toBe(stackQueueName('hpc'));
    });

    it('fails clearly without any', () => {
      const spec = parseJobSpec(BASE.replace('queue: q', ''), 'job.yaml');
      expect(() => planJob(spec, OPTIONS)).toThrow(
        'no queue: set queue or stack in job.yaml, or pass --queue',
      );
    });
  });

  describe('--nodes', () => {
    it('overrides the count in SubmitJob and leaves the definition alone', () => {
      const p = plan('', { nodes: 16 });
      expect(p.numNodes).toBe(16);
      expect(p.submitJob.nodeOverrides!.numNodes).toBe(16);
      expect(p.registerJobDefinition.nodeProperties!.numNodes).toBe(4);
      expect(p.jobDefinitionName).toBe(plan().jobDefinitionName);
      expect(plan().submitJob.nodeOverrides?.numNodes).toBeUndefined();
    });

    it('rejects counts the job or Batch cannot run', () => {
      expect(() => plan('rendezvous: { minNodes: 3 }\n', { nodes: 2 })).toThrow(
        '--nodes 2: is below rendezvous.minNodes (3)',
      );
      expect(() => plan('mainNode: 3\n', { nodes: 3 })).toThrow('--nodes 3: must be above mainNode (3)');
      expect(() => plan('nodeGroups:\n  - range: "0:2"\n  - range: "3:"\n', { nodes: 3 })).toThrow(
        'must be above 3, where the last node group starts',
      );
      expect(() => plan('', { nodes: 1001 })).toThrow('must be a whole number from 2 to 1000');
    });
  });

  describe('retries', () => {
    it('retries only infrastructure failures by default', () => {
      const strategy = plan('retries: { attempts: 3 }\n').registerJobDefinition.retryStrategy!;
      expect(strategy.attempts).toBe(3);
      expect(strategy.evaluateOnExit).toEqual([
        ...INFRASTRUCTURE_EXIT_CODES.map((c) => ({ onExitCode: String(c), action: 'RETRY' })),
        { onStatusReason: 'Host EC2*', action: 'RETRY' },
        { onReason: '*', action: 'EXIT' },
      ]);
      expect(strategy.evaluateOnExit!.length).toBeLessThanOrEqual(5);
    });

    it('refuses to drop a rule when the retry codes would not fit in five rules', () => {
      const retries = { attempts: 3, on: 'infrastructure' as const };
      expect(retryStrategy(retries, [202, 203, 204]).evaluateOnExit).toHaveLength(MAX_EVALUATE_ON_EXIT);
      expect(() => retryStrategy(retries, [202, 203, 204, 207])).toThrow(/6 evaluateOnExit rules/);
    });

    it('retries any failure with on: any, and not at all with one attempt', () => {
      expect(plan('retries: { attempts: 2, on: any }\n').registerJobDefinition.retryStrategy).toEqual({
        attempts: 2,
      });
      expect(plan().registerJobDefinition.retryStrategy).toEqual({ attempts: 1 });
    });
  });

  describe('devices and storage', () => {
    it('runs an init process as PID 1 on every node range, so orphans of mpirun and sshd are reaped', () => {
      const p = plan('nodeGroups: [{ range: "0:0" }, { range: "1:" }]\n');
      const ranges = p.registerJobDefinition.nodeProperties!.nodeRangeProperties!;
      expect(ranges).toHaveLength(2);
      for (const r of ranges) expect(r.container!.linuxParameters!.initProcessEnabled).toBe(true);
    });

    it("maps the one EFA device the stack's launch template gives a type with EFA, and unlocks memory", () => {
      // Given EC2's facts (p4d.24xlarge: EfaInfo.MaximumEfaInterfaces 4), and infra up's launch
      // template with one EFA interface: the other devices would not exist on the host.
      const p = plan('instanceType: p4d.24xlarge\nefa: auto\n', { instances: fixtureInstances() });
      const devices = container(p).linuxParameters!.devices!;
      expect(devices.map((d) => d.hostPath)).toEqual(['/dev/infiniband/uverbs0']);
      expect(devices[0]).toEqual({
        hostPath: '/dev/infiniband/uverbs0',
        containerPath: '/dev/infiniband/uverbs0',
        permissions: ['READ', 'WRITE', 'MKNOD'],
      });
      expect(container(p).ulimits).toEqual([{ name: 'memlock', softLimit: -1, hardLimit: -1 }]);
      expect(p.unresolved).toEqual([]);
      // More only when asked for, up to what the type takes (p5.48xlarge: 32)
      const p5 = plan('instanceType: p5.48xlarge\nefa: 32\n', { instances: fixtureInstances() });
      expect(container(p5).linuxParameters!.devices).toHaveLength(32);
      expect(() => plan('instanceType: p4d.24xlarge\nefa: 5\n', { instances: fixtureInstances() })).toThrow(
        'p4d.24xlarge has 4 EFA devices',
      );
    });

    it('keeps the job memlock and takes an explicit EFA count for types it has no facts of', () => {
      const p = plan(
        'instanceType: x9.huge\nefa: 2\nulimits: { memlock: 1024, stack: { soft: 1, hard: unlimited } }\n',
      );
      expect(container(p).linuxParameters!.devices).toHaveLength(2);
      expect(container(p).ulimits).toEqual([
        { name: 'memlock', softLimit: 1024, hardLimit: 1024 },
        { name: 'stack', softLimit: 1, hardLimit: -1 },
      ]);
    });

    it('given efa: auto offline with a type the cache lacks, then no device and a note that submit resolves it', () => {
      const offline = { factsOf: () => undefined, source: 'cache' } as const;
      for (const instances of [offline, undefined]) {
        const p = plan('instanceType: p4d.24xlarge\nefa: auto\n', instances ? { instances } : {});
        expect(container(p).linuxParameters!.devices).toBeUndefined();
        expect(container(p).ulimits).toEqual([{ name: 'memlock', softLimit: -1, hardLimit: -1 }]);
        expect(p.unresolved).toEqual([
          expect.stringContaining('efa: auto: the EFA devices of p4d.24xlarge are resolved at submit time'),
        ]);
      }
    });

    it("given EC2's facts, then counts the type cannot take are refused, naming the path", () => {
      const instances = fixtureInstances();
      const refused = (extra: string) => () => plan(extra, { instances });
      expect(refused('instanceType: c5n.18xlarge\nefa: 2\n')).toThrow(
        expect.objectContaining({ path: ['efa'], message: 'c5n.18xlarge has 1 EFA device' }),
      );
      expect(refused('instanceType: c5.large\nefa: 1\n')).toThrow(
        expect.objectContaining({
          path: ['efa'],
          message: expect.stringContaining('c5.large does not support EFA'),
        }),
      );
      expect(refused('instanceType: c5.large\nefa: auto\n')).toThrow(PlanRuleError);
      expect(refused('instanceType: zz9.large\nefa: auto\n')).toThrow(
        expect.objectContaining({
          path: ['instanceType'],
          message: 'EC2 knows no instance type zz9.large in this region',
        }),
      );
      expect(
        container(plan('instanceType: hpc7a.96xlarge\nefa: 2\n', { instances })).linuxParameters!.devices,
      ).toHaveLength(2);
    });

    it('mounts EFS with TLS and IAM, an AMI-mounted EFS, and host volumes', () => {
      const efs = plan('efs: { fileSystemId: fs-12345678, rootDirectory: /jobs, iam: true }\n');
      expect(container(efs).volumes).toEqual([
        {
          name: 'efs',
          efsVolumeConfiguration: {
            fileSystemId: 'fs-12345678',
            rootDirectory: '/jobs',
            transitEncryption: 'ENABLED',
            authorizationConfig: { iam: 'ENABLED' },
          },
        },
      ]);
      expect(container(efs).mountPoints).toEqual([
        { sourceVolume: 'efs', containerPath: '/efs', readOnly: false },
      ]);

      const host = plan(
        'efs: { hostPath: /mnt/efs, mountPath: /data }\nvolumes: [{ hostPath: /scratch, containerPath: /s, readOnly: true }]\n',
      );
      expect(container(host).volumes).toEqual([
        { name: 'efs', host: { sourcePath: '/mnt/efs' } },
        { name: 'volume-0', host: { sourcePath: '/scratch' } },
      ]);
      expect(container(host).mountPoints).toEqual([
        { sourceVolume: 'efs', containerPath: '/data', readOnly: false },
        { sourceVolume: 'volume-0', containerPath: '/s', readOnly: true },
      ]);
    });

    it('sets shared memory, GPUs, timeout, roles and logging', () => {
      const p = plan(
        [
          'sharedMemory: 1GiB',
          'timeout: 1h30m',
          'jobRoleArn: arn:aws:iam::123456789012:role/job',
          'executionRoleArn: arn:aws:iam::123456789012:role/exec',
          'logging: { driver: awslogs, options: { awslogs-group: /mnbatch } }',
          'rendezvous: { minNodes: 3, timeout: 2m }',
          '',
        ].join('\n'),
        {},
        BASE.replace('{ vcpus: 2, memory: 2GiB }', '{ vcpus: 8, memory: 61440, gpus: 4 }'),
      );
      const c = container(p);
      expect(c.resourceRequirements).toContainEqual({ type: 'GPU', value: '4' });
      expect(c.linuxParameters).toEqual({ initProcessEnabled: true, sharedMemorySize: 1024 });
      expect(p.registerJobDefinition.timeout).toEqual({ attemptDurationSeconds: 5400 });
      expect(c.jobRoleArn).toBe('arn:aws:iam::123456789012:role/job');
      expect(c.executionRoleArn).toBe('arn:aws:iam::123456789012:role/exec');
      expect(c.logConfiguration).toEqual({ logDriver: 'awslogs', options: { 'awslogs-group': '/mnbatch' } });
      expect(env(p)).toMatchObject({
        [AGENT_ENV.gpus]: '4',
        [AGENT_ENV.minNodes]: '3',
        [AGENT_ENV.rendezvousTimeout]: '120',
      });
    });
  });

  it('plans node groups in index order, the last one open, each with its overrides', () => {
    // Given groups written out of order, the last closed at the last node
    const p = plan(
      [
        'command: ["run"]',
        'environment: { SHARED: s, ROLE: none }',
        'nodeGroups:',
        '  - range: { from: 1, to: 3 }',
        '    environment: { ROLE: worker }',
        '  - range: "0:0"',
        '    image: coord:1',
        '    command: coordinate --all',
        '    resources: { vcpus: 1 }',
        '    environment: { ROLE: coordinator }',
        '',
      ].join('\n'),
    );
    const ranges = p.registerJobDefinition.nodeProperties!.nodeRangeProperties!;
    // Then they come sorted, the last made open-ended so that --nodes can grow the job
    expect(ranges.map((r) => r.targetNodes)).toEqual(['0:0', '1:']);
    expect(container(p, 0)).toMatchObject({
      image: 'coord:1',
      command: ['/bin/sh', '-c', 'coordinate --all'],
    });
    expect(container(p, 0).resourceRequirements).toEqual([
      { type: 'VCPU', value: '1' },
      { type: 'MEMORY', value: '2048' },
    ]);
    expect(container(p, 1)).toMatchObject({ image: 'demo:1', command: ['run'] });
    expect(env(p, 0)).toMatchObject({ SHARED: 's', ROLE: 'coordinator' });
    expect(env(p, 1)).toMatchObject({ SHARED: 's', ROLE: 'worker' });
  });

  describe('job definition name', () => {
    it('is mnbatch-, the job name and a hash of the content: same content, same name', () => {
      const a = plan();
      const b = planJob(parseJobSpec(`${BASE}\n# a comment changes nothing\n`, 'other.yaml'), {
        ...OPTIONS,
        nodes: 8,
        queue: 'elsewhere',
        user: 'bob',
      });
      expect(a.jobDefinitionName).toMatch(/^mnbatch-demo-[0-9a-f]{10}$/);
      expect(b.jobDefinitionName).toBe(a.jobDefinitionName);
      expect(a.registerJobDefinition.jobDefinitionName).toBe(a.jobDefinitionName);
    });

    it.each([
      ['image', BASE.replace('demo:1', 'demo:2'), ''],
      ['nodes', BASE.replace('nodes: 4', 'nodes: 5'), ''],
      ['memory', BASE.replace('2GiB', '3GiB'), ''],
      ['environment', BASE, 'environment: { A: 1 }\n'],
      ['mpi args', BASE, 'mpi: { args: ["-v"] }\n'],
      ['timeout', BASE, 'timeout: 2h\n'],
      ['tags', BASE, 'tags: { a: b }\n'],
    ])('changes when %s changes', (_what, base, extra) => {
      const changed = planJob(parseJobSpec(`${base}${extra}`, 'job.yaml'), OPTIONS);
      expect(changed.jobDefinitionName).not.toBe(plan().jobDefinitionName);
    });

    it('changes with the mnbatch version (the agent contract may change with it)', () => {
      expect(plan('', { version: '1.2.4' }).jobDefinitionName).not.toBe(plan().jobDefinitionName);
    });
  });
});
