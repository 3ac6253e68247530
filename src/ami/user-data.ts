/**
 * The builder's user data: the ami/ scripts embedded as they are in the package, written to a
 * tmpfs directory on the instance (so nothing of them ends up in the image) and run with the
 * bake's variables. A plain shell script, which cloud-init runs once on first boot.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MnbatchError } from '../errors.js';

/** EC2's limit for user data, in bytes before base64 encoding. */
export const USER_DATA_LIMIT = 16 * 1024;

/** The package's ami/ folder: ../../ami from both src/ami (tests) and dist/ami (installed). */
export const AMI_SCRIPTS_DIR = fileURLToPath(new URL('../../ami/', import.meta.url));

/** One file of ami/, by its path relative to ami/ (`bake.sh`, `lib/os.sh`). */
export interface BakeScript {
  readonly path: string;
  readonly content: string;
}

/** What the scripts do: mount EFS (when given) and set nr_cpus (a number, or keep the command line). */
export interface BakeVariables {
  readonly efs?: {
    readonly fileSystemId: string;
    readonly region: string;
    readonly mountPath: string;
    readonly mode: 'nfs4' | 'efs-tls';
  };
  readonly nrCpus: number | 'keep';
}

/** Reads ami/bake.sh and ami/lib/*.sh, in a stable order. */
export async function readBakeScripts(dir: string = AMI_SCRIPTS_DIR): Promise<BakeScript[]> {
  const lib = (await readdir(join(dir, 'lib'))).filter((f) => f.endsWith('.sh')).sort();
  const paths = ['bake.sh', ...lib.map((f) => `lib/${f}`)];
  return Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(dir, path), 'utf8') })));
}

/** The arguments of ami/bake.sh for `vars`, ending with --poweroff (the builder stops itself). */
export function bakeScriptArgs(vars: BakeVariables): string[] {
  const args: string[] = [];
  if (vars.efs) {
    args.push('--efs-id', vars.efs.fileSystemId, '--region', vars.efs.region);
    args.push('--mount-path', vars.efs.mountPath, '--mount-mode', vars.efs.mode);
  }
  args.push('--nr-cpus', String(vars.nrCpus), '--poweroff');
  return args;
}

const EOF_MARK = 'MNBATCH_AMI_EOF';

/** Single-quotes `s` for sh. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The user data script (text, not yet base64) that runs `scripts` with `vars` on the builder. */
export function renderUserData(scripts: readonly BakeScript[], vars: BakeVariables): string {
  if (!scripts.some((s) => s.path === 'bake.sh')) {
    throw new MnbatchError('AMI_SCRIPTS_MISSING', 'ami/bake.sh is missing from the mnbatch package', {
      origin: 'internal',
    });
  }
  const lines = [
    '#!/bin/sh',
    '# mnbatch ami bake: builder user data (generated). Writes the ami/ scripts of mnbatch to',
    '# tmpfs and runs them; they set up the image and power the instance off.',
    'set -eu',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
    'd=${MNBATCH_AMI_WORKDIR:-/run/mnbatch-ami}',
    'mkdir -p "$d/lib"',
  ];
  for (const script of scripts) {
    if (script.content.split('\n').includes(EOF_MARK)) {
      throw new MnbatchError('AMI_SCRIPTS_INVALID', `ami/${script.path} contains the line ${EOF_MARK}`, {
        origin: 'internal',
      });
    }
    const body = script.content.endsWith('\n') ? script.content : `${script.content}\n`;
    lines.push(`cat >"$d/${script.path}" <<'${EOF_MARK}'`, `${body}${EOF_MARK}`);
  }
  // "$@" only matters when the script is run by hand (tests: --root); cloud-init passes nothing.
  lines.push(`exec /bin/sh "$d/bake.sh" ${bakeScriptArgs(vars).map(shellQuote).join(' ')} "$@"`, '');
  return lines.join('\n');
}

/** Size in bytes of `userData` as EC2 counts it (UTF-8, before base64). */
export function userDataBytes(userData: string): number {
  return Buffer.byteLength(userData, 'utf8');
}

/** Throws when `userData` is over EC2's 16 KB limit. */
export function assertUserDataFits(userData: string): void {
  const size = userDataBytes(userData);
  if (size > USER_DATA_LIMIT) {
    throw new MnbatchError(
      'AMI_USER_DATA_TOO_LARGE',
      `builder user data is ${size} bytes, over EC2's limit of ${USER_DATA_LIMIT}`,
      { origin: 'internal' },
    );
  }
}
