import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InstanceKnowledge } from '../../src/instances/facts.js';
import { loadJobFile } from '../../src/jobs/job-file.js';
import type { CliContext } from '../../src/ui/context.js';
import { memoryOutput } from '../../src/ui/output.js';
import { fixtureInstances } from '../_helpers/instance-types.js';

const dir = mkdtempSync(join(tmpdir(), 'mnbatch-job-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ctx = (): CliContext => ({
  output: memoryOutput(),
  env: { USER: 'alice' },
  cwd: dir,
  signal: new AbortController().signal,
  exitCode: 0,
});

function jobFile(name: string, extra: string): string {
  writeFileSync(
    join(dir, name),
    `name: demo\nimage: demo:1\nnodes: 2\nqueue: q\nresources: { vcpus: 2, memory: 2GiB }\n${extra}`,
  );
  return name;
}

/** A lookup that records the types it was asked for and answers from `knowledge`. */
function recording(knowledge: InstanceKnowledge) {
  const asked: string[] = [];
  return {
    asked,
    instances: async (type: string) => {
      asked.push(type);
      return knowledge;
    },
  };
}

const devices = (plan: Awaited<ReturnType<typeof loadJobFile>>['plan']) =>
  plan.registerJobDefinition.nodeProperties?.nodeRangeProperties?.[0]?.container?.linuxParameters?.devices ??
  [];

describe('loadJobFile with instance facts', () => {
  it('given efa off, then the facts are not asked for', async () => {
    const lookup = recording(fixtureInstances());
    const file = jobFile('off.yaml', 'instanceType: p4d.24xlarge\n');
    const { plan } = await loadJobFile(file, {}, ctx(), { instances: lookup.instances });
    expect(lookup.asked).toEqual([]);
    expect(devices(plan)).toEqual([]);
  });

  it("given efa: auto, then the type's facts are asked for once and its EFA devices mapped", async () => {
    const lookup = recording(fixtureInstances());
    const file = jobFile('auto.yaml', 'instanceType: p4d.24xlarge\nefa: auto\n');
    const { plan } = await loadJobFile(file, {}, ctx(), { instances: lookup.instances });
    expect(lookup.asked).toEqual(['p4d.24xlarge']);
    expect(devices(plan)).toHaveLength(1);
    expect(plan.unresolved).toEqual([]);
  });

  it('given facts from EC2 that lack the type, then a positioned problem of the file, nothing planned', async () => {
    const lookup = recording({ factsOf: () => undefined, source: 'ec2' });
    const file = jobFile('unknown.yaml', 'instanceType: zz9.large\nefa: auto\n');
    await expect(loadJobFile(file, {}, ctx(), { instances: lookup.instances })).rejects.toMatchObject({
      code: 'SPEC_INVALID',
      details: ['unknown.yaml:6:15: instanceType: EC2 knows no instance type zz9.large in this region'],
    });
  });

  it('given a lookup that fails (AWS said no), then its error, not a plan without devices', async () => {
    const file = jobFile('denied.yaml', 'instanceType: p4d.24xlarge\nefa: auto\n');
    const denied = async () => {
      throw new Error('ec2:DescribeInstanceTypes denied');
    };
    await expect(loadJobFile(file, {}, ctx(), { instances: denied })).rejects.toThrow('denied');
  });
});

describe("loadJobFile with the queue's stack (submit)", () => {
  /** A stack lookup answering with the given EFA interfaces (undefined: a queue without the tag). */
  const stackOf = (interfaces: number | undefined) => async (queue: string) => ({
    rendezvous: { kind: 'token' as const, token: 't' },
    efa: { queue, interfaces: interfaces ?? 1, tagged: interfaces !== undefined },
  });
  const paths = (plan: Awaited<ReturnType<typeof loadJobFile>>['plan']) =>
    devices(plan).map((d) => d.hostPath);

  it('given efa: auto on a p4d.24xlarge stack of 4 interfaces, then 4 devices, uverbs0 to uverbs3', async () => {
    const file = jobFile('p4d-auto.yaml', 'instanceType: p4d.24xlarge\nefa: auto\n');
    const { plan } = await loadJobFile(file, {}, ctx(), {
      instances: recording(fixtureInstances()).instances,
      stackOf: stackOf(4),
    });
    expect(paths(plan)).toEqual([0, 1, 2, 3].map((i) => `/dev/infiniband/uverbs${i}`));
  });

  it('given efa: auto on a p5.48xlarge stack capped at 8, then 8; on a stack without the tag, then 1', async () => {
    const file = jobFile('p5-auto.yaml', 'instanceType: p5.48xlarge\nefa: auto\n');
    const instances = recording(fixtureInstances()).instances;
    expect(paths((await loadJobFile(file, {}, ctx(), { instances, stackOf: stackOf(8) })).plan)).toHaveLength(
      8,
    );
    expect(
      paths((await loadJobFile(file, {}, ctx(), { instances, stackOf: stackOf(undefined) })).plan),
    ).toEqual(['/dev/infiniband/uverbs0']);
  });

  it('given efa: auto on a stack without EFA (tag 0), then no device, so the containers start', async () => {
    const file = jobFile('no-efa-stack.yaml', 'instanceType: p4d.24xlarge\nefa: auto\n');
    const { plan } = await loadJobFile(file, {}, ctx(), {
      instances: recording(fixtureInstances()).instances,
      stackOf: stackOf(0),
    });
    expect(paths(plan)).toEqual([]);
  });

  it('given efa: 8 on a stack of 4 interfaces, then a positioned error before anything is sent', async () => {
    const file = jobFile('too-many.yaml', 'instanceType: p5.48xlarge\nefa: 8\n');
    await expect(
      loadJobFile(file, {}, ctx(), {
        instances: recording(fixtureInstances()).instances,
        stackOf: stackOf(4),
      }),
    ).rejects.toMatchObject({
      code: 'SPEC_INVALID',
      details: [
        'too-many.yaml:7:6: efa: 8 EFA devices, but the instances of queue q have 4 EFA interfaces (its mnbatch:efa-interfaces tag), and a container whose device is missing does not start: set efa: auto or at most 4, or run `mnbatch infra up` with efa: true (it attaches one per network card)',
      ],
    });
  });

  it('given efa: 2 on a stack without the tag, then the error says the stack predates the tag', async () => {
    const file = jobFile('old-stack.yaml', 'instanceType: p4d.24xlarge\nefa: 2\n');
    await expect(
      loadJobFile(file, {}, ctx(), {
        instances: recording(fixtureInstances()).instances,
        stackOf: stackOf(undefined),
      }),
    ).rejects.toMatchObject({
      details: [
        expect.stringContaining(
          '1 EFA interface (no mnbatch:efa-interfaces tag: made by an mnbatch that attached one)',
        ),
      ],
    });
  });
});
