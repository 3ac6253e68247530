/**
 * `mnbatch infra up / status / down` of the shipped example stack, end to end with the built CLI
 * against moto (behind the shim that corrects it where it differs from AWS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, useTestAccount } from '../_helpers/moto/aws-test-account.js';

const account = useTestAccount();

function stackFile(name: string, net: { vpcId: string; subnetId: string }, stack: string): string {
  const text = readFileSync(join(REPO, 'examples', 'infra', name), 'utf8')
    .replace(/^stack: .*$/m, `stack: ${stack}`)
    .replace(/vpc-0123456789abcdef0/, net.vpcId)
    .replace(/subnet-0123456789abcdef0/, net.subnetId);
  return account.write(`${stack}.yaml`, text);
}

describe('infra up of examples/infra/stack.yaml', () => {
  it('creates the stack, a second up changes nothing, down removes it', async () => {
    const net = await account.network();
    await account.instanceProfile('ecsInstanceRole');
    const file = stackFile('stack.yaml', net, 'demo');
    const up = await account.cli(['infra', 'up', '-f', file, '--yes']);
    expect(up.stderr + up.stdout).toContain('is ready');
    expect(up.code).toBe(0);
  }, 600_000);
});
