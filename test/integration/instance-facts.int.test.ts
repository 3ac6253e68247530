/**
 * The instance facts lookup against moto: the request mnbatch sends (a filter with exact types
 * and "family.*" patterns, paginated) is one the independent implementation answers, with the
 * members mnbatch reads.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { ec2FromClient } from '../../src/aws/ec2.js';
import { describeInstanceFacts } from '../../src/instances/facts.js';
import { useTestAccount } from '../_helpers/moto/aws-test-account.js';

const account = useTestAccount();

describe('instance facts from DescribeInstanceTypes (moto)', () => {
  it('given a type and a family, then the facts of the type and of every size of the family', async () => {
    const ec2 = ec2FromClient(new EC2Client(account.sdk));
    const facts = await describeInstanceFacts(ec2, ['c5n.18xlarge', 'hpc7g', 'no-such.type']);
    expect(facts.get('c5n.18xlarge')).toMatchObject({ vcpus: 72, memoryMiB: 196_608, efaSupported: true });
    const hpc7g = [...facts.keys()].filter((t) => t.startsWith('hpc7g.')).sort();
    expect(hpc7g).toEqual(['hpc7g.16xlarge', 'hpc7g.4xlarge', 'hpc7g.8xlarge']);
    expect(facts.get('hpc7g.16xlarge')?.architectures).toEqual(['arm64']);
    expect(account.shim.calls.filter((c) => c.operation === 'DescribeInstanceTypes').length).toBeGreaterThan(
      0,
    );
  });

  it('given EFA types, then EfaInfo.MaximumEfaInterfaces and the threads per core come through (efa: auto, ami bake)', async () => {
    const ec2 = ec2FromClient(new EC2Client(account.sdk));
    const facts = await describeInstanceFacts(ec2, [
      'p5.48xlarge',
      'p4d.24xlarge',
      'hpc7g.16xlarge',
      'c6i.large',
    ]);
    expect(facts.get('p5.48xlarge')).toMatchObject({ efaSupported: true, maxEfaInterfaces: 32, gpus: 8 });
    expect(facts.get('p4d.24xlarge')).toMatchObject({ maxEfaInterfaces: 4, cores: 48, threadsPerCore: 2 });
    expect(facts.get('hpc7g.16xlarge')).toMatchObject({ maxEfaInterfaces: 1, cores: 64, threadsPerCore: 1 });
    expect(facts.get('c6i.large')).toMatchObject({ efaSupported: false, maxEfaInterfaces: 0 });
  });
});
