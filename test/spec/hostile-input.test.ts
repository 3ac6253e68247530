import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkJobSpec, formatProblem, readJobFile } from '../../src/spec/index.js';
import { MAX_JOB_FILE_BYTES } from '../../src/spec/read-file.js';

const MINIMAL = 'name: demo\nimage: demo:1\nnodes: 4\nresources: { vcpus: 2, memory: 2GiB }\n';
const dir = mkdtempSync(join(tmpdir(), 'mnbatch-hostile-'));

/** Every problem of `text` as printed lines. */
const problems = (text: string) =>
  checkJobSpec(text, 'job.yaml').problems.map((p) => formatProblem('job.yaml', p));

describe('readJobFile refuses what is not a small text file', () => {
  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    // Given a named pipe nobody writes to
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    // When it is read / Then the error names it as a FIFO (a blocking read would time the test out)
    await expect(readJobFile(fifo, 'fifo.yaml')).rejects.toThrow(
      'fifo.yaml: cannot read: is a FIFO (named pipe); a job file must be a regular file',
    );
  });

  it('refuses a character device such as /dev/urandom and a directory', async () => {
    await expect(readJobFile('/dev/urandom')).rejects.toThrow('is a character device');
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    await expect(readJobFile(sub, 'sub')).rejects.toThrow('sub: cannot read: is a directory');
  });

  it('refuses a file over 1 MiB without reading it whole', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, Buffer.alloc(MAX_JOB_FILE_BYTES + 1, 'a'));
    await expect(readJobFile(big, 'big.yaml')).rejects.toThrow('big.yaml: cannot read: larger than 1 MiB');
  });

  it('refuses binary content without echoing any of it', async () => {
    // Given a file of bytes with a recognisable secret-looking text and an escape sequence in it
    const bin = join(dir, 'bin.yaml');
    writeFileSync(bin, Buffer.concat([Buffer.from('SECRET-CONTENT \u001b[2J'), Buffer.from([0, 1, 2, 255])]));
    // When it is read
    const error = await readJobFile(bin, 'bin.yaml').catch((e: Error) => e);
    // Then the error says why and where, and shows none of the content
    expect((error as Error).message).toBe(
      'bin.yaml: cannot read: not a YAML text file: binary content (a NUL byte at offset 19)',
    );
    const latin = join(dir, 'latin1.yaml');
    writeFileSync(latin, Buffer.from([0x6e, 0x3a, 0x20, 0xe9, 0x0a]));
    await expect(readJobFile(latin, 'latin1.yaml')).rejects.toThrow('binary content (not valid UTF-8)');
  });

  it('escapes control characters of the file name in the error', async () => {
    await expect(readJobFile(join(dir, 'nope'), 'evil\u001b]0;owned\u0007.yaml')).rejects.toThrow(
      'evil\\x1b]0;owned\\x07.yaml: cannot read: no such file',
    );
  });
});

describe('checkJobSpec on hostile YAML', () => {
  it('blames a duplicate key on the line where it repeats, with the key path', () => {
    const text = `${MINIMAL}environment:\n  A: 1\n  B: 2\n  A: 3\n`;
    expect(problems(text)).toEqual(['job.yaml:8:3: environment.A: duplicate key: already set on line 6']);
  });

  it('finds a duplicate among 50,000 keys in linear time', () => {
    // Given a mapping of 50,000 keys whose last repeats the first
    const keys = Array.from({ length: 50_000 }, (_, i) => `  K${i}: v\n`).join('');
    const text = `${MINIMAL}environment:\n${keys}  K0: again\n`;
    // When it is checked
    const t = Date.now();
    const found = problems(text);
    const ms = Date.now() - t;
    // Then the duplicate is found and blamed on the last line; quadratic detection took minutes
    expect(found).toEqual([`job.yaml:50006:3: environment.K0: duplicate key: already set on line 6`]);
    expect(ms).toBeLessThan(10_000);
  });

  it('says a missing memory "is required", at the mapping that lacks it', () => {
    expect(problems('name: demo\nimage: demo:1\nnodes: 4\nresources:\n  vcpus: 2\n')).toEqual([
      'job.yaml:4:1: resources.memory: is required',
    ]);
  });

  it('refuses NUL and escape characters in values and escapes them in messages', () => {
    const text = `${MINIMAL}environment:\n  A: "x\\0y"\n  B: "\\e[31mred"\n  "C\\eD": ok\ncommand: "echo one\\n\\techo two"\n`;
    expect(problems(text)).toEqual([
      'job.yaml:6:6: environment.A: contains a control character (U+0000); only tab and newline are allowed in values',
      'job.yaml:7:6: environment.B: contains a control character (U+001B); only tab and newline are allowed in values',
      'job.yaml:8:3: environment["C\\u001bD"]: key contains a control character (U+001B)',
    ]);
  });
});

describe('validate enforces the limits the runtime enforces', () => {
  it('refuses a rendezvous timeout the agent would reject', () => {
    expect(problems(`${MINIMAL}rendezvous: { timeout: 8d }\n`)).toEqual([
      'job.yaml:5:24: rendezvous.timeout: must be at most 604800 s',
    ]);
  });

  it('refuses ulimits with soft above hard, "unlimited" counting as infinite', () => {
    const text = `${MINIMAL}ulimits:\n  stack: { soft: 10, hard: 5 }\n  core: { soft: unlimited, hard: 100 }\n  nproc: { soft: 100, hard: unlimited }\n`;
    expect(problems(text)).toEqual([
      'job.yaml:6:18: ulimits.stack.soft: soft limit 10 is above the hard limit 5 (Docker refuses it)',
      'job.yaml:7:17: ulimits.core.soft: soft limit unlimited is above the hard limit 100 (Docker refuses it)',
    ]);
  });

  it('refuses numbers beyond what Batch takes, without printing 1e+308', () => {
    const found = problems(
      `name: demo\nimage: demo:1\nnodes: 4\nresources: { vcpus: 2, memory: 2GiB }\ntimeout: 99999999999999999999999999d\nsharedMemory: 1e308\nulimits: { nofile: 9999999999 }\n`,
    );
    expect(found).toHaveLength(3);
    expect(found.join('\n')).not.toMatch(/e\+\d/);
    expect(found[0]).toBe('job.yaml:5:10: timeout: must be at most 2147483647 s');
  });
});
