/**
 * The Docker calls the local runner makes, behind one small interface (like the AWS adapters),
 * so the orchestration is tested with a fake and end to end with the real `docker` CLI.
 */
import { availableParallelism } from 'node:os';
import { execa } from 'execa';
import { EXIT } from '../contract/exit-codes.js';
import { MnbatchError } from '../errors.js';
import { withEnvFile } from './env-file.js';

/** Labels of containers and networks, by name. */
export type Labels = Readonly<Record<string, string>>;

export interface BuildRequest {
  readonly context: string;
  readonly dockerfile?: string;
  readonly tags: readonly string[];
  readonly args?: Readonly<Record<string, string>>;
  readonly labels?: Labels;
  /** Stops the build (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface ContainerState {
  readonly running: boolean;
  /** Frozen by `docker pause` (or its cgroup freezer): running, but executing nothing. */
  readonly paused: boolean;
  /** Exit code once the container stopped. */
  readonly exitCode: number;
  /** IPv4 address on `network`, when attached and running. */
  readonly ip: string | undefined;
}

/** A container or network found by label. */
export interface LabelledObject {
  readonly id: string;
  readonly labels: Labels;
}

export interface Docker {
  /** Throws a clear error when docker is not installed or the daemon does not answer. */
  check(): Promise<void>;
  /** CPUs of the machine the containers run on (the daemon's: a Docker Desktop VM has its own). */
  cpus(): Promise<number>;
  /** The image's labels, or undefined when the image is not there. */
  imageLabels(ref: string): Promise<Labels | undefined>;
  /** Builds an image; on failure the error shows the last lines of the build output. */
  build(request: BuildRequest): Promise<void>;
  tag(source: string, target: string): Promise<void>;
  createNetwork(name: string, labels: Labels): Promise<void>;
  removeNetworks(names: readonly string[]): Promise<void>;
  /**
   * `docker create <argv>`; returns the container id. `secretEnv` goes through an env file
   * readable only by this user, never on an argv that `ps` shows every local user.
   */
  createContainer(argv: readonly string[], secretEnv?: Readonly<Record<string, string>>): Promise<string>;
  /** SIGTERM to each container's main process, SIGKILL after `graceSeconds` (`docker stop`). */
  stop(ids: readonly string[], graceSeconds: number): Promise<void>;
  /** SIGKILL to each container at once (`docker kill`). */
  kill(ids: readonly string[]): Promise<void>;
  start(id: string): Promise<void>;
  inspect(id: string, network: string): Promise<ContainerState>;
  /** Follows the container's output line by line until it stops or is removed. */
  followLogs(id: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<void>;
  /** Resolves with the exit code when the container stops. */
  wait(id: string): Promise<number>;
  /** Removes containers (and their anonymous volumes), running or not. */
  removeContainers(ids: readonly string[]): Promise<void>;
  listContainers(label: string): Promise<LabelledObject[]>;
  listNetworks(label: string): Promise<LabelledObject[]>;
}

const BUILD_TAIL_LINES = 25;
/** Colour codes (ESC [ … m) the legacy builder puts around a step's stderr. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function dockerError(
  code: string,
  message: string,
  details: readonly string[] = [],
  cause?: unknown,
): MnbatchError {
  return new MnbatchError(code, message, { origin: 'docker', details, cause });
}

/** The last `n` non-empty lines of `text`, without terminal colour codes. */
function lastLines(text: string, n: number): string[] {
  return text
    .replace(ANSI_COLOUR, '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n);
}

type Env = Readonly<Record<string, string | undefined>>;

/** Runs `docker args`; throws DOCKER_FAILED with docker's own message on a non-zero exit. */
async function run(env: Env | undefined, args: readonly string[], what: string): Promise<string> {
  const r = await execa('docker', args, { ...base(env), reject: false, stdin: 'ignore' });
  if (r.failed) {
    if ((r as { code?: string }).code === 'ENOENT') throw notInstalled();
    // Docker's whole message: its last line alone often drops the reason ("see above").
    const [first, ...rest] = lastLines(r.stderr, BUILD_TAIL_LINES);
    throw dockerError('DOCKER_FAILED', `${what} failed: ${first ?? `exit ${r.exitCode}`}`, rest);
  }
  return r.stdout;
}

/** execa options for `env`: the caller's variables (DOCKER_HOST, PATH…) over this process's. */
function base(env: Env | undefined): { env?: Env } {
  return env ? { env } : {};
}

function notInstalled(): MnbatchError {
  return dockerError('DOCKER_NOT_INSTALLED', 'docker is not installed (the local runner needs Docker)', [
    'install it, e.g. apt-get install docker.io, and start the daemon',
  ]);
}

function parseLabels(text: string): Labels {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

/** The running containers (not the stopped ones) that carry `label`. */
export async function listRunningContainers(env: Env | undefined, label: string): Promise<LabelledObject[]> {
  const out = await run(
    env,
    ['ps', '--no-trunc', '--filter', `label=${label}`, '--format', '{{.ID}}\t{{.Labels}}'],
    'docker ps',
  );
  return parseListing(out);
}

/** Rows of `<id or name>\t<labels>` (the --format of ps and network ls) as labelled objects. */
function parseListing(out: string): LabelledObject[] {
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id = '', labels = ''] = l.split('\t');
      return { id, labels: parseLabels(labels) };
    });
}

/** Docker through its CLI (execa); `env` (DOCKER_HOST, PATH…) goes over this process's environment. */
export function createDocker(env?: Env): Docker {
  const opts = base(env);
  return {
    async check() {
      const r = await execa('docker', ['version', '--format', '{{.Server.Version}}'], {
        ...opts,
        reject: false,
        stdin: 'ignore',
      });
      if ((r as { code?: string }).code === 'ENOENT') throw notInstalled();
      if (r.failed) {
        throw dockerError('DOCKER_NOT_RUNNING', 'the Docker daemon is not running or not reachable', [
          ...lastLines(r.stderr, 1),
          'start it (systemctl start docker, or dockerd &) and check you may use it (docker info)',
        ]);
      }
    },
    async cpus() {
      const r = await execa('docker', ['info', '--format', '{{.NCPU}}'], {
        ...opts,
        reject: false,
        stdin: 'ignore',
      });
      const n = Number(r.stdout.trim());
      // A daemon that does not say: this machine's count, right whenever the daemon is local.
      return !r.failed && Number.isInteger(n) && n > 0 ? n : availableParallelism();
    },
    async imageLabels(ref) {
      const r = await execa('docker', ['image', 'inspect', '--format', '{{json .Config.Labels}}', ref], {
        ...opts,
        reject: false,
        stdin: 'ignore',
      });
      if (r.failed) return undefined;
      return (JSON.parse(r.stdout || 'null') as Record<string, string> | null) ?? {};
    },
    async build(req) {
      // --force-rm: the legacy builder otherwise keeps the container of a failed step.
      const args = ['build', '--force-rm', '--progress', 'plain'];
      if (req.dockerfile) args.push('-f', req.dockerfile);
      for (const [k, v] of Object.entries(req.args ?? {})) args.push('--build-arg', `${k}=${v}`);
      for (const [k, v] of Object.entries(req.labels ?? {})) args.push('--label', `${k}=${v}`);
      for (const t of req.tags) args.push('-t', t);
      args.push(req.context);
      // The legacy builder knows no --progress: try BuildKit's flag first, then without it.
      const cancel = req.signal ? { cancelSignal: req.signal } : {};
      let r = await execa('docker', args, { ...opts, ...cancel, reject: false, all: true, stdin: 'ignore' });
      if (r.failed && /unknown flag: --progress/.test(r.all ?? '')) {
        r = await execa(
          'docker',
          args.filter((a, i) => a !== '--progress' && args[i - 1] !== '--progress'),
          { ...opts, ...cancel, reject: false, all: true, stdin: 'ignore' },
        );
      }
      if ((r as { code?: string }).code === 'ENOENT') throw notInstalled();
      if (r.isCanceled) {
        throw new MnbatchError('IMAGE_BUILD_INTERRUPTED', `building image ${req.tags[0]} was interrupted`, {
          origin: 'docker',
          exitCode: EXIT.interrupted,
        });
      }
      if (r.failed) {
        throw dockerError(
          'IMAGE_BUILD_FAILED',
          `building image ${req.tags[0]} failed (docker build exited ${r.exitCode})`,
          lastLines(r.all ?? '', BUILD_TAIL_LINES),
        );
      }
    },
    async tag(source, target) {
      await run(env, ['tag', source, target], `docker tag ${source} ${target}`);
    },
    async createNetwork(name, labels) {
      const args = ['network', 'create', '--internal'];
      for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
      await run(env, [...args, name], `creating network ${name}`);
    },
    async removeNetworks(names) {
      if (names.length === 0) return;
      await execa('docker', ['network', 'rm', ...names], { ...opts, reject: false, stdin: 'ignore' });
    },
    async createContainer(argv, secretEnv) {
      if (secretEnv === undefined || Object.keys(secretEnv).length === 0) {
        return (await run(env, ['create', ...argv], 'docker create')).trim();
      }
      return withEnvFile(secretEnv, async (file) =>
        (await run(env, ['create', '--env-file', file, ...argv], 'docker create')).trim(),
      );
    },
    async stop(ids, graceSeconds) {
      if (ids.length === 0) return;
      await execa('docker', ['stop', '-t', String(Math.ceil(graceSeconds)), ...ids], {
        ...opts,
        reject: false,
        stdin: 'ignore',
      });
    },
    async kill(ids) {
      if (ids.length === 0) return;
      await execa('docker', ['kill', ...ids], { ...opts, reject: false, stdin: 'ignore' });
    },
    async start(id) {
      await run(env, ['start', id], `starting container ${id}`);
    },
    async inspect(id, network) {
      const format = `{{.State.Running}} {{.State.Paused}} {{.State.ExitCode}} {{with index .NetworkSettings.Networks "${network}"}}{{.IPAddress}}{{end}}`;
      const out = (await run(env, ['inspect', '--format', format, id], `inspecting container ${id}`)).trim();
      const [running, paused, exitCode, ip] = out.split(' ');
      return {
        running: running === 'true',
        paused: paused === 'true',
        exitCode: Number(exitCode),
        ip: ip || undefined,
      };
    },
    async followLogs(id, onLine) {
      const logs = execa('docker', ['logs', '--follow', id], {
        ...opts,
        reject: false,
        stdin: 'ignore',
        buffer: false,
        stripFinalNewline: false,
      });
      const pump = async (stream: 'stdout' | 'stderr') => {
        for await (const line of logs.iterable({ from: stream })) onLine(String(line), stream);
      };
      await Promise.all([pump('stdout'), pump('stderr'), logs]);
    },
    async wait(id) {
      const r = await execa('docker', ['wait', id], { ...opts, reject: false, stdin: 'ignore' });
      const code = Number(r.stdout.trim());
      // A container removed while waited on has no exit code: treat it as killed.
      return r.failed || !Number.isInteger(code) ? 137 : code;
    },
    async removeContainers(ids) {
      if (ids.length === 0) return;
      await execa('docker', ['rm', '--force', '--volumes', ...ids], {
        ...opts,
        reject: false,
        stdin: 'ignore',
      });
    },
    async listContainers(label) {
      const out = await run(
        env,
        ['ps', '--all', '--no-trunc', '--filter', `label=${label}`, '--format', '{{.ID}}\t{{.Labels}}'],
        'listing containers',
      );
      return parseListing(out);
    },
    async listNetworks(label) {
      const out = await run(
        env,
        ['network', 'ls', '--filter', `label=${label}`, '--format', '{{.Name}}\t{{.Labels}}'],
        'listing networks',
      );
      return parseListing(out);
    },
  };
}
