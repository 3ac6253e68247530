/** Finding an executable the way a shell does: the first directory that has it. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** PATH's directories in order; an empty entry means the current directory, as in a shell. */
export function pathDirs(path: string | undefined): string[] {
  return (path ?? '').split(delimiter).map((d) => d || '.');
}

/** The path of executable `name` in the first of `dirs` that has it, or undefined. */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
