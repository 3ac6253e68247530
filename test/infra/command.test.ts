import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { registerInfra } from '../../src/cli/commands/infra.js';
import { memoryOutput } from '../../src/ui/output.js';
import { useFakeInfra } from '../_helpers/fake-aws-infra/index.js';

const fake = useFakeInfra();

function run(argv: string[], cwd = '.') {
  const output = memoryOutput();
  const commands = [registerInfra({ services: async () => fake.services })];
  return exec(argv, { output, cwd, commands }).then((code) => ({ code, output }));
}

describe('mnbatch infra (command line)', () => {
  it('up from flags, then status and down by stack name', async () => {
    const { vpcId, subnetId } = fake.state.seedNetwork();
    const flags = [
      '--stack',
      'cli',
      '--vpc',
      vpcId,
      '--subnet',
      subnetId,
      '--instance-types',
      'c5n.18xlarge',
      '--max-vcpus',
      '144',
    ];

    const up = await run(['infra', 'up', ...flags]);
    expect(up.code).toBe(0);
    expect(fake.state.jobQueues.has('mnbatch-cli')).toBe(true);

    const status = await run(['infra', 'status', '--stack', 'cli']);
    expect(status.code).toBe(0);
    expect(status.output.stdout.join('\n')).toMatch(/job-queue\s+mnbatch-cli/);

    const down = await run(['infra', 'down', '--stack', 'cli', '--yes']);
    expect(down.code).toBe(0);
    expect(fake.state.jobQueues.size).toBe(0);
  });

  it('up -f infra.yaml --dry-run reads the file relative to the working directory', async () => {
    const { vpcId, subnetId } = fake.state.seedNetwork();
    const dir = mkdtempSync(join(tmpdir(), 'mnbatch-infra-'));
    writeFileSync(
      join(dir, 'infra.yaml'),
      `stack: file\nvpcId: ${vpcId}\nsubnetId: ${subnetId}\ninstanceTypes: [c5n.18xlarge]\nmaxVcpus: 72\n`,
    );
    const { code, output } = await run(['infra', 'up', '-f', 'infra.yaml', '--dry-run'], dir);
    expect(code).toBe(0);
    expect(output.stdout.join('\n')).toMatch(/\+\s+create\s+job-queue\s+mnbatch-file/);
    expect(fake.state.mutations).toEqual([]);
  });

  it('a conflict is one clear error line plus details, exit 1', async () => {
    const { vpcId, subnetId } = fake.state.seedNetwork();
    fake.state.launchTemplates.set('lt-0000000000000cccc', {
      template: {
        LaunchTemplateId: 'lt-0000000000000cccc',
        LaunchTemplateName: 'mnbatch-cli',
        LatestVersionNumber: 1,
      },
      versions: [],
    });
    const { code, output } = await run([
      'infra',
      'up',
      '--stack',
      'cli',
      '--vpc',
      vpcId,
      '--subnet',
      subnetId,
      '--instance-types',
      'c5n.18xlarge',
      '--max-vcpus',
      '72',
    ]);
    expect(code).toBe(1);
    expect(output.stderr[0]).toBe('error: stack cli: resources in the way, nothing was changed');
    expect(output.stderr[1]).toMatch(
      /launch template mnbatch-cli \(lt-0000000000000cccc\) already exists and is not part of stack cli/,
    );
  });

  it('down without a stack name is a usage error', async () => {
    const { code, output } = await run(['infra', 'down']);
    expect(code).toBe(1);
    expect(output.stderr[0]).toBe('error: infra down needs -f infra.yaml or --stack NAME');
  });
});
