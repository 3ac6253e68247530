/**
 * Global `--profile` / `--region`: every AWS command gets them, wherever they stand on the line,
 * and infra commands rank them above `region:` in infra.yaml, which ranks above the environment.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsOptions } from '../../src/aws/clients.js';
import { exec } from '../../src/cli/cli.js';
import { registerInfra } from '../../src/cli/commands/infra.js';
import { MnbatchError } from '../../src/errors.js';
import { memoryOutput } from '../../src/ui/output.js';

/** Runs an infra command whose services record the AWS options they were built with and stop. */
async function infraOptions(argv: readonly string[], env: Record<string, string> = {}): Promise<AwsOptions> {
  let seen: AwsOptions | undefined;
  const commands = [
    registerInfra({
      services: async (options) => {
        seen = options;
        throw new MnbatchError('TEST_STOP', 'stopped before any call');
      },
    }),
  ];
  const output = memoryOutput();
  const cwd = mkdtempSync(join(tmpdir(), 'mnbatch-aws-options-'));
  writeFileSync(
    join(cwd, 'infra.yaml'),
    'stack: demo\nregion: eu-west-3\nvpcId: vpc-0123456789abcdef0\nsubnetId: subnet-0123456789abcdef0\ninstanceTypes: [c5n.18xlarge]\nmaxVcpus: 72\n',
  );
  const code = await exec(argv, { output, cwd, env, commands });
  expect(output.stderr).toEqual(['error: stopped before any call']);
  expect(code).toBe(1);
  if (!seen) throw new Error('services were not built');
  return seen;
}

describe('global AWS options on infra commands', () => {
  it('--region beats region: in infra.yaml; --profile beats AWS_PROFILE', async () => {
    const options = await infraOptions(
      ['infra', 'up', '-f', 'infra.yaml', '--region', 'us-west-2', '--profile', 'hpc'],
      {
        AWS_PROFILE: 'other',
      },
    );

    expect(options).toEqual({ command: 'infra up', profile: 'hpc', region: 'us-west-2' });
  });

  it('region: in infra.yaml beats the environment, and AWS_PROFILE is named when no --profile', async () => {
    const options = await infraOptions(['infra', 'status', '-f', 'infra.yaml'], {
      AWS_PROFILE: 'team',
      AWS_REGION: 'ap-south-1',
    });

    // AWS_REGION is only looked at when neither flag nor file set a region (resolveAwsOptions).
    expect(options).toEqual({ command: 'infra status', profile: 'team', region: 'eu-west-3' });
  });

  it('the options may stand before the subcommand', async () => {
    const options = await infraOptions([
      '--region',
      'eu-central-1',
      '--profile',
      'p1',
      'infra',
      'down',
      '--stack',
      'demo',
    ]);

    expect(options).toEqual({ command: 'infra down', profile: 'p1', region: 'eu-central-1' });
  });
});

describe('help', () => {
  it('every command lists --profile and --region among its options', async () => {
    for (const command of [['submit'], ['list'], ['infra', 'up'], ['ami', 'bake']]) {
      const output = memoryOutput();
      const code = await exec([...command, '--help'], { output, env: {} });

      expect(code).toBe(0);
      expect(output.text()).toMatch(/--profile <name>/);
      expect(output.text()).toMatch(/--region <region>/);
    }
  });
});
