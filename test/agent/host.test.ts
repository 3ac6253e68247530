import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../../src/agent/errors.js';
import { physicalCores, resolveSlots, selectIp } from '../../src/agent/host.js';

const cpuinfo = readFileSync(new URL('../_fixtures/agent/cpuinfo-2x4-ht.txt', import.meta.url), 'utf8');

describe('selectIp', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    'ecs-eth0': [{ address: '169.254.172.2', family: 'IPv4', internal: false }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '169.254.9.9', family: 'IPv4', internal: false },
      { address: '10.0.1.17', family: 'IPv4', internal: false },
    ],
  };

  it('given eth0 with a link-local and a private address, when selected, then the private one wins', () => {
    expect(selectIp(undefined, 'eth0', interfaces)).toBe('10.0.1.17');
  });

  it('given an explicit address, when selected, then it is used as is', () => {
    expect(selectIp('127.0.0.5', 'eth0', interfaces)).toBe('127.0.0.5');
  });

  it('given only a link-local interface, when selected, then the error lists the interfaces found', () => {
    expect(() => selectIp(undefined, 'ecs-eth0', interfaces)).toThrow(AgentError);
    expect(() => selectIp(undefined, 'ecs-eth0', interfaces)).toThrow(
      /no usable IPv4 address on interface ecs-eth0.*lo \(127\.0\.0\.1\), ecs-eth0 \(169\.254\.172\.2\), eth0 \(169\.254\.9\.9, 10\.0\.1\.17\)/,
    );
  });
});

describe('slots', () => {
  it('given a 2-socket 4-core machine with hyper-threading, when counted, then physical cores are 8', () => {
    expect(physicalCores(cpuinfo)).toBe(8);
  });

  it('given auto, when resolved, then GPUs win over cores, cores over logical CPUs', () => {
    expect(resolveSlots('auto', 4, cpuinfo, 16)).toBe(4);
    expect(resolveSlots('auto', 0, cpuinfo, 16)).toBe(8);
    expect(resolveSlots('auto', 0, 'processor : 0\n\nprocessor : 1\n', 6)).toBe(6);
    expect(resolveSlots('auto', 0, undefined, 3)).toBe(3);
  });

  it('given a number, when resolved, then it is used', () => {
    expect(resolveSlots(12, 4, cpuinfo, 16)).toBe(12);
  });
});
