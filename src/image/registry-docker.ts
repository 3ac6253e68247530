/**
 * The Docker calls of pushing an image, next to src/local/docker.ts (build, tag, labels): what an
 * image is (id, platform), logging in to a registry and pushing to it. Logins go into a private
 * Docker config directory made for one push and removed after it, with the password on stdin,
 * so the password is never on an argv and never left in the user's ~/.docker/config.json.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { pushDisplay } from './push-progress.js';

/** What `docker image inspect` says of a local image. */
export interface LocalImage {
  /** `sha256:…` of the image configuration. */
  readonly id: string;
  readonly os: string;
  readonly architecture: string;
}

/** A registry login, and the pushes made with it. */
export interface RegistrySession {
  /** Pushes `ref` (`registry/repository:tag`); returns the manifest digest the registry reported. */
  push(ref: string): Promise<string>;
}

export interface RegistryDocker {
  /** The local image `ref`, or undefined when it is not on this machine. */
  inspect(ref: string): Promise<LocalImage | undefined>;
  /** Logs in to `host` for the time of `body`, then forgets the login. */
  withLogin<T>(
    login: { readonly host: string; readonly username: string; readonly password: string },
    body: (session: RegistrySession) => Promise<T>,
  ): Promise<T>;
}

/** `docker push` ends with "<tag>: digest: sha256:<hex> size: <n>". */
const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64})/;

function failed(code: string, message: string, output: string): MnbatchError {
  const lines = output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-10);
  return new MnbatchError(code, message, { origin: 'docker', details: lines });
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * RegistryDocker through the `docker` CLI; `say` gets the push's progress (`tty`: one line redrawn
 * in place, else a line per layer change, see push-progress.ts); `signal` stops a push.
 */
export function createRegistryDocker(
  say: (line: string) => void,
  env?: Env,
  signal?: AbortSignal,
  tty = false,
): RegistryDocker {
  const opts = {
    ...(env ? { env } : {}),
    ...(signal ? { cancelSignal: signal } : {}),
    reject: false,
  } as const;
  return {
    async inspect(ref) {
      const r = await execa(
        'docker',
        ['image', 'inspect', '--format', '{{.Id}} {{.Os}} {{.Architecture}}', ref],
        { ...opts, stdin: 'ignore' },
      );
      if (r.failed) return undefined;
      const [id = '', os = '', architecture = ''] = r.stdout.trim().split(' ');
      return { id, os, architecture };
    },
    async withLogin(login, body) {
      const config = await mkdtemp(join(tmpdir(), 'mnbatch-docker-'));
      try {
        const r = await execa(
          'docker',
          ['--config', config, 'login', '--username', login.username, '--password-stdin', login.host],
          { ...opts, input: login.password, all: true },
        );
        if (r.failed) {
          throw failed('REGISTRY_LOGIN_FAILED', `docker login to ${login.host} failed`, r.all ?? '');
        }
        return await body({
          async push(ref) {
            say(`pushing ${ref}`);
            const push = execa('docker', ['--config', config, 'push', ref], {
              ...opts,
              stdin: 'ignore',
              all: true,
              buffer: false,
            });
            const lines: string[] = [];
            const display = pushDisplay({ tty, write: say }, ref);
            for await (const line of push.iterable({ from: 'all' })) {
              lines.push(String(line));
              display.line(String(line));
            }
            display.end();
            const done = await push;
            const output = lines.join('\n');
            if (done.isCanceled) {
              // Nothing half-made: the next run finds the tag missing and pushes again.
              throw new MnbatchError('IMAGE_PUSH_INTERRUPTED', `pushing ${ref} was interrupted`, {
                origin: 'docker',
                exitCode: EXIT.interrupted,
              });
            }
            const digest = PUSHED_DIGEST.exec(output)?.[1];
            if (done.failed || !digest) {
              throw failed('IMAGE_PUSH_FAILED', `docker push ${ref} failed (exit ${done.exitCode})`, output);
            }
            return digest;
          },
        });
      } finally {
        await rm(config, { recursive: true, force: true });
      }
    },
  };
}
