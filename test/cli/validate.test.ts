import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { cachedInstanceFacts, instanceFactsCacheFile } from '../../src/instances/cache.js';
import { memoryOutput } from '../../src/ui/output.js';
import { fixtureInstances } from '../_helpers/instance-types.js';

const cwd = join(import.meta.dirname, '../..');
const cacheHome = mkdtempSync(join(tmpdir(), 'mnbatch-validate-cache-'));
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));
/** An instance-type cache of eu-west-1 that an earlier submit filled with p4d.24xlarge. */
const ENV = { XDG_CACHE_HOME: cacheHome, AWS_REGION: 'eu-west-1' };
const known = fixtureInstances();
await cachedInstanceFacts(
  async (types) => new Map(types.flatMap((t) => (known.factsOf(t) ? [[t, known.factsOf(t)!] as const] : []))),
  { file: instanceFactsCacheFile(ENV, ENV.AWS_REGION), now: Date.now },
)(['p4d.24xlarge']);

async function validate(...files: string[]) {
  return validateIn(ENV, ...files);
}

async function validateIn(env: Record<string, string>, ...files: string[]) {
  const output = memoryOutput();
  const code = await exec(['validate', ...files], { output, cwd, env });
  return { code, output };
}

describe('mnbatch validate', () => {
  it('prints one ok line per valid file and exits 0', async () => {
    const { code, output } = await validate('examples/hello-mpi/job.yaml', 'examples/torchrun-each.yaml');
    expect(code).toBe(0);
    expect(output.stdout).toEqual([
      'examples/hello-mpi/job.yaml: ok — 4 nodes × c5.large, openmpi, launch mpirun',
      'examples/torchrun-each.yaml: ok — 4 nodes × g5.12xlarge, auto, launch each',
    ]);
    expect(output.stderr).toEqual([]);
  });

  it('prints every problem as file:line:col: path: message and exits 65 (invalid input) when any file is invalid', async () => {
    const bad = 'test/_fixtures/spec/broken/several-problems.yaml';
    const { code, output } = await validate('examples/gpu.yaml', bad);
    expect(code).toBe(65);
    expect(output.stdout).toEqual([
      'examples/gpu.yaml: ok — 2 nodes × p4d.24xlarge, auto, launch mpirun',
      `${bad}:7:8: nodes: must be at least 2`,
      `${bad}:8:1: resources.vcpus: is required`,
      `${bad}:9:3: resources.cpus: unknown key "cpus"; did you mean "vcpus"?`,
      `${bad}:11:6: efa: must be off, auto or a number of EFA devices`,
    ]);
    expect(output.stderr).toEqual(['1 of 2 files invalid']);
  });

  it('given efa: auto and a type no instance-type cache holds, then ok with a note that submit resolves it', async () => {
    const empty = mkdtempSync(join(cacheHome, 'empty-'));
    const { code, output } = await validateIn(
      { XDG_CACHE_HOME: empty, AWS_REGION: 'eu-west-1' },
      'examples/gpu.yaml',
    );
    expect(code).toBe(0);
    expect(output.stdout).toEqual([
      'examples/gpu.yaml: ok — 2 nodes × p4d.24xlarge, auto, launch mpirun',
      expect.stringMatching(
        /^examples\/gpu\.yaml: note: efa: auto: the EFA devices of p4d\.24xlarge are resolved at submit time/,
      ),
    ]);
  });

  it('reports a file that cannot be read', async () => {
    const { code, output } = await validate('missing.yaml');
    expect(code).toBe(65);
    expect(output.stdout).toEqual(['missing.yaml: cannot read: no such file']);
  });

  it('checks the planned job definition too (24 KiB limit)', async () => {
    const { code, output } = await validate('test/_fixtures/spec/broken/job-definition-too-large.yaml');
    expect(code).toBe(65);
    expect(output.stdout[0]).toMatch(
      /job-definition-too-large\.yaml:8:1: environment: the job definition would be \d+\.\d KiB; AWS Batch allows at most 24 KiB/,
    );
  });

  it('is a usage error without files', async () => {
    const { code, output } = await validate();
    expect(code).toBe(2);
    expect(output.text()).toContain("missing required argument 'file'");
  });
});
