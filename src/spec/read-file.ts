/**
 * Reading a job file defensively: only regular files (a FIFO would block, /dev/urandom never
 * ends, a directory is not a job), at most MAX_JOB_FILE_BYTES, and text only. Nothing of a
 * refused file's content is put in the error.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { MnbatchError } from '../errors.js';
import { printable } from '../printable.js';

/** Largest job file read: a job definition is at most 24 KiB, so 1 MiB leaves room for comments and anchors. */
export const MAX_JOB_FILE_BYTES = 1024 * 1024;

function unreadable(shownAs: string, why: string, cause?: unknown): MnbatchError {
  return new MnbatchError('SPEC_UNREADABLE', `${printable(shownAs)}: cannot read: ${why}`, {
    ...(cause === undefined ? {} : { cause }),
  });
}

/** What kind of file a non-regular file is, in words. */
function kindOf(stat: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why `bytes` is not a UTF-8 text file, or undefined when it is. */
export function binaryProblem(bytes: Buffer): string | undefined {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return `binary content (a NUL byte at offset ${nul})`;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'binary content (not valid UTF-8)';
  }
  return undefined;
}

/** The text of a job file, or a clear error (naming it as `shownAs`) when it cannot or must not be read. */
export async function readJobFile(file: string, shownAs = file): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : printable((e as Error).message);
    throw unreadable(shownAs, why, e);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw unreadable(shownAs, `is ${kindOf(stat)}; a job file must be a regular file`);
    if (stat.size > MAX_JOB_FILE_BYTES) throw tooLarge(shownAs);
    // Read one byte past the cap: a file that grew since stat is refused too.
    const buffer = Buffer.alloc(MAX_JOB_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_JOB_FILE_BYTES) throw tooLarge(shownAs);
    }
    const bytes = buffer.subarray(0, length);
    const binary = binaryProblem(bytes);
    if (binary !== undefined) throw unreadable(shownAs, `not a YAML text file: ${binary}`);
    return bytes.toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

function tooLarge(shownAs: string): MnbatchError {
  return unreadable(
    shownAs,
    `larger than ${MAX_JOB_FILE_BYTES / 1024 / 1024} MiB; a job file is a few KiB of YAML`,
  );
}
