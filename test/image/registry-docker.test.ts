/**
 * The registry side of the Docker adapter against a stand-in `docker` on PATH that records its
 * argv and stdin: the password goes on stdin only, the login lives in a config directory that is
 * gone afterwards, and the digest comes from what `docker push` printed.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistryDocker } from '../../src/image/registry-docker.js';

const DIGEST = `sha256:${'9c'.repeat(32)}`;

/** A `docker` that appends "argv | stdin" to a log, and answers push with `pushOutput` (or hangs `pushSeconds`). */
function standIn(pushOutput: string, pushExit = 0, pushSeconds = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'mnbatch-fake-docker-'));
  const log = join(dir, 'log');
  writeFileSync(
    join(dir, 'docker'),
    [
      '#!/bin/sh',
      `input=""; if [ "$3" = login ]; then input=$(cat); fi`,
      `echo "$* | stdin=$input" >> ${log}`,
      `case "$3" in push) [ ${pushSeconds} -gt 0 ] && exec sleep ${pushSeconds}; printf '%b\\n' "${pushOutput.replace(/\n/g, '\\n')}"; exit ${pushExit};; esac`,
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'docker'), 0o755);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
  return { env, lines: () => readFileSync(log, 'utf8').trimEnd().split('\n') };
}

describe('createRegistryDocker', () => {
  it('logs in with the password on stdin only, pushes, and forgets the login', async () => {
    const docker = standIn(`abc: Pushed\nmnbatch-1: digest: ${DIGEST} size: 1234`);
    const said: string[] = [];
    const registry = createRegistryDocker((l) => said.push(l), docker.env);
    const digest = await registry.withLogin(
      { host: 'r.example:5000', username: 'AWS', password: 'p@ss w0rd' },
      (s) => s.push('r.example:5000/mnbatch/x:mnbatch-1'),
    );
    expect(digest).toBe(DIGEST);
    const [login, push] = docker.lines();
    const config = login?.split(' ')[1] ?? '';
    expect(login).toBe(
      `--config ${config} login --username AWS --password-stdin r.example:5000 | stdin=p@ss w0rd`,
    );
    expect(push).toBe(`--config ${config} push r.example:5000/mnbatch/x:mnbatch-1 | stdin=`);
    expect(existsSync(config)).toBe(false);
    expect(said).toContain('  abc: Pushed');
  });

  it('on a terminal the push shows as one progress line redrawn in place', async () => {
    const layers = ['5d86b0b89c90: Preparing', '5d86b0b89c90: Pushed'];
    const docker = standIn([...layers, `mnbatch-1: digest: ${DIGEST} size: 528`].join('\n'));
    const said: string[] = [];
    const registry = createRegistryDocker((l) => said.push(l), docker.env, undefined, true);
    await registry.withLogin({ host: 'h', username: 'AWS', password: 'x' }, (s) => s.push('h/r:t'));
    expect(said).toContain('\x1b[1A\x1b[2Kpushing h/r:t: 1/1 layers done (1 pushed)');
    expect(said).not.toContain('  5d86b0b89c90: Pushed');
  });

  it('a failed push is an error with Docker’s last lines, and the login is forgotten too', async () => {
    const docker = standIn('denied: not allowed to push', 1);
    const registry = createRegistryDocker(() => {}, docker.env);
    await expect(
      registry.withLogin({ host: 'h', username: 'AWS', password: 'x' }, (s) => s.push('h/r:t')),
    ).rejects.toMatchObject({ code: 'IMAGE_PUSH_FAILED', details: ['denied: not allowed to push'] });
    const config = docker.lines()[0]?.split(' ')[1] ?? '';
    expect(existsSync(config)).toBe(false);
  });

  it('Ctrl-C stops the push with exit code 130, and the login is forgotten', async () => {
    const docker = standIn(`t: digest: ${DIGEST} size: 1`, 0, 120);
    const abort = new AbortController();
    const registry = createRegistryDocker(() => {}, docker.env, abort.signal);
    setTimeout(() => abort.abort(), 300);
    const started = Date.now();
    await expect(
      registry.withLogin({ host: 'h', username: 'AWS', password: 'x' }, (s) => s.push('h/r:t')),
    ).rejects.toMatchObject({ code: 'IMAGE_PUSH_INTERRUPTED', exitCode: 130 });
    expect(Date.now() - started).toBeLessThan(10_000);
    const config = docker.lines()[0]?.split(' ')[1] ?? '';
    expect(existsSync(config)).toBe(false);
  });
});
