import { describe, expect, it } from 'vitest';
import { setInfraAmi } from '../../src/ami/write-infra.js';

describe('setInfraAmi', () => {
  it('replaces ami and keeps comments, blank lines and other keys', () => {
    const text =
      '# stack for CFD runs\nstack: cfd\n\n# baked by mnbatch\nami: ami-0aaaaaaaaaaaaaaa1 # old\nefs: none\n';

    const out = setInfraAmi(text, 'ami-0bbbbbbbbbbbbbbb1', false);

    expect(out).toBe(
      '# stack for CFD runs\nstack: cfd\n\n# baked by mnbatch\nami: ami-0bbbbbbbbbbbbbbb1 # old\nefs: none\n',
    );
  });

  it('adds ami, and hyperthreading offViaAmi when nr_cpus was baked', () => {
    expect(setInfraAmi('stack: cfd\nhyperthreading: on\n', 'ami-0bbbbbbbbbbbbbbb1', true)).toBe(
      'stack: cfd\nhyperthreading: offViaAmi\nami: ami-0bbbbbbbbbbbbbbb1\n',
    );
  });

  it('writes into an empty file', () => {
    expect(setInfraAmi('', 'ami-0bbbbbbbbbbbbbbb1', false)).toBe('ami: ami-0bbbbbbbbbbbbbbb1\n');
  });

  it.each([
    ['stack: [cfd\n', 'is not valid YAML'],
    ['- a\n- b\n', 'is not a mapping'],
  ])('refuses %j (%s) and changes nothing', (text, message) => {
    expect(() => setInfraAmi(text, 'ami-0bbbbbbbbbbbbbbb1', false, 'infra.yaml')).toThrow(
      `infra.yaml ${message}`,
    );
  });
});
