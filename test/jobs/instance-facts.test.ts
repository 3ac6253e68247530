import { describe, expect, it } from 'vitest';
import { MnbatchError } from '../../src/errors.js';
import { INSTANCE_TYPES, instanceTypeFacts } from '../../src/jobs/instance-types.js';

const fromEc2 = { vcpus: 4, memoryMiB: 4096, gpus: 0 };

describe('instance type facts of the RUNNABLE diagnosis: EC2 first, the built-in table as fallback', () => {
  it("given EC2's answer, then that alone: sizes EC2 does not list are not taken from the table", async () => {
    const facts = await instanceTypeFacts(async () => new Map([['c5.large', fromEc2]]), ['c5']);
    expect(facts).toEqual(new Map([['c5.large', fromEc2]]));
  });

  it('given AWS refuses the lookup (access denied, throttled), then the table alone', async () => {
    const denied = async () => {
      throw new MnbatchError('AWS_ACCESS_DENIED', 'ec2:DescribeInstanceTypes denied');
    };
    expect(await instanceTypeFacts(denied, ['c5'])).toBe(INSTANCE_TYPES);
  });

  it('given a bug in the lookup, then it is not hidden', async () => {
    const broken = async () => {
      throw new TypeError('x is undefined');
    };
    await expect(instanceTypeFacts(broken, ['c5'])).rejects.toThrow(TypeError);
  });

  it('given no lookup (tests, offline) or nothing to look up, then the table without asking', async () => {
    let asked = false;
    const lookup = async () => {
      asked = true;
      return new Map();
    };
    expect(await instanceTypeFacts(undefined, ['c5'])).toBe(INSTANCE_TYPES);
    expect(await instanceTypeFacts(lookup, [])).toBe(INSTANCE_TYPES);
    expect(asked).toBe(false);
  });
});
