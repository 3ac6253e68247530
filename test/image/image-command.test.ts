/** `mnbatch image push` and the Images section of `plan`, through the CLI (no Docker, no AWS call). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';
import { sdkMock } from '../_helpers/sdk-mock.js';

const ecrMock = sdkMock(ECRClient, 'ecr');

function jobDir(lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-image-'));
  const base = [
    'name: hello',
    'nodes: 2',
    'instanceType: c5.large',
    'stack: dev',
    'resources: {vcpus: 2, memory: 2GiB}',
  ];
  writeFileSync(join(dir, 'job.yaml'), [...base, ...lines, ''].join('\n'));
  return dir;
}

describe('mnbatch image push', () => {
  it('refuses a job file without build:, calling nothing', async () => {
    const output = memoryOutput();
    const cwd = jobDir(['image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello:1']);
    const code = await exec(['image', 'push', 'job.yaml', '--region', 'eu-west-1'], { output, cwd, env: {} });
    expect(code).toBe(2);
    expect(output.stderr[0]).toBe(
      'error: job.yaml has no build section: there is no image to build and push',
    );
    expect(ecrMock.calls()).toHaveLength(0);
  });
});

describe('plan: the Images section', () => {
  const DIGEST = `sha256:${'ab'.repeat(32)}`;

  it('says where a build: image goes and how the others are pinned', async () => {
    const output = memoryOutput();
    const cwd = jobDir([
      'image: hello:dev',
      'build: {context: src}',
      'nodeGroups:',
      '  - {range: "0:0", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tools:2"}',
      `  - {range: "1:", image: "ghcr.io/org/x@${DIGEST}"}`,
    ]);
    expect(await exec(['plan', 'job.yaml'], { output, cwd, env: {} })).toBe(0);
    const text = output.stdout.join('\n');
    expect(text.slice(text.indexOf('\nImages\n'))).toBe(
      [
        '',
        'Images',
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/tools:2: ECR tag 2, registered by its digest (looked up at submit)',
        `ghcr.io/org/x@${DIGEST}: pinned by digest ${DIGEST}`,
      ].join('\n'),
    );
  });

  it('names the repository and tag of a build: image; --no-push uses image: as it is', async () => {
    const cwd = jobDir(['image: hello:dev', 'build: {context: src}']);
    const output = memoryOutput();
    expect(await exec(['plan', 'job.yaml'], { output, cwd, env: {} })).toBe(0);
    expect(output.stdout).toContain(
      'hello:dev: built from src (build:), pushed to ECR repository mnbatch/dev/hello',
    );
    const noPush = memoryOutput();
    expect(
      await exec(['submit', 'job.yaml', '--dry-run', '--no-push'], { output: noPush, cwd, env: {} }),
    ).toBe(0);
    expect(noPush.stdout.at(-1)).toBe('hello:dev: not in ECR: registered by tag, as it is');
  });

  it('shows the lifecycle rule of build.keepImages in plan and submit --dry-run', async () => {
    const cwd = jobDir(['image: hello:dev', 'build: {context: src, keepImages: 20}']);
    const rule =
      "  repository keeps the newest 20 images (ECR lifecycle policy, put when the repository's differs)";
    for (const args of [
      ['plan', 'job.yaml'],
      ['submit', 'job.yaml', '--dry-run'],
    ]) {
      const output = memoryOutput();
      expect(await exec(args, { output, cwd, env: {} })).toBe(0);
      expect(output.stdout, args.join(' ')).toContain(rule);
    }
    expect(ecrMock.calls()).toHaveLength(0);
  });

  it('refuses a keepImages that ECR cannot keep, naming where', async () => {
    const cwd = jobDir(['image: hello:dev', 'build: {context: src, keepImages: 0}']);
    const output = memoryOutput();
    expect(await exec(['plan', 'job.yaml'], { output, cwd, env: {} })).not.toBe(0);
    expect(output.stderr.join('\n')).toMatch(/build\.keepImages/);
  });
});
