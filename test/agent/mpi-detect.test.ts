import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../../src/agent/errors.js';
import { chooseMpi, parseMpiVersion, probeMpirun } from '../../src/agent/mpi-detect.js';
import { AGENT_EXIT } from '../../src/contract/exit-codes.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../_fixtures/agent/mpi-version/${name}`, import.meta.url), 'utf8');

// Real outputs of `mpirun --version`: Debian bookworm's Open MPI 4.1.4 and MPICH 4.0.2 (files);
// Open MPI 5 (mpiexec prints the same, open-mpi issue #10141 era and cp2k#3700) and Intel MPI
// 2019/2021 as their users quote them (TACC/tacc-containers#8).
const OPENMPI_5 = 'mpirun (Open MPI) 5.0.5\n\nReport bugs to https://www.open-mpi.org/community/help/\n';
const INTEL_2019 =
  'Intel(R) MPI Library for Linux* OS, Version 2019 Update 7 Build 20200312 (id: 5dc2dd3e9)\nCopyright 2003-2020, Intel Corporation.\n';
const INTEL_2021 =
  'Intel(R) MPI Library for Linux* OS, Version 2021.10 Build 20230619 (id: c2e19c2f3e)\nCopyright 2003-2023, Intel Corporation.\n';

describe('parseMpiVersion', () => {
  it('given the real outputs of Open MPI 4 and 5, MPICH (Hydra) and Intel MPI, when parsed, then each is named with its version', () => {
    expect(parseMpiVersion(fixture('openmpi-4.1.4.txt'))).toEqual({
      implementation: 'openmpi',
      version: '4.1.4',
      label: 'Open MPI 4.1.4',
    });
    expect(parseMpiVersion(OPENMPI_5)).toMatchObject({ implementation: 'openmpi', version: '5.0.5' });
    expect(parseMpiVersion(fixture('mpich-4.0.2.txt'))).toEqual({
      implementation: 'mpich',
      version: '4.0.2',
      label: 'MPICH 4.0.2 (Hydra)',
    });
    expect(parseMpiVersion(INTEL_2019)).toMatchObject({
      implementation: 'intelmpi',
      version: '2019 Update 7',
    });
    expect(parseMpiVersion(INTEL_2021)).toEqual({
      implementation: 'intelmpi',
      version: '2021.10',
      label: 'Intel MPI 2021.10',
    });
  });

  it('given text of no known MPI, when parsed, then nothing is claimed', () => {
    expect(parseMpiVersion('')).toBeUndefined();
    expect(parseMpiVersion('mpirun: command wrapper 1.0\n')).toBeUndefined();
  });
});

function mismatch(f: () => unknown): AgentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AgentError);
    expect((e as AgentError).exitCode).toBe(AGENT_EXIT.mpiMismatch);
    return e as AgentError;
  }
  throw new Error('expected an MPI mismatch');
}

describe('chooseMpi', () => {
  const mpich = { kind: 'output', text: fixture('mpich-4.0.2.txt') } as const;
  const openmpi = { kind: 'output', text: fixture('openmpi-4.1.4.txt') } as const;

  it('given auto, when the image has MPICH or Open MPI, then that is what the job launches with', () => {
    expect(chooseMpi('auto', mpich)).toMatchObject({ mpi: 'mpich', detected: { version: '4.0.2' } });
    expect(chooseMpi('auto', openmpi)).toMatchObject({ mpi: 'openmpi' });
  });

  it('given a named MPI that the image has, when chosen, then it is used without a warning', () => {
    expect(chooseMpi('mpich', mpich)).toEqual({ mpi: 'mpich', detected: expect.anything() });
  });

  it('given openmpi but an MPICH image, when chosen, then exit 207 names both and the fix', () => {
    expect(mismatch(() => chooseMpi('openmpi', mpich)).message).toBe(
      "job.yaml mpi.implementation: openmpi, but the image's mpirun is MPICH 4.0.2 (Hydra): set mpi.implementation: mpich or auto",
    );
    expect(mismatch(() => chooseMpi('intelmpi', openmpi)).message).toContain('is Open MPI 4.1.4');
  });

  it('given an image without mpirun, when chosen, then exit 207 says so whatever the setting', () => {
    for (const setting of ['auto', 'openmpi'] as const) {
      expect(mismatch(() => chooseMpi(setting, { kind: 'missing' })).message).toContain(
        'the image has no mpirun on PATH',
      );
    }
  });

  it('given an mpirun that cannot be told, when auto, then exit 207 asks for a setting; when named, then the job goes on with a warning', () => {
    const odd = { kind: 'output', text: 'Some Vendor MPI launcher 9\n' } as const;
    expect(mismatch(() => chooseMpi('auto', odd)).message).toContain(
      'names no MPI mnbatch knows (first line: "Some Vendor MPI launcher 9"): set mpi.implementation',
    );
    expect(chooseMpi('intelmpi', odd)).toMatchObject({
      mpi: 'intelmpi',
      warning: expect.stringContaining('going on with intelmpi'),
    });
    expect(
      mismatch(() => chooseMpi('auto', { kind: 'failed', reason: 'no answer in 10s' })).message,
    ).toContain('mpirun --version failed (no answer in 10s)');
  });
});

describe('probeMpirun', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-probe-'));
  const withMpirun = (script: string) => {
    const bin = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(bin, 'mpirun'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return { PATH: `${bin}:/usr/bin:/bin` };
  };

  it('given an mpirun, when probed, then its output is returned, also when it exits non-zero after printing a known version', async () => {
    expect(await probeMpirun(withMpirun('echo "mpirun (Open MPI) 4.1.4"'))).toEqual({
      kind: 'output',
      text: 'mpirun (Open MPI) 4.1.4\n',
    });
    expect(await probeMpirun(withMpirun('echo "mpirun (Open MPI) 5.0.5" >&2; exit 1'))).toMatchObject({
      kind: 'output',
    });
  });

  it('given no mpirun, or one that hangs or fails, when probed, then that is said within the bound', async () => {
    expect(await probeMpirun({ PATH: mkdtempSync(join(dir, 'empty-')) })).toEqual({ kind: 'missing' });
    const started = Date.now();
    expect(await probeMpirun(withMpirun('exec sleep 30'), 300)).toEqual({
      kind: 'failed',
      reason: 'no answer in 0.3s',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await probeMpirun(withMpirun('echo broken >&2; exit 3'))).toMatchObject({ kind: 'failed' });
  });
});
