/**
 * Docker's own words reach the user: a failing `docker` command's whole message (up to 25 lines,
 * colour codes removed), not only its last line, which often says just "see above". A stand-in
 * `docker` executable on PATH plays a daemon that refuses with a long explanation.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocker } from '../../src/local/docker.js';

const bin = mkdtempSync(join(tmpdir(), 'mnbatch-fake-docker-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** A `docker` that writes `lines` to stderr and exits 1. */
function failingDocker(lines: readonly string[]): Record<string, string> {
  const script = join(bin, 'docker');
  writeFileSync(script, `#!/bin/sh\ncat >&2 <<'EOF'\n${lines.join('\n')}\nEOF\nexit 1\n`);
  chmodSync(script, 0o755);
  return { PATH: `${bin}:/usr/bin:/bin` };
}

describe('a docker command that fails', () => {
  it('keeps docker’s whole message: the first line in the error, the rest as details', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `\u001b[31mline ${i + 1} of the reason\u001b[0m`);
    const docker = createDocker(failingDocker(lines));
    const error = await docker.createNetwork('mnbatch-x', { a: 'b' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOCKER_FAILED', origin: 'docker' });
    const { message, details } = error as { message: string; details: string[] };
    // the last 25 lines, without colour codes
    expect(message).toBe('creating network mnbatch-x failed: line 6 of the reason');
    expect(details).toHaveLength(24);
    expect(details[0]).toBe('line 7 of the reason');
    expect(details.at(-1)).toBe('line 30 of the reason');
  });

  it('a short message arrives whole, blank lines dropped', async () => {
    const docker = createDocker(
      failingDocker(['Error response from daemon:', '', 'network with name mnbatch-x already exists']),
    );
    const error = (await docker.createNetwork('mnbatch-x', {}).catch((e: unknown) => e)) as {
      message: string;
      details: string[];
    };
    expect(error.message).toBe('creating network mnbatch-x failed: Error response from daemon:');
    expect(error.details).toEqual(['network with name mnbatch-x already exists']);
  });
});
