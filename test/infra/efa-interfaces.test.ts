/**
 * EFA on every network card: how many EFA interfaces `infra up` attaches for the stack's instance
 * types (DescribeInstanceTypes answers of test/_fixtures/instances), the launch template it makes,
 * the queue tag `submit` reads, and how an existing stack converges.
 */
import { describe, expect, it } from 'vitest';
import { EFA_INTERFACES_TAG } from '../../src/contract/stack.js';
import { stackEfaInterfaces } from '../../src/infra/efa-interfaces.js';
import { parseInfraConfig } from '../../src/infra/load-config.js';
import { infraUp } from '../../src/infra/up.js';
import { instanceFactsOf } from '../../src/instances/facts.js';
import { memoryOutput } from '../../src/ui/output.js';
import { useFakeInfra } from '../_helpers/fake-aws-infra/index.js';
import { instanceTypeInfo } from '../_helpers/instance-types.js';
import { demoConfig } from './_config.js';

const fake = useFakeInfra();

/** The facts EC2 answers for these types (the fixture's real DescribeInstanceTypes entries). */
const factsOf = (...types: string[]) =>
  new Map(
    types.map((t) => {
      const f = instanceFactsOf(instanceTypeInfo(t));
      if (!f) throw new Error(`no facts for ${t}`);
      return [t, f];
    }),
  );

const C5N_FAMILY = [
  'c5n.large',
  'c5n.xlarge',
  'c5n.2xlarge',
  'c5n.4xlarge',
  'c5n.9xlarge',
  'c5n.18xlarge',
  'c5n.metal',
];

describe('stackEfaInterfaces: one EFA interface per network card every type of the stack has', () => {
  const efa = (instanceTypes: string[], extra: { efaInterfaces?: number } = {}) =>
    stackEfaInterfaces(
      { efa: true, instanceTypes, ...extra },
      factsOf(...instanceTypes.filter((t) => t.includes('.'))),
    );

  it('given one type, then as many as its network cards: p5.48xlarge 32, p4d.24xlarge 4, hpc7a.96xlarge 2, c5n.18xlarge 1', () => {
    expect(
      ['p5.48xlarge', 'p4d.24xlarge', 'hpc7a.96xlarge', 'c5n.18xlarge'].map((t) => efa([t]).interfaces),
    ).toEqual([32, 4, 2, 1]);
    expect(efa(['p4d.24xlarge']).line).toBe(
      '  EFA: 4 interfaces per instance, one per network card of p4d.24xlarge 4',
    );
  });

  it('given a mix of types, then the fewest, and the plan line says which', () => {
    const mix = efa(['p5.48xlarge', 'p4d.24xlarge']);
    expect(mix.interfaces).toBe(4);
    expect(mix.line).toBe(
      '  EFA: 4 interfaces per instance, one per network card, the fewest of p5.48xlarge 32, p4d.24xlarge 4',
    );
  });

  it('given a family, then the fewest of its sizes with EFA (sizes without EFA do not count)', () => {
    const family = stackEfaInterfaces({ efa: true, instanceTypes: ['c5n'] }, factsOf(...C5N_FAMILY));
    expect(family.interfaces).toBe(1);
    const withP4d = stackEfaInterfaces(
      { efa: true, instanceTypes: ['c5n', 'p4d.24xlarge'] },
      factsOf(...C5N_FAMILY, 'p4d.24xlarge'),
    );
    expect(withP4d.interfaces).toBe(1);
    expect(withP4d.line).toContain('the fewest of c5n.* 1, p4d.24xlarge 4');
  });

  it('given a cap, then at most that many; above what the types take, a clear error naming efaInterfaces', () => {
    const capped = efa(['p5.48xlarge'], { efaInterfaces: 8 });
    expect(capped.interfaces).toBe(8);
    expect(capped.line).toBe('  EFA: 8 interfaces per instance, capped by efaInterfaces (p5.48xlarge 32)');
    expect(() => efa(['p5.48xlarge', 'p4d.24xlarge'], { efaInterfaces: 8 })).toThrow(
      'efaInterfaces: 8 is more than the instance types take: p5.48xlarge 32, p4d.24xlarge 4 (one EFA interface per network card)',
    );
  });

  it('given efa: false, then none; given only types Batch picks (optimal), then the one interface stacks always had', () => {
    expect(
      stackEfaInterfaces({ efa: false, instanceTypes: ['p4d.24xlarge'] }, factsOf('p4d.24xlarge')),
    ).toEqual({
      interfaces: 0,
      line: '  EFA: off',
    });
    expect(stackEfaInterfaces({ efa: true, instanceTypes: ['optimal'] }, new Map()).interfaces).toBe(1);
  });
});

describe('infra.yaml efaInterfaces', () => {
  const BASE =
    'stack: s\nvpcId: vpc-0abc\nsubnetId: subnet-0abc\ninstanceTypes: [p4d.24xlarge]\nmaxVcpus: 96\n';
  const problems = (extra: string) => {
    try {
      parseInfraConfig(BASE + extra, 'infra.yaml');
    } catch (e) {
      return (e as { details: string[] }).details;
    }
    throw new Error('expected an error');
  };

  it('needs efa: true, and a positive whole number, with the line it is on', () => {
    expect(problems('efaInterfaces: 2\n')).toEqual(['infra.yaml:6:16: efaInterfaces: needs efa: true']);
    expect(problems('efa: true\nefaInterfaces: 0\n')).toEqual([
      'infra.yaml:7:16: efaInterfaces: must be a positive whole number',
    ]);
    expect(parseInfraConfig(`${BASE}efa: true\nefaInterfaces: 2\n`, 'infra.yaml').efaInterfaces).toBe(2);
  });

  it('refuses the EFA interfaces tag among the extra tags: mnbatch sets it', () => {
    expect(problems(`tags:\n  ${EFA_INTERFACES_TAG}: '9'\n`)[0]).toContain(
      `tags: ${EFA_INTERFACES_TAG} is set by mnbatch itself`,
    );
  });
});

/** The network interfaces of a version of the stack's launch template (the latest by default). */
const interfacesOf = (version = -1) => {
  const lt = [...fake.state.launchTemplates.values()][0];
  return lt?.versions.at(version)?.LaunchTemplateData?.NetworkInterfaces;
};

describe('infra up with EFA on a type with several network cards', () => {
  it('p5.48xlarge: the primary EFA interface on card 0, an EFA-only interface on each of the 31 other cards', async () => {
    const out = memoryOutput();
    await infraUp(
      fake.services,
      demoConfig(fake.state, { instanceTypes: ['p5.48xlarge'], efa: true }),
      {},
      out,
    );

    const sg = [...fake.state.securityGroups.keys()][0];
    const nis = interfacesOf() ?? [];
    expect(nis).toHaveLength(32);
    expect(nis[0]).toEqual({ DeviceIndex: 0, InterfaceType: 'efa', Groups: [sg], DeleteOnTermination: true });
    expect(nis.slice(1)).toEqual(
      Array.from({ length: 31 }, (_, i) => ({
        NetworkCardIndex: i + 1,
        DeviceIndex: 0,
        InterfaceType: 'efa-only',
        Groups: [sg],
        DeleteOnTermination: true,
      })),
    );
    expect(fake.state.jobQueues.get('mnbatch-demo')?.tags?.[EFA_INTERFACES_TAG]).toBe('32');
    expect(out.stdout).toContain('  EFA: 32 interfaces per instance, one per network card of p5.48xlarge 32');
  });

  it('a mix of p4d.24xlarge and p5.48xlarge: 4 interfaces, the fewest', async () => {
    const config = demoConfig(fake.state, { instanceTypes: ['p4d.24xlarge', 'p5.48xlarge'], efa: true });
    await infraUp(fake.services, config, {}, memoryOutput());
    expect(interfacesOf()?.map((n) => `${n.NetworkCardIndex ?? 0}:${n.InterfaceType}`)).toEqual([
      '0:efa',
      '1:efa-only',
      '2:efa-only',
      '3:efa-only',
    ]);
    expect(fake.state.jobQueues.get('mnbatch-demo')?.tags?.[EFA_INTERFACES_TAG]).toBe('4');
  });

  it('c5n.18xlarge (one card): the single EFA interface stacks always had', async () => {
    await infraUp(fake.services, demoConfig(fake.state, { efa: true }), {}, memoryOutput());
    expect(interfacesOf()).toHaveLength(1);
    expect(fake.state.jobQueues.get('mnbatch-demo')?.tags?.[EFA_INTERFACES_TAG]).toBe('1');
  });

  it('a cap above what the types take: a clear error, and nothing is created', async () => {
    const config = demoConfig(fake.state, { instanceTypes: ['p4d.24xlarge'], efa: true, efaInterfaces: 8 });
    await expect(infraUp(fake.services, config, {}, memoryOutput())).rejects.toMatchObject({
      code: 'INFRA_EFA_INTERFACES',
    });
    expect(fake.state.mutations).toEqual([]);
  });
});

describe('infra up on a stack made before EFA on every card', () => {
  /** A stack as an earlier mnbatch left it: one EFA interface, and a queue without the tag. */
  async function oldStack() {
    await infraUp(fake.services, demoConfig(fake.state, { efa: true }), {}, memoryOutput());
    const queue = fake.state.jobQueues.get('mnbatch-demo');
    if (queue?.tags) delete queue.tags[EFA_INTERFACES_TAG];
    fake.state.mutations.length = 0;
  }

  it('same types: the launch template is kept (nothing that matters changed), the queue gets its tag', async () => {
    await oldStack();
    const out = memoryOutput();
    await infraUp(fake.services, demoConfig(fake.state, { efa: true }), {}, out);
    expect(fake.state.mutations).toEqual([
      'UpdateJobQueue mnbatch-demo ENABLED',
      `TagResource mnbatch-demo mnbatch:stack,${EFA_INTERFACES_TAG}`,
    ]);
    expect(out.stdout.join('\n')).toMatch(/=\s+nothing\s+launch-template/);
    expect(out.stdout.join('\n')).toContain(`tag ${EFA_INTERFACES_TAG} (none) → 1`);
    expect(fake.state.jobQueues.get('mnbatch-demo')?.tags).toEqual({
      'mnbatch:stack': 'demo',
      [EFA_INTERFACES_TAG]: '1',
    });
  });

  it('now p4d.24xlarge: a new launch template version with 4 interfaces, the compute environment on it, the tag 4; then nothing to do', async () => {
    await oldStack();
    const config = demoConfig(fake.state, { instanceTypes: ['p4d.24xlarge'], efa: true });
    const out = memoryOutput();
    await infraUp(fake.services, config, {}, out);

    const lt = [...fake.state.launchTemplates.values()][0];
    expect(lt?.versions).toHaveLength(2);
    expect(interfacesOf(0)).toHaveLength(1);
    expect(interfacesOf(-1)).toHaveLength(4);
    expect(
      fake.state.computeEnvironments.get('mnbatch-demo')?.computeResources?.launchTemplate?.version,
    ).toBe('2');
    expect(fake.state.jobQueues.get('mnbatch-demo')?.tags?.[EFA_INTERFACES_TAG]).toBe('4');
    expect(out.stdout.join('\n')).toMatch(/~\s+update\s+launch-template\s+mnbatch-demo.*new version 2/);

    fake.state.mutations.length = 0;
    const again = memoryOutput();
    await infraUp(fake.services, config, {}, again);
    expect(fake.state.mutations).toEqual([]);
    expect(again.stdout).toContain('nothing to do');
  });

  it('back to one card (c5n.18xlarge): a new version with one interface again, and the tag 1', async () => {
    await infraUp(
      fake.services,
      demoConfig(fake.state, { instanceTypes: ['p4d.24xlarge'], efa: true }),
      {},
      memoryOutput(),
    );
    await infraUp(fake.services, demoConfig(fake.state, { efa: true }), {}, memoryOutput());
    expect(interfacesOf()).toHaveLength(1);
    expect(fake.state.jobQueues.get('mnbatch-demo')?.tags?.[EFA_INTERFACES_TAG]).toBe('1');
  });
});
