import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseInfraConfig } from '../../src/infra/load-config.js';

const fixture = (name: string) => readFileSync(`test/_fixtures/infra/${name}`, 'utf8');

describe('infra.yaml', () => {
  it('accepts the example and fills in nothing it states', () => {
    const config = parseInfraConfig(
      readFileSync('examples/infra/stack.yaml', 'utf8'),
      'examples/infra/stack.yaml',
    );
    expect(config).toMatchObject({
      stack: 'demo',
      efs: 'create',
      efa: true,
      s3Endpoint: true,
      hyperthreading: 'offViaUserData',
      roles: { create: false, instanceProfile: 'ecsInstanceRole' },
      tags: { project: 'cfd' },
    });
  });

  it('fills in defaults: default AMI, no EFS, no EFA, hyper-threading on, ecsInstanceRole', () => {
    const config = parseInfraConfig(
      'stack: s\nvpcId: vpc-0abc\nsubnetId: subnet-0abc\ninstanceTypes: [c5n.18xlarge]\nmaxVcpus: 72\n',
      'infra.yaml',
    );
    expect(config).toMatchObject({
      ami: 'default',
      efs: 'none',
      efa: false,
      s3Endpoint: false,
      hyperthreading: 'on',
      roles: { create: false, instanceProfile: 'ecsInstanceRole' },
      tags: {},
    });
  });

  it('names file, line, column and YAML path of every problem, and the flag for flag values', () => {
    const err = (() => {
      try {
        parseInfraConfig(fixture('bad.yaml'), 'bad.yaml', { maxVcpus: 0 });
      } catch (e) {
        return e as { code: string; message: string; details: string[] };
      }
      throw new Error('expected an error');
    })();
    expect(err.code).toBe('INFRA_CONFIG_INVALID');
    expect(err.message).toBe('bad.yaml: 4 problems');
    expect(err.details).toEqual([
      '--max-vcpus: must be a positive whole number',
      'bad.yaml:3:11: subnetId: must be one subnet id like subnet-0abc… (cluster placement groups are single-AZ)',
      'bad.yaml:6:6: efs: must be create, none or a file system id like fs-0abc…',
      'bad.yaml:7:1: hyperthreding: unknown key "hyperthreding"; did you mean "hyperthreading"?',
    ]);
  });

  it('takes everything from flags when there is no file', () => {
    const config = parseInfraConfig(undefined, undefined, {
      stack: 'flags',
      vpcId: 'vpc-0abc',
      subnetId: 'subnet-0abc',
      instanceTypes: ['hpc7g.16xlarge'],
      maxVcpus: 128,
    });
    expect(config.stack).toBe('flags');
  });

  it('lets flags override the file', () => {
    const config = parseInfraConfig(readFileSync('examples/infra/stack.yaml', 'utf8'), 'infra.yaml', {
      subnetId: 'subnet-0fff',
      efs: 'none',
    });
    expect(config.subnetId).toBe('subnet-0fff');
    expect(config.efs).toBe('none');
  });

  it('refuses hyper-threading off via the AMI with the default AMI', () => {
    expect(() =>
      parseInfraConfig(
        'stack: s\nvpcId: vpc-0abc\nsubnetId: subnet-0abc\ninstanceTypes: [c5n.18xlarge]\nmaxVcpus: 72\nhyperthreading: offViaAmi\n',
        'infra.yaml',
      ),
    ).toThrow(
      expect.objectContaining({
        details: [expect.stringMatching(/^infra.yaml:6:17: hyperthreading: offViaAmi needs a baked AMI/)],
      }),
    );
  });

  it('reports broken YAML with its position', () => {
    expect(() => parseInfraConfig('stack: [unclosed\n', 'infra.yaml')).toThrow(
      expect.objectContaining({
        code: 'INFRA_CONFIG_INVALID',
        details: [expect.stringMatching(/^infra.yaml:\d+:\d+: /)],
      }),
    );
  });
});
