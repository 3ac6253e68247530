import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';

const cwd = join(import.meta.dirname, '../..');

async function validate(...files: string[]) {
  const output = memoryOutput();
  const code = await exec(['validate', ...files], { output, cwd });
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
