/**
 * rootVolumeGiB and runnableTimeLimit: how infra.yaml states them, what requests they become and
 * how an existing launch template or queue is compared with them.
 */
import type { JobStateTimeLimitAction } from '@aws-sdk/client-batch';
import { describe, expect, it } from 'vitest';
import { sameLaunchTemplateData, timeLimitDifference } from '../../src/infra/compare.js';
import { parseInfraConfig } from '../../src/infra/load-config.js';
import { jobQueueRequest, launchTemplateData, timeLimitActions } from '../../src/infra/requests.js';
import { assertValidRequest } from '../_helpers/aws-model.js';

const BASE =
  'stack: s\nvpcId: vpc-0abc\nsubnetId: subnet-0abc\ninstanceTypes: [c5n.18xlarge]\nmaxVcpus: 72\n';
const parse = (extra: string) => parseInfraConfig(BASE + extra, 'infra.yaml');
const problems = (extra: string) => {
  try {
    parse(extra);
  } catch (e) {
    return (e as { details: string[] }).details;
  }
  throw new Error('expected an error');
};

describe('rootVolumeGiB', () => {
  it('puts an encrypted gp3 root volume of that size in the launch template, on the AMI root device', () => {
    const config = parse('rootVolumeGiB: 200\n');
    const data = launchTemplateData(config, { securityGroupId: 'sg-1', rootDeviceName: '/dev/sda1' }, 1);
    expect(data.BlockDeviceMappings).toEqual([
      {
        DeviceName: '/dev/sda1',
        Ebs: { VolumeSize: 200, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
      },
    ]);
    expect(
      launchTemplateData(config, { securityGroupId: 'sg-1' }, 1).BlockDeviceMappings?.[0]?.DeviceName,
    ).toBe('/dev/xvda');
    assertValidRequest('ec2', 'CreateLaunchTemplateVersion', {
      LaunchTemplateId: 'lt-1',
      LaunchTemplateData: data,
    });
  });

  it('is left out when unset, so the AMI decides', () => {
    expect(launchTemplateData(parse(''), { securityGroupId: 'sg-1' }, 1).BlockDeviceMappings).toBeUndefined();
  });

  it('refuses sizes below the AMI and above gp3, and fractions', () => {
    expect(problems('rootVolumeGiB: 8\n')).toEqual([
      'infra.yaml:6:16: rootVolumeGiB: must be at least 30 (the size of the ECS-optimized AMI)',
    ]);
    expect(problems('rootVolumeGiB: 20000\n')[0]).toContain('must be at most 16384');
    expect(problems('rootVolumeGiB: 40.5\n')[0]).toContain('rootVolumeGiB');
  });

  it('a launch template version with another size is not the same', () => {
    const want = launchTemplateData(parse('rootVolumeGiB: 200\n'), { securityGroupId: 'sg-1' }, 1);
    const have100 = launchTemplateData(parse('rootVolumeGiB: 100\n'), { securityGroupId: 'sg-1' }, 1);
    expect(sameLaunchTemplateData(want, have100)).toBe(false);
    expect(sameLaunchTemplateData(want, want)).toBe(true);
    expect(sameLaunchTemplateData(launchTemplateData(parse(''), { securityGroupId: 'sg-1' }, 1), want)).toBe(
      false,
    );
  });
});

describe('runnableTimeLimit', () => {
  it('is off by default: no jobStateTimeLimitActions in CreateJobQueue', () => {
    const request = jobQueueRequest(
      parse(''),
      'arn:aws:batch:us-east-1:123456789012:compute-environment/ce',
      0,
    );
    expect(request.jobStateTimeLimitActions).toBeUndefined();
  });

  it('cancels for every supported reason unless told which', () => {
    const config = parse('runnableTimeLimit:\n  maxTimeSeconds: 3600\n');
    const request = jobQueueRequest(config, 'arn:aws:batch:us-east-1:123456789012:compute-environment/ce', 0);
    expect(request.jobStateTimeLimitActions).toEqual([
      {
        reason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
        state: 'RUNNABLE',
        maxTimeSeconds: 3600,
        action: 'CANCEL',
      },
      {
        reason: 'MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE',
        state: 'RUNNABLE',
        maxTimeSeconds: 3600,
        action: 'CANCEL',
      },
      {
        reason: 'MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT',
        state: 'RUNNABLE',
        maxTimeSeconds: 3600,
        action: 'CANCEL',
      },
    ]);
    assertValidRequest('batch', 'CreateJobQueue', request);
    assertValidRequest('batch', 'UpdateJobQueue', { jobQueue: 'q', jobStateTimeLimitActions: [] });
  });

  it('refuses times Batch refuses and reasons it cannot act on', () => {
    expect(problems('runnableTimeLimit:\n  maxTimeSeconds: 60\n')[0]).toContain('must be at least 600');
    expect(problems('runnableTimeLimit:\n  maxTimeSeconds: 100000\n')[0]).toContain('must be at most 86400');
    expect(problems('runnableTimeLimit:\n  maxTimeSeconds: 600\n  reasons: [STUCK]\n')[0]).toContain(
      'must be one of CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
    );
  });

  it('compares with what the queue has, in any order and case', () => {
    const config = parse(
      'runnableTimeLimit:\n  maxTimeSeconds: 900\n  reasons: [CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY]\n',
    );
    const want = timeLimitActions(config);
    expect(
      timeLimitDifference([{ ...(want[0] as JobStateTimeLimitAction), action: 'cancel' as 'CANCEL' }], want),
    ).toBe('');
    expect(timeLimitDifference(undefined, want)).toBe(
      'cancel jobs RUNNABLE longer than 900 s (CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY)',
    );
    expect(timeLimitDifference(want, [])).toBe(
      'runnableTimeLimit off: no more cancelling of stuck RUNNABLE jobs',
    );
    expect(timeLimitDifference([], [])).toBe('');
  });
});
