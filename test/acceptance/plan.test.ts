/**
 * What an acceptance run decides before it starts: the opt-in it refuses to run without, its run
 * id (the stack name that `--cleanup` matches), and its cost estimate.
 */
import { describe, expect, it } from 'vitest';
import { AWS_VARIABLES, awsSettings, costText, estimateCost, newRunId, parseRunId } from './plan.js';

const FULL = {
  MNBATCH_AWS_ACCEPTANCE: '1',
  AWS_PROFILE: 'acceptance',
  AWS_REGION: 'us-east-1',
  MNBATCH_ACCEPTANCE_ACCOUNT: '210987654321',
  MNBATCH_ACCEPTANCE_VPC: 'vpc-0a1b2c3d',
  MNBATCH_ACCEPTANCE_SUBNET: 'subnet-0a1b2c3d',
};

describe('awsSettings', () => {
  it('given every variable, reads them, with c6i.large by default', () => {
    expect(awsSettings(FULL)).toEqual({
      profile: 'acceptance',
      region: 'us-east-1',
      account: '210987654321',
      vpcId: 'vpc-0a1b2c3d',
      subnetId: 'subnet-0a1b2c3d',
      instanceType: 'c6i.large',
    });
    expect(awsSettings({ ...FULL, MNBATCH_ACCEPTANCE_INSTANCE_TYPE: 'c5.large' }).instanceType).toBe(
      'c5.large',
    );
  });

  it('without any, refuses and names every variable', () => {
    const refusal = (() => {
      try {
        awsSettings({});
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    for (const name of Object.keys(AWS_VARIABLES)) expect(refusal).toContain(`${name} (not set)`);
  });

  it.each([
    ['MNBATCH_AWS_ACCEPTANCE', 'yes'],
    ['MNBATCH_AWS_ACCEPTANCE', ''],
    ['AWS_PROFILE', ''],
    ['MNBATCH_ACCEPTANCE_ACCOUNT', '1234'],
    ['AWS_REGION', 'virginia'],
    ['MNBATCH_ACCEPTANCE_SUBNET', 'sg-0a1b'],
  ])('refuses when %s is "%s", and names it', (name, value) => {
    expect(() => awsSettings({ ...FULL, [name]: value })).toThrow(new RegExp(`^  ${name} `, 'm'));
  });
});

describe('run ids', () => {
  it('are stack names made of the time and 4 hex digits, and --cleanup accepts only such', () => {
    const id = newRunId(new Date('2026-12-02T16:55:09Z'), () => 0.5);
    expect(id).toBe('mnbacc-202612021655-8000');
    expect(parseRunId(id)).toBe(id);
    expect(id).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,39}$/);
    for (const bad of ['mnbacc-*', 'mnbacc-2026', '', 'demo', `${id}x`])
      expect(() => parseRunId(bad)).toThrow('is not an acceptance run id');
  });
});

describe('estimateCost', () => {
  it('is instances × hours × the On-Demand price, plus root volumes', () => {
    const e = estimateCost('us-east-1', 'c6i.large');
    expect(e.lines[0]).toEqual({ what: '2 × c6i.large × 1 h × $0.085/h On-Demand', usd: 0.17 });
    expect(e.totalUsd).toBeCloseTo(0.17 + (2 * 30 * 0.08) / 730, 6);
    expect(costText(e).join('\n')).toContain('$0.18  total');
  });

  it('refuses a type or region it has no price for, unless the price is given', () => {
    expect(() => estimateCost('ap-south-2', 'c6i.large')).toThrow('set MNBATCH_ACCEPTANCE_PRICE');
    const given = estimateCost('ap-south-2', 'c6i.large', 0.1);
    expect(given.lines[0]?.usd).toBeCloseTo(0.2, 6);
    expect(given.notes[0]).toContain('MNBATCH_ACCEPTANCE_PRICE');
  });
});
