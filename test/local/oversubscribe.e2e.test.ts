/**
 * `mnbatch run --local` of a job with more mpirun ranks than Docker's CPUs: the runner says so
 * in one line, and every rank, on every node, runs with Open MPI's mpi_yield_when_idle set.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { createDocker } from '../../src/local/docker.js';
import { memoryOutput } from '../../src/ui/output.js';
import { ensureTestImages, HELLO_IMAGE, REPO } from '../container/images.js';

const dir = mkdtempSync(join(tmpdir(), 'mnbatch-oversubscribe-'));

beforeAll(async () => {
  await ensureTestImages();
}, 1_200_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mnbatch run --local (Docker) with more ranks than CPUs', () => {
  it('prints one line saying so and runs every rank with mpi_yield_when_idle=1', async () => {
    // Given two nodes with as many slots each as Docker has CPUs: twice the CPUs in ranks.
    const cpus = await createDocker().cpus();
    const job = join(dir, 'job.yaml');
    writeFileSync(
      job,
      [
        'name: busy',
        `image: ${HELLO_IMAGE}`,
        'nodes: 2',
        'resources: { vcpus: 1, memory: 512 }',
        `command: ["sh", "-c", "echo \\"rank $OMPI_COMM_WORLD_RANK on $(hostname) yield=\${OMPI_MCA_mpi_yield_when_idle:-unset}\\""]`,
        `mpi: { slotsPerNode: ${cpus} }`,
        'rendezvous: { timeout: 60 }',
        '',
      ].join('\n'),
    );
    // When it runs,
    const output = memoryOutput();
    const code = await exec(['run', '--local', job, '--no-build'], { output, cwd: REPO });
    const text = output.text();
    // then it ends well, one line names the oversubscription, and every rank yields.
    expect(code, text).toBe(0);
    const notes = text.split('\n').filter((l) => l.includes('oversubscribed,'));
    expect(notes, text).toEqual([
      expect.stringContaining(
        `${2 * cpus} ranks on ${cpus} CPU${cpus === 1 ? '' : 's'}: oversubscribed, so idle ranks yield the CPU (the image’s MPI: mpi_yield_when_idle=1 when the image has Open MPI`,
      ),
    ]);
    const ranks = [...text.matchAll(/rank (\d+) on (\S+) yield=(\S+)/g)];
    expect(
      ranks.map((m) => Number(m[1])).sort((a, b) => a - b),
      text,
    ).toEqual(Array.from({ length: 2 * cpus }, (_, i) => i));
    expect(new Set(ranks.map((m) => m[2])).size, text).toBe(2);
    expect(new Set(ranks.map((m) => m[3])), text).toEqual(new Set(['1']));
  }, 300_000);
});
