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
