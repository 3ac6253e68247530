/** examples/hello-mpi/hello.c on this machine's Open MPI: right at any size, not only at 4 ranks. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mnbatch-hello-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/hello-mpi/hello.c', () => {
  it('given -Werror=vla, when compiled, then it builds: no rank puts size × 256 bytes on its stack (25 MB at 100,000 ranks)', () => {
    const out = join(dir, 'hello');
    execFileSync('mpicc', ['-O2', '-Wall', '-Werror=vla', '-o', out, 'examples/hello-mpi/hello.c'], {
      stdio: 'pipe',
    });
    const printed = execFileSync(
      'mpirun',
      ['--allow-run-as-root', '--oversubscribe', '--mca', 'btl', 'self,vader', '-np', '3', out],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    expect(printed).toMatch(/^hello-mpi: size=3 allreduce=6 expected=6 OK$/m);
    expect(printed.match(/^hello-mpi: rank \d on /gm)).toHaveLength(3);
  });
});
