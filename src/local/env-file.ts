/**
 * Secrets for `docker create` in a file only this user can read, for as long as the call takes:
 * a mode-0700 directory of its own (so nobody can swap the file), the file created 0600 with
 * O_EXCL, removed right after. An argv is readable by every local user through `ps`.
 */
import { constants } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MnbatchError } from '../errors.js';

/** Prefix of the directories under the temporary directory that hold an env file. */
export const ENV_DIR_PREFIX = 'mnbatch-env-';

/** `NAME=value` lines of a Docker env file; a newline in a value cannot be carried by one. */
export function envFileText(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars)
    .map(([name, value]) => {
      if (/[\n\r\0]/.test(value) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new MnbatchError('LOCAL_SECRET_UNSAFE', `secret variable ${name} cannot go into an env file`, {
          origin: 'internal',
        });
      }
      return `${name}=${value}\n`;
    })
    .join('');
}

/** Runs `use` with the path of an env file holding `vars`; the file and its directory are gone afterwards. */
export async function withEnvFile<T>(
  vars: Readonly<Record<string, string>>,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const text = envFileText(vars);
  // mkdtemp makes the directory 0700 whatever the umask.
  const dir = await mkdtemp(join(tmpdir(), ENV_DIR_PREFIX));
  try {
    const file = join(dir, 'env');
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
